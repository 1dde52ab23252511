from django import forms

from gongzhi.core.validators import PHONE_FIELD
from gongzhi.places.models import CityZone, Facility, GridStaff


class FacilityForm(forms.ModelForm):
    rooms = forms.MultipleChoiceField(label="功能室", choices=Facility.ROOMS, required=False,
                                      widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Facility
        fields = ["service_area_m2", "station_area_m2", "activity_area_m2", "rooms", "publicity_boards",
                  "disclosure_boards"]

    def clean(self):
        data = super().clean()
        station, activity = data.get("station_area_m2"), data.get("activity_area_m2")
        if station is not None and activity is not None and activity > station:
            self.add_error("activity_area_m2", "居民活动用房面积不能大于服务站面积")
        for name in ("service_area_m2", "station_area_m2", "activity_area_m2"):
            if data.get(name) is not None and data[name] < 0:
                self.add_error(name, "面积不能为负数")
        return data


class StreetCentreForm(forms.ModelForm):
    """A street's or town's community service centre: only its area is assessed (P-FAC-2)."""

    class Meta:
        model = Facility
        fields = ["service_area_m2"]
        labels = {"service_area_m2": "街道(镇)社区综合服务中心面积(㎡)"}

    def clean_service_area_m2(self):
        value = self.cleaned_data["service_area_m2"]
        if value < 0:
            raise forms.ValidationError("面积不能为负数")
        return value


class GridStaffForm(forms.ModelForm):
    phone = forms.RegexField(label="联系电话", required=False, **PHONE_FIELD)

    class Meta:
        model = GridStaff
        fields = ["name", "role", "phone", "since"]
        widgets = {"since": forms.DateInput(attrs={"type": "date"})}


class CityZoneForm(forms.Form):
    """Where a district or street lies in its city (中心城区 / 远城区), which packs such as Wuhan's
    read (P-STAFF-2); blank: not recorded here, the level above decides."""
    city_zone = forms.ChoiceField(label="城区类别", required=False,
                                  choices=[("", "未登记(按上级区划)")] + list(CityZone.choices))


class FoundedForm(forms.Form):
    """A community's 组建日期, which funding rules read (P-FUND-1: 当年组建的社区由区财政负担全部经费)."""
    founded_on = forms.DateField(label="组建日期", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
