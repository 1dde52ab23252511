"""Forms of the admission pages: they only shape the input; the rules are the services'."""
from django import forms

from gongzhi.admission.models import DemandKind, Frequency, ListKind, Takeup

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label="清单", choices=ListKind.choices)
    takeup = forms.ChoiceField(label="承接类别", choices=Takeup.choices, required=False)
    title = forms.CharField(label="事项名称", max_length=80)
    legal_basis = forms.CharField(label="法律依据", max_length=300)
    department = forms.CharField(label="责任部门", max_length=50)
    community_does = forms.CharField(label="社区承担的工作", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    funding_yuan = forms.CharField(label="随事经费(元/社区/年)", required=False, max_length=20)
    funding_note = forms.CharField(label="经费与工作条件", required=False, max_length=300)
    hours_per_year = forms.CharField(label="工作量(小时/社区/年)", required=False, max_length=20)
    change_reason = forms.CharField(label="修改说明", required=False, max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label="申请列入", choices=ListKind.choices, initial=ListKind.ASSIST)
    takeup = forms.ChoiceField(label="承接类别", choices=Takeup.choices, required=False)
    title = forms.CharField(label="事项名称", max_length=80)
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    legal_basis = forms.CharField(label="法律依据", max_length=300)
    community_does = forms.CharField(label="社区承担的工作", widget=forms.Textarea(attrs={"rows": 3}),
                                     max_length=2000)
    all_communities = forms.BooleanField(label="全部社区", required=False)
    communities = forms.MultipleChoiceField(label="涉及社区", required=False,
                                            widget=forms.SelectMultiple(attrs={"size": 6}))
    frequency = forms.ChoiceField(label="频次", choices=[("", "请选择")] + Frequency.choices)
    hours_per_community_year = forms.CharField(label="工作量(小时/社区/年)", max_length=20)
    funding_yuan = forms.CharField(label="随事经费(元/社区/年)", max_length=20, required=False)
    conditions = forms.CharField(label="工作条件", widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                 max_length=2000)
    plan_year = forms.CharField(label="计划年度", required=False, max_length=4)
    documents = forms.FileField(label="申请材料(PDF 或图片,可选)", required=False)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="审核意见", widget=forms.RadioSelect, choices=(
        ("pass", "审核通过,转下一环节"), ("approve", "批准,列入清单"), ("refuse", "不予批准")))
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DataRequestForm(forms.Form):
    item = forms.ChoiceField(label="清单依据")
    title = forms.CharField(label="填报任务名称", max_length=80)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    due_on = forms.DateField(label="截止日期", widget=DATE)
    communities = forms.MultipleChoiceField(label="填报社区", widget=forms.SelectMultiple(attrs={"size": 6}))


class DemandForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=[("", "请选择")] + DemandKind.choices)
    title = forms.CharField(label="名称", max_length=80)
    item = forms.ChoiceField(label="清单依据")
    frequency = forms.ChoiceField(label="频次", choices=[("", "请选择")] + Frequency.choices)
    hours_per_community_year = forms.CharField(label="工作量(小时/社区/年)", max_length=20, required=False)
    platform_ledger = forms.ChoiceField(label="平台已有台账(台账类)", required=False)
    all_communities = forms.BooleanField(label="所辖全部社区", required=False)
    communities = forms.MultipleChoiceField(label="涉及社区", required=False,
                                            widget=forms.SelectMultiple(attrs={"size": 6}))
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    veto = forms.BooleanField(label="实行“一票否决”", required=False)


class OffListReportForm(forms.Form):
    department = forms.CharField(label="提出要求的单位", max_length=50)
    kind = forms.ChoiceField(label="类型")
    title = forms.CharField(label="要求内容", max_length=80)
    details = forms.CharField(label="具体情况(何时、以何种方式、要求做什么)", widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=2000)
    demanded_on = forms.DateField(label="提出日期", widget=DATE)
