import datetime as dt

from django import forms
from django.conf import settings

from gongzhi.core import codes
from gongzhi.core.validators import PHONE_FIELD, single_line
from gongzhi.people.models import CareTag, Organisation, ResidenceStatus

DATE = forms.DateInput(attrs={"type": "date"})


class ResidentFieldsForm(forms.Form):
    """The fields a worker keeps about a resident (shared by new and edit)."""

    name = forms.CharField(label="姓名", max_length=50, validators=[single_line])
    phone = forms.RegexField(label="联系电话", required=False, **PHONE_FIELD)
    ethnicity = forms.ChoiceField(label="民族", choices=list(codes.ETHNICITIES.items()))
    residence_status = forms.ChoiceField(label="居住状态", choices=ResidenceStatus.choices)
    relation = forms.ChoiceField(label="与户主关系", choices=list(codes.RELATIONS.items()))
    party_member = forms.BooleanField(label="党员", required=False)
    moved_in_on = forms.DateField(label="迁入日期", required=False, widget=DATE)
    care_tags = forms.ModelMultipleChoiceField(label="人员标签", queryset=CareTag.objects.all(), required=False,
                                               widget=forms.CheckboxSelectMultiple)


class ResidentEditForm(ResidentFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MoveOutForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    moved_on = forms.DateField(label="迁出日期", widget=DATE, initial=dt.date.today)
    destination = forms.CharField(label="迁往", max_length=100, validators=[single_line])


class DeathForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    died_on = forms.DateField(label="死亡日期", widget=DATE)


class MoveHouseholdForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    household_number = forms.CharField(label="迁入户号", max_length=30, validators=[single_line])
    relation = forms.ChoiceField(label="与新户主关系", choices=list(codes.RELATIONS.items()))
    moved_on = forms.DateField(label="迁移日期", widget=DATE, initial=dt.date.today)


ERR_IMPORT_SIZE = "文件 {name} 有 {size:.1f} MB,超过 {limit} MB 的上限;请拆分成几个文件分批导入"


class ImportForm(forms.Form):
    file = forms.FileField(label="居民信息表 (xlsx 或 csv)")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(f"文件 {f.name} 不是 xlsx 或 csv 格式")
        limit = settings.IMPORT_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(ERR_IMPORT_SIZE.format(name=f.name, size=f.size / 2**20, limit=limit // 2**20))
        return f


class ResidentNewForm(ResidentFieldsForm):
    id_number = forms.CharField(label="公民身份号码", max_length=30, validators=[single_line])
    field_order = ["name", "id_number"]

    def clean_id_number(self):
        from gongzhi.core import idcard
        try:
            return idcard.parse(self.cleaned_data["id_number"]).value
        except idcard.IdNumberError as e:
            raise forms.ValidationError(str(e)) from None


class HouseholdNewForm(forms.Form):
    number = forms.CharField(label="户号", max_length=30, validators=[single_line])
    dwelling_code = forms.CharField(label="房屋编号", max_length=40, required=False, validators=[single_line])


class OrganisationForm(forms.ModelForm):
    credit_code = forms.RegexField(label="统一社会信用代码", required=False, regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$",
                                   error_messages={"invalid": "统一社会信用代码应为18位(数字或大写字母,不含I、O、Z、S、V)"})

    class Meta:
        model = Organisation
        fields = ["kind", "name", "registration", "credit_code", "contact_name", "volunteer_team", "active"]
        labels = {"active": "仍在活动"}
        help_texts = {"volunteer_team": "志愿服务队等以志愿服务为主的社区社会组织", "active": "已解散或不再活动的取消勾选,记录保留"}
