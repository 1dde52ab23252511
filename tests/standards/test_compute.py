"""Metric values computed by the database for all communities at once equal a
plain per-community reference computation."""
import pytest

from gongzhi.people.models import Household, Organisation, Resident
from gongzhi.places.models import Estate, Facility, GridStaff, Level, Place
from gongzhi.standards.compute import NotComputable, compute

COMPUTED = ["households", "residents", "social_orgs", "facility_area", "publicity_boards", "disclosure_boards",
            "facility_area_per_100_households", "social_orgs_per_10k", "grid_coverage", "grids_staffed_share"]


def _reference(c: Place) -> dict:
    """One community at a time, the slow obvious way."""
    households = Household.objects.filter(community=c, status="active").count()
    residents = Resident.objects.filter(community=c, status="active").count()
    orgs = Organisation.objects.filter(community=c, kind="social_org", active=True).count()
    facility = Facility.objects.filter(community=c).first()
    area = float(facility.service_area_m2) if facility else 0
    grids = list(Place.objects.filter(parent=c, level=Level.GRID))
    staffed = [g for g in grids if GridStaff.objects.filter(grid=g, active=True, role="leader").exists()
               and GridStaff.objects.filter(grid=g, active=True, role="full_time").exists()]
    estates = list(Estate.objects.filter(community=c))
    return {
        "households": households, "residents": residents, "social_orgs": orgs, "facility_area": area,
        "publicity_boards": facility.publicity_boards if facility else 0,
        "disclosure_boards": facility.disclosure_boards if facility else 0,
        "facility_area_per_100_households": round(area * 100 / households, 2) if households else None,
        "social_orgs_per_10k": round(orgs * 10000 / residents, 2) if residents else None,
        "grid_coverage": (round(100 * sum(1 for e in estates if e.grid_id) / len(estates), 2) if estates
                          else (100.0 if grids else 0.0)),
        "grids_staffed_share": round(100 * len(staffed) / len(grids), 2) if grids else 0,
    }


def test_values_equal_the_reference(world):
    Facility.objects.create(community=world.comm_a, service_area_m2=120, publicity_boards=1, disclosure_boards=2)
    Organisation.objects.create(community=world.comm_a, kind="social_org", name="东虹志愿者协会")
    GridStaff.objects.create(grid=world.grid_a1, name="甲", role="leader")
    GridStaff.objects.create(grid=world.grid_a1, name="乙", role="full_time")
    Estate.objects.create(community=world.comm_a, name="无网格的小区")
    values = compute(COMPUTED)
    for c in Place.objects.filter(level=Level.COMMUNITY):
        expected = _reference(c)
        assert {m: values[m][c.pk] for m in COMPUTED} == expected, c.name
    assert values["facility_area_per_100_households"][world.comm_a.pk] == 6000.0  # 120 m² for 2 households
    assert values["grids_staffed_share"][world.comm_a.pk] == 50.0


def test_one_query_per_metric(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(len(COMPUTED) + 2):
        compute(COMPUTED)


def test_an_unknown_metric_is_refused(world):
    with pytest.raises(NotComputable, match="未知的指标数据"):
        compute(["meetings_per_fortnight"])
