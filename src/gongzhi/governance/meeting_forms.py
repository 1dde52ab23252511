from django import forms

from gongzhi.governance.meetings import ERR_HEARING_DEPARTMENT, ERR_MATTER
from gongzhi.governance.models import COMMENT_MAX, SESSION_TEXT_MAX, SessionForm, VoteChoice

DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _dt(label, required=True):
    return forms.DateTimeField(label=label, required=required, input_formats=DT_FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


def _date(label, required=True):
    return forms.DateField(label=label, required=required,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _text(label, rows=3, required=False, limit=SESSION_TEXT_MAX):
    return forms.CharField(label=label, required=required, max_length=limit, strip=True,
                           widget=forms.Textarea(attrs={"rows": rows}))


class SessionNewForm(forms.Form):
    form = forms.ChoiceField(label="协商形式", choices=SessionForm.choices)
    title = forms.CharField(label="协商事项", max_length=60)
    topic = forms.ChoiceField(label="来自议题(转入协商的)", required=False)
    agenda = _text("协商内容", rows=4)
    venue = forms.CharField(label="地点", max_length=60, required=False)
    starts_at = _dt("召开时间")
    comments_until = _dt("网上意见截止(不填为会后 7 天)", required=False)
    committee = forms.BooleanField(label="居委会成员(全体在任)", required=False)
    representatives = forms.BooleanField(label="居民代表(全体在任)", required=False)
    grids = forms.MultipleChoiceField(label="受影响的网格:每户一人", required=False,
                                      widget=forms.CheckboxSelectMultiple)
    buildings = forms.MultipleChoiceField(label="受影响的楼栋:每户一人", required=False,
                                          widget=forms.CheckboxSelectMultiple)
    units = forms.MultipleChoiceField(label="驻区单位", required=False, widget=forms.CheckboxSelectMultiple)
    deputies = _text("党代表、人大代表(每行一位姓名)", rows=2, limit=2000)
    # a hearing (听证会): the matters that need the government it hears, and the department it feeds back to
    matters = forms.MultipleChoiceField(
        label="听证事项(听证会):已转为工单、派给政府部门办理的议题", required=False,
        widget=forms.CheckboxSelectMultiple, error_messages={"invalid_choice": ERR_MATTER})
    department = forms.ChoiceField(label="反馈部门(听证会):听证事项的承办部门", required=False,
                                   error_messages={"invalid_choice": ERR_HEARING_DEPARTMENT})


class SessionRecordForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    held_on = _date("召开日期")
    attended = forms.MultipleChoiceField(label="到会的参加人", required=False, widget=forms.CheckboxSelectMultiple)
    walk_ins = forms.IntegerField(label="名单外到会人数", min_value=0, max_value=100000, required=False, initial=0)
    options = _text("讨论的方案")
    views_for = _text("赞成意见")
    views_against = _text("反对意见")
    outcome = _text("协商成果", rows=4, required=True)
    department = forms.CharField(label="反馈部门(听证会)", max_length=60, required=False)
    fed_back = _text("反馈给部门的意见(听证会)")
    department_answer = _text("部门答复(听证会,可以以后补登)")


class DepartmentAnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    department_answer = _text("部门答复", required=True)


class CommentForm(forms.Form):
    text = forms.CharField(label="我的意见", max_length=COMMENT_MAX, strip=True,
                           widget=forms.Textarea(attrs={"rows": 3, "placeholder": "不超过 500 字,不显示您的姓名"}))


class MeetingNewForm(forms.Form):
    body = forms.ChoiceField(label="会议")
    form = forms.ChoiceField(label="组成形式")
    title = forms.CharField(label="表决事项", max_length=60)
    motion = _text("决定内容", rows=4)
    options = _text("供选择的方案(每行一个,2 至 9 个;不填则对决定内容表决同意、反对或弃权)", rows=3, limit=2000)
    held_on = _date("会议日期(名册按这一天的登记信息生成)")
    venue = forms.CharField(label="地点", max_length=60, required=False)
    online = forms.BooleanField(label="允许已实名的居民网上投票", required=False, initial=True)
    closes_at = _dt("网上投票截止(不填为结束表决时)", required=False)
    topic = forms.ChoiceField(label="来自议题", required=False)
    session = forms.ChoiceField(label="来自协商会", required=False)


OPTION_CHOICE = "option-"


class VoteForm(forms.Form):
    """同意/反对/弃权, or on a meeting with options: one option, 都不同意 or 弃权."""
    choice = forms.ChoiceField(label="我的意见", widget=forms.RadioSelect)

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = ([(f"{OPTION_CHOICE}{o.pk}", str(o)) for o in options]
                                         + [(VoteChoice.NO, "都不同意"), (VoteChoice.ABSTAIN, "弃权")]
                                         if options else VoteChoice.choices)

    def vote(self) -> tuple[str, int | None]:
        """(choice, option id) for `meetings.vote`."""
        picked = self.cleaned_data["choice"]
        if picked.startswith(OPTION_CHOICE):
            return VoteChoice.YES, int(picked.removeprefix(OPTION_CHOICE))
        return picked, None


def _count(label):
    return forms.IntegerField(label=label, min_value=0, max_value=10_000_000)


class PaperForm(forms.Form):
    """The day's paper tally; on a meeting with options one count per option replaces 同意."""
    version = forms.IntegerField(widget=forms.HiddenInput())
    present = _count("现场到会(不含网上投票的)")
    yes = _count("同意")
    no = _count("反对")
    abstain = _count("弃权")

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.options = list(options)
        if self.options:
            del self.fields["yes"]
            self.fields["no"].label = "都不同意"
            for o in self.options:
                self.fields[f"option_{o.pk}"] = _count(str(o))
            self.order_fields(["version", "present", *(f"option_{o.pk}" for o in self.options), "no", "abstain"])

    def option_votes(self) -> dict[int, int]:
        return {o.pk: self.cleaned_data[f"option_{o.pk}"] for o in self.options}


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    minutes = _text("会议记录")


class PostForm(forms.Form):
    kind = forms.ChoiceField(label="职务")
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    since = _date("任职日期")
    group = forms.ChoiceField(label="居民小组(可不选)", required=False)
    building = forms.ChoiceField(label="楼栋(门栋长)", required=False)
    note = forms.CharField(label="说明(可不填)", max_length=60, required=False)


class PostEndForm(forms.Form):
    until = _date("离任日期")


class GroupForm(forms.Form):
    name = forms.CharField(label="居民小组名称", max_length=40)
    grid = forms.ChoiceField(label="网格(可不选)", required=False)
    households = forms.IntegerField(label="户数", min_value=0, max_value=5000, required=False)
