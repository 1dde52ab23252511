from django import forms

from gongzhi.core.validators import PHONE_FIELD
from gongzhi.workorders import selectors
from gongzhi.workorders.manifest import SUPERVISE_ORDERS
from gongzhi.workorders.models import Kind, Outcome, RouteLevel, Window, WorkOrder

ERR_ORDER_NUMBER = "工单号 {number} 不存在或无权访问"


class ReportForm(forms.Form):
    """A new order. Which fields show depends on who reports (see views.order_new)."""

    category = forms.ChoiceField(label="类别")
    title = forms.CharField(label="标题", max_length=100, required=False,
                            widget=forms.TextInput(attrs={"placeholder": "可不填,默认取描述开头"}))
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 4}))
    grid = forms.ChoiceField(label="所在网格", required=False)
    household_number = forms.CharField(label="户号", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    reporter_name = forms.CharField(label="反映人/申请人", max_length=50, required=False)
    reporter_phone = forms.RegexField(label="联系电话", required=False, **PHONE_FIELD)
    on_behalf = forms.BooleanField(label="全程代办(由我代居民办理)", required=False)
    parties = forms.CharField(label="当事人(矛盾纠纷:每行一人,姓名,身份)", required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "placeholder": "赵一,申请人\n钱二,被申请人"}))

    def __init__(self, *args, categories=(), grids=(), staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择")] + [
            (c.code, f"{c.get_kind_display()} · {c.name}") for c in categories]
        if staff:
            self.fields["grid"].choices = [("", "请选择")] + [(g.code, f"{g.parent.name} {g.name}") for g in grids]
        else:
            for name in ("grid", "household_number", "on_behalf", "reporter_name"):
                del self.fields[name]


def parse_parties(text: str) -> list[dict]:
    parties = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.replace(",", ",").split(",")]
        if parts and parts[0]:
            parties.append({"name": parts[0][:50], "role": (parts[1] if len(parts) > 1 else "")[:20]})
    return parties


# -- the steps on an order's page: the step table (services.lifecycle.STEPS) names one form per step --
class StepForm(forms.Form):
    """What the order page posts for one step; `arguments()` are the keywords of the
    step's service. Text fields are optional: the service says what is missing, in its own words."""

    def __init__(self, data=None, files=None, *, scope=None, order=None, **kwargs):
        super().__init__(data, files, **kwargs)
        self.scope, self.order = scope, order

    def arguments(self) -> dict:
        return dict(self.cleaned_data)

    def error_text(self) -> str:
        return "; ".join(e for errors in self.errors.values() for e in errors)


class NoteForm(StepForm):
    """Accept, close: an optional note."""
    note = forms.CharField(required=False)


class DeclineForm(StepForm):
    reason = forms.CharField(required=False)


class DispatchForm(StepForm):
    """One handling unit: a place's code, or "code|department" for a department there
    (selectors.dispatch_options lists them); unknown means none chosen."""
    target = forms.CharField(required=False)
    department = forms.CharField(required=False)  # only from callers that send the two apart
    note = forms.CharField(required=False)

    def arguments(self) -> dict:
        code, _, department = self.cleaned_data["target"].partition("|")
        place = next((p for p in selectors.dispatch_targets(self.scope, self.order) if p.code == code), None)
        return {"place": place, "department": department or self.cleaned_data["department"],
                "note": self.cleaned_data["note"]}


class _WithPhotos(StepForm):
    def arguments(self) -> dict:
        return {**self.cleaned_data, "files": self.files.getlist("photos")}


class HandleForm(_WithPhotos):
    note = forms.CharField(required=False)


class ReplyForm(_WithPhotos):
    reply = forms.CharField(required=False)
    resolved = forms.CharField(required=False)  # the box posts "1" when ticked

    def arguments(self) -> dict:
        return {**super().arguments(), "resolved": self.cleaned_data["resolved"] == "1"}


class VerifyForm(_WithPhotos):
    """Verify passed or failed: the step (verify_pass, verify_fail) says which."""
    note = forms.CharField(required=False)


class RateForm(StepForm):
    rating = forms.CharField(required=False)
    comment = forms.CharField(required=False)


class MergeForm(StepForm):
    """The order to merge into, by number, among those the caller supervises."""
    into = forms.CharField(required=False)

    def clean_into(self) -> WorkOrder:
        number = self.cleaned_data["into"]
        pk = WorkOrder.pk_from_number(number)
        target = selectors.orders_in(self.scope.for_capability(SUPERVISE_ORDERS)).filter(pk=pk).first() \
            if pk else None
        if target is None:
            raise forms.ValidationError(ERR_ORDER_NUMBER.format(number=number))
        return target


class MediationForm(StepForm):
    mediator = forms.CharField(label="调解人", max_length=50, required=False)
    mediation = forms.CharField(label="调解经过", widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(label="调解结果", choices=Outcome.choices)
    agreement = forms.BooleanField(label="达成调解协议", required=False)
    mediated_on = forms.DateField(label="调解日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    parties = forms.CharField(label="当事人(每行一人:姓名,身份;不填则不变)", required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "style": "width:100%"}))

    def arguments(self) -> dict:
        parties = self.cleaned_data["parties"]
        return {**self.cleaned_data, "parties": parse_parties(parties) if parties else None}


class VisitForm(forms.Form):
    grid = forms.ChoiceField(label="网格")
    household_number = forms.CharField(label="走访户户号(可不填)", max_length=30, required=False)
    visited_on = forms.DateField(label="走访日期", widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label="走访情况", widget=forms.Textarea(attrs={"rows": 3}))
    concerns = forms.CharField(label="群众诉求(可不填)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    order_category = forms.ChoiceField(label="诉求转为工单(可不选)", required=False)

    def __init__(self, *args, grids=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [(g.code, f"{g.parent.name} {g.name}") for g in grids]
        self.fields["order_category"].choices = [("", "不转工单")] + [(c.code, c.name) for c in categories]


class CategoryForm(forms.Form):
    code = forms.CharField(label="接口代码(Open311 服务代码,字母、数字、下划线)", max_length=40, required=False)
    kind = forms.ChoiceField(label="类别", choices=Kind.choices)
    name = forms.CharField(label="名称", max_length=60)
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    route_level = forms.ChoiceField(label="默认承办层级", choices=RouteLevel.choices)
    route_department = forms.CharField(label="默认承办部门", max_length=50, required=False)
    window = forms.ChoiceField(label="受理窗口", choices=[("", "—")] + Window.choices, required=False)
    materials = forms.CharField(label="所需材料(每行一项)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    accept_days = forms.IntegerField(label="受理时限(工作日)", min_value=0, max_value=365)
    handle_days = forms.IntegerField(label="办结时限(工作日)", min_value=0, max_value=365)
    verify_days = forms.IntegerField(label="核查时限(工作日)", min_value=0, max_value=365)
    is_public = forms.BooleanField(label="公开(公开地图、Open311 查询)", required=False)
    is_dispute = forms.BooleanField(label="矛盾纠纷(登记当事人和调解)", required=False)
    active = forms.BooleanField(label="启用", required=False)
    sort = forms.IntegerField(label="排序", min_value=0, max_value=32767)
    attributes = forms.CharField(label="Open311 附加字段(JSON)", required=False,
                                 widget=forms.Textarea(attrs={"rows": 3, "style": "font-family:monospace"}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CalendarDayForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(label="这一天", coerce=lambda v: v == "1",
                                        choices=[("0", "放假(节假日)"), ("1", "上班(调休)")])
    name = forms.CharField(label="说明", max_length=40, required=False)
