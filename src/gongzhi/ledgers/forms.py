"""The forms of the ledger kinds. Every one is built with the community whose books
it writes (`community=`), whether it needs it or not, so the pages build them alike."""
from django import forms

from gongzhi.core import idcard
from gongzhi.ledgers.models import Activity, Disclosure, Election, Meeting, Training, Worker
from gongzhi.people.models import OrgKind, Organisation

DATE = forms.DateInput(attrs={"type": "date"})


class LedgerForm(forms.ModelForm):
    """A ledger kind's model form; `self.community` is the community being kept."""

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community


class CountsOptional(LedgerForm):
    """Head counts and hours may be left empty: they are then 0, the model's default."""

    OPTIONAL = ("attendees", "participants", "hours", "voters", "turnout")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.OPTIONAL:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        data = super().clean()
        for name in self.OPTIONAL:
            if name in self.fields and data.get(name) is None and name not in self.errors:
                data[name] = self._meta.model._meta.get_field(name).default
        return data


class WorkerForm(LedgerForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Worker
        fields = ["name", "party_post", "committee_post", "full_time", "certificate", "since", "left_on"]
        widgets = {"since": DATE, "left_on": DATE}


class TrainingForm(LedgerForm):
    class Meta:
        model = Training
        fields = ["worker", "held_on", "days", "title", "organiser"]
        widgets = {"held_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = Worker.objects.filter(community=self.community, left_on__isnull=True)
        self.fields["worker"].label = "参训人员"

    def clean_days(self):
        days = self.cleaned_data["days"]
        if not 0 < days <= 60:
            raise forms.ValidationError("培训天数应在 0.5 到 60 天之间")
        return days


class MeetingForm(CountsOptional):
    class Meta:
        model = Meeting
        fields = ["kind", "held_on", "title", "attendees", "minutes"]
        widgets = {"held_on": DATE, "minutes": forms.Textarea(attrs={"rows": 4})}


class DisclosureForm(LedgerForm):
    class Meta:
        model = Disclosure
        fields = ["kind", "published_on", "title", "content"]
        widgets = {"published_on": DATE, "content": forms.Textarea(attrs={"rows": 4})}


class ActivityForm(CountsOptional):
    class Meta:
        model = Activity
        fields = ["kind", "held_on", "title", "participants", "hours"]
        widgets = {"held_on": DATE}


class ElectionForm(CountsOptional):
    class Meta:
        model = Election
        fields = ["held_on", "method", "voters", "turnout"]
        widgets = {"held_on": DATE}

    def clean(self):
        data = super().clean()
        if data.get("turnout") is not None and data.get("voters") is not None and data["turnout"] > data["voters"]:
            self.add_error("turnout", "参选人数不能多于登记选民数")
        return data


class VolunteerForm(forms.Form):
    id_number = forms.CharField(label="公民身份号码", max_length=20,
                                help_text="本社区在册居民;全角数字和小写 x 会自动转换")
    registered_on = forms.DateField(label="注册日期", widget=DATE)
    team = forms.ModelChoiceField(label="志愿服务组织", queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Organisation.objects.filter(
            community=community, kind=OrgKind.SOCIAL_ORG, volunteer_team=True, active=True)

    def clean_id_number(self):
        """A malformed number is this field's error; who holds it the service finds out."""
        value = self.cleaned_data["id_number"]
        try:
            idcard.parse(value)
        except idcard.IdNumberError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value


class VoidForm(forms.Form):
    reason = forms.CharField(label="作废原因", max_length=100)
