"""Forms of the 残疾人之家 pages: they only shape the input (a field's own error names it through
`core.forms.first_error`; the hidden version is read by `core.forms.posted_version`: a broken one is a stale
form, 409); the rules are care/homes.py's and care/disabled.py's."""
from django import forms

from gongzhi.care.models import HomeOffer, JobHelpKind, JobOutcome

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PLACES = dict(min_value=0, max_value=10000, required=False)


class HomeForm(forms.Form):
    place_code = forms.CharField(label="所在社区或街道", max_length=20, required=False)
    name = forms.CharField(label="名称", max_length=80)
    services = forms.MultipleChoiceField(label="服务", choices=HomeOffer.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    day_care_places = forms.IntegerField(label="日间照料名额", **PLACES)
    rehab_places = forms.IntegerField(label="康复训练名额", **PLACES)
    hours = forms.CharField(label="开放时间", max_length=60)
    address = forms.CharField(label="地址", max_length=200, required=False)
    contact = forms.CharField(label="联系人", max_length=40, required=False)
    phone = forms.CharField(label="联系电话", max_length=20)

    FIELDS = ("name", "services", "day_care_places", "rehab_places", "hours", "address", "contact", "phone")

    def home_fields(self) -> dict:
        d = self.cleaned_data
        return {k: (d[k] if d[k] is not None else 0) if k.endswith("_places") else d[k] for k in self.FIELDS}


class CloseForm(forms.Form):
    closed_on = forms.DateField(label="停办日期", widget=DATE)
    reason = forms.CharField(label="停办原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class JobHelpForm(forms.Form):
    resident = forms.IntegerField(label="帮扶对象", min_value=1, max_value=2**63 - 1)
    kind = forms.ChoiceField(label="帮扶方式", choices=JobHelpKind.choices)
    given_on = forms.DateField(label="帮扶日期", widget=DATE)
    detail = forms.CharField(label="帮扶内容", max_length=300)
    outcome = forms.ChoiceField(label="结果", choices=JobOutcome.choices, required=False)
