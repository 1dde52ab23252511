"""Writes to the territory: facilities and grid staff."""
from django.db import transaction

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


@transaction.atomic
def grid_staff_add(*, grid: Place, name: str, role: str, phone: str = "", since=None) -> GridStaff:
    return GridStaff.objects.create(grid=grid, name=name.strip(), role=role, phone=phone, since=since)


@transaction.atomic
def grid_staff_deactivate(*, staff: GridStaff) -> GridStaff:
    staff.active = False
    staff.save(update_fields=["active"])
    return staff
