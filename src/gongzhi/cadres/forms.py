"""Forms of the cadre-supervision pages: they only shape the input (a field's own error names it); the
rules are the services'."""
from django import forms

from gongzhi.cadres.models import (
    COMMENT_MAX, REASON_MAX, CheckForm, CheckKind, FollowUp, PledgeState, Recommendation, Verdict,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
VERSION = dict(widget=forms.HiddenInput, min_value=0, max_value=2**31)


class RoundForm(forms.Form):
    village = forms.CharField(label="村", max_length=20)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label="半年", choices=[(1, "上半年"), (2, "下半年")], coerce=int)
    opens_on = forms.DateField(label="评议开始", widget=DATE)
    closes_on = forms.DateField(label="评议截止", widget=DATE)
    note = forms.CharField(label="述职与评议说明", max_length=200, required=False)


class RateForm(forms.Form):
    verdict = forms.ChoiceField(label="评议意见", choices=Verdict.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="意见建议", max_length=COMMENT_MAX, required=False)
    version = forms.IntegerField(required=False, **VERSION)


class VersionForm(forms.Form):
    version = forms.IntegerField(**VERSION)


class VoidForm(forms.Form):
    reason = forms.CharField(label="作废原因", max_length=REASON_MAX)
    version = forms.IntegerField(**VERSION)


class CheckNewForm(forms.Form):
    village = forms.CharField(label="村", max_length=20)
    kind = forms.ChoiceField(label="类别", choices=CheckKind.choices)
    form = forms.ChoiceField(label="形式", choices=CheckForm.choices)
    due_on = forms.DateField(label="应于", widget=DATE)
    by_whom = forms.CharField(label="审计单位/谈话人", max_length=60, required=False)


class PlanForm(forms.Form):
    village = forms.CharField(label="村", max_length=20)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class CheckRecordForm(forms.Form):
    held_on = forms.DateField(label="实际日期", widget=DATE)
    by_whom = forms.CharField(label="审计单位/谈话人", max_length=60)
    cadres = forms.MultipleChoiceField(label="对象", required=False, widget=forms.CheckboxSelectMultiple)
    findings = forms.CharField(label="发现的问题", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    conclusion = forms.CharField(label="结论(公开)", max_length=200, required=False)
    follow_up = forms.ChoiceField(label="整改", choices=FollowUp.choices, required=False)
    follow_up_note = forms.CharField(label="整改要求与情况", max_length=2000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    follow_up_due = forms.DateField(label="整改期限", widget=DATE, required=False)
    version = forms.IntegerField(**VERSION)

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadres"].choices = [(str(w.pk), f"{w.name}({w.posts()})") for w in cadres]


class FollowUpForm(forms.Form):
    follow_up = forms.ChoiceField(label="整改", choices=FollowUp.choices, required=False)
    follow_up_note = forms.CharField(label="整改要求与情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(**VERSION)


class PledgeForm(forms.Form):
    worker = forms.ChoiceField(label="干部")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    made_on = forms.DateField(label="承诺日期", widget=DATE)
    text = forms.CharField(label="承诺内容", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "请选择")] + [
            (str(w.pk), f"{w.community.name} {w.name}({w.posts()})") for w in cadres]


class PledgeFollowUpForm(forms.Form):
    state = forms.ChoiceField(label="兑现情况", choices=PledgeState.choices)
    note = forms.CharField(label="兑现说明", max_length=500, required=False)
    checked_on = forms.DateField(label="核实日期", widget=DATE, required=False)
    version = forms.IntegerField(**VERSION)


class ActivistForm(forms.Form):
    village = forms.CharField(label="村", max_length=20)
    name = forms.CharField(label="人选姓名", max_length=50)
    id_tail = forms.RegexField(label="身份证号后四位(同名时填写)", regex=r"^[0-9]{3}[0-9Xx]$", max_length=4,
                               required=False, error_messages={"invalid": "应为 4 位(最后一位可为 X)"})
    recommended_by = forms.ChoiceField(label="推荐方式", choices=Recommendation.choices)
    held_on = forms.DateField(label="评议会日期", widget=DATE)
    attendees = forms.IntegerField(label="参会人数", min_value=1, max_value=100_000)
    votes_for = forms.IntegerField(label="赞成票", min_value=0, max_value=100_000)
    votes_against = forms.IntegerField(label="反对票", min_value=0, max_value=100_000)
    abstentions = forms.IntegerField(label="弃权票", min_value=0, max_value=100_000)


class LinkForm(forms.Form):
    resident = forms.ChoiceField(label="居民档案")
