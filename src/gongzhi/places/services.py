"""Writes to the territory: facilities, grid staff, city zones and founding dates."""
import datetime as dt

from django.db import transaction
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.places.models import Facility, GridStaff, Place


@transaction.atomic
def facility_save(*, community: Place, data: dict) -> Facility:
    facility, _ = Facility.objects.select_for_update().get_or_create(community=community)
    for field, value in data.items():
        setattr(facility, field, value)
    facility.save()
    return facility


def city_zone_set(*, place: Place, zone: str) -> Place:
    """A district's or street's 城区类别 ("" clears it: the district's then applies to a street)."""
    place.city_zone = zone
    place.save(update_fields=["city_zone"])
    return place


ERR_FOUNDED_FUTURE = "组建日期不能晚于今天"
ERR_FOUNDED_EARLY = "组建日期不能早于 1949 年 10 月 1 日"


def founded_set(*, place: Place, founded_on) -> Place:
    """A community's 组建日期 (None clears it)."""
    if founded_on is not None:
        if founded_on > timezone.localdate():
            raise RuleError(ERR_FOUNDED_FUTURE)
        if founded_on < dt.date(1949, 10, 1):
            raise RuleError(ERR_FOUNDED_EARLY)
    place.founded_on = founded_on
    place.save(update_fields=["founded_on"])
    return place


@transaction.atomic
def grid_staff_add(*, grid: Place, name: str, role: str, phone: str = "", since=None) -> GridStaff:
    return GridStaff.objects.create(grid=grid, name=name.strip(), role=role, phone=phone, since=since)


@transaction.atomic
def grid_staff_deactivate(*, staff: GridStaff) -> GridStaff:
    staff.active = False
    staff.save(update_fields=["active"])
    return staff
