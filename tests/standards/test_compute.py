"""Metric values computed by the database for all communities at once equal a
plain per-community reference computation (tests/standards/reference.py)."""
import datetime as dt

import pytest

from gongzhi.ledgers.models import Activity, Disclosure, Election, Meeting, Training, Volunteer, Worker
from gongzhi.people.models import Organisation
from gongzhi.places.models import Estate, Facility, GridStaff, Level, Place
from gongzhi.standards import surveys
from gongzhi.standards.compute import NotComputable, compute
from gongzhi.standards.metrics import METRICS
from tests.standards.reference import reference

YEAR = 2025
AS_OF = dt.date(2025, 12, 31)
WORK_ORDER_METRICS = {"work_order_closure_rate", "work_order_on_time_rate", "work_order_satisfaction_rate"}


@pytest.fixture
def books(world):
    """Ledgers, facilities and surveys that make every metric non-trivial in community A."""
    a = world.comm_a
    Facility.objects.create(community=a, service_area_m2=120, station_area_m2=300, activity_area_m2=210,
                            rooms=["service_hall", "culture_sports", "police", "clinic", "elderly_care"],
                            publicity_boards=1, disclosure_boards=2)
    Facility.objects.create(community=world.comm_b, service_area_m2=50)  # station 0: no share
    Organisation.objects.create(community=a, kind="social_org", name="东虹志愿服务队", volunteer_team=True)
    Organisation.objects.create(community=a, kind="social_org", name="停办的协会", active=False)
    GridStaff.objects.create(grid=world.grid_a1, name="甲", role="leader")
    GridStaff.objects.create(grid=world.grid_a1, name="乙", role="full_time")
    Estate.objects.create(community=a, name="无网格的小区")
    director = Worker.objects.create(community=a, name="主任", committee_post="director", party_post="secretary",
                                     certificate="social_worker")
    member = Worker.objects.create(community=a, name="委员", committee_post="member", full_time=False)
    Worker.objects.create(community=a, name="专职", certificate="assistant")
    Worker.objects.create(community=a, name="离任", committee_post="member", left_on=dt.date(2024, 1, 1))
    Worker.objects.create(community=a, name="副书记", party_post="deputy_secretary")
    Training.objects.create(worker=director, community=a, held_on=dt.date(2025, 3, 1), days=4, title="轮训")
    Training.objects.create(worker=director, community=a, held_on=dt.date(2025, 9, 1), days=3.5, title="轮训")
    Training.objects.create(worker=director, community=a, held_on=dt.date(2024, 9, 1), days=9, title="去年")
    Training.objects.create(worker=member, community=a, held_on=dt.date(2025, 5, 1), days=2, title="培训")
    Training.objects.create(worker=member, community=a, held_on=dt.date(2025, 6, 1), days=5, title="作废",
                            voided="录错")
    for month, kind in [(1, "residents"), (12, "representatives"), (6, "deliberation"), (7, "hearing")]:
        Meeting.objects.create(community=a, kind=kind, held_on=dt.date(2025, month, 5), title="会议")
    Meeting.objects.create(community=a, kind="residents", held_on=dt.date(2025, 3, 5), title="作废", voided="重复")
    for month in (2, 3, 8):
        Disclosure.objects.create(community=a, kind="finance", published_on=dt.date(2025, month, 1), title="公开")
    Disclosure.objects.create(community=world.comm_b, kind="plan", published_on=dt.date(2024, 12, 20), title="旧")
    Activity.objects.create(community=a, kind="volunteer", held_on=dt.date(2025, 4, 1), title="义剪")
    Activity.objects.create(community=a, kind="mutual_aid", held_on=dt.date(2024, 4, 1), title="去年")
    Election.objects.create(community=a, held_on=dt.date(2021, 5, 1), method="representative")
    Election.objects.create(community=a, held_on=dt.date(2024, 5, 1), method="direct")
    Election.objects.create(community=world.comm_b, held_on=dt.date(2024, 5, 1), method="household")
    Volunteer.objects.create(community=a, resident=world.res_a1, registered_on=dt.date(2024, 1, 1))
    world.res_a1.party_member = True
    world.res_a1.save()
    survey = surveys.survey_create(place=world.district, title="满意度", kind="satisfaction",
                                   questions=["一", "二"], opens_on=dt.date(2025, 1, 1), closes_on=dt.date(2025, 12, 31),
                                   by=world.admin)
    survey.state = "open"
    survey.save()
    when = dt.datetime(2025, 6, 1, 10, tzinfo=dt.timezone.utc)
    from django.utils import timezone
    from unittest import mock
    with mock.patch.object(timezone, "localdate", return_value=dt.date(2025, 6, 1)):
        surveys.survey_answer(survey=survey, resident=world.res_a1, answers=[4, 3], now=when)
        surveys.survey_answer(survey=survey, resident=world.res_a2, answers=[1, 4], now=when)
        surveys.survey_answer(survey=survey, resident=world.res_b1, answers=[5, 5], now=when)
    return world


def test_every_metric_equals_the_reference(books):
    # the modules the reference covers (projects, elections … test theirs in their own modules)
    covered = ("places", "people", "ledgers", "standards")
    names = [m for m in METRICS if METRICS[m].level == "community" and m not in WORK_ORDER_METRICS
             and METRICS[m].compute.__module__.split(".")[1] in covered]
    values = compute(names, year=YEAR, as_of=AS_OF)
    for c in Place.objects.filter(level=Level.COMMUNITY):
        expected = reference(c, year=YEAR, as_of=AS_OF)
        got = {m: values[m][c.pk] for m in names}
        assert got == {m: expected[m] for m in names}, c.name
    a = books.comm_a.pk
    # spot checks that say what the definitions mean
    assert values["leader_training_days"][a] == 7.5  # this year only, voided left out
    assert values["member_training_days"][a] == 0  # the deputy secretary had no training
    assert values["residents_meetings_per_year"][a] == 2  # residents' + representatives' meetings
    assert values["disclosure_quarters"][a] == 2 and values["disclosure_age_days"][a] == 152
    assert values["committee_directly_elected"][a] == 100.0
    assert values["satisfaction_rate"][a] == 50.0  # means 3.5 (positive) and 2.5 (not)
    assert values["cross_holding_share"][a] == 50.0  # secretary also director; deputy secretary not


def test_one_query_per_metric(books, django_assert_max_num_queries):
    names = [m for m in METRICS if METRICS[m].level == "community"]
    with django_assert_max_num_queries(len(names) + 5):
        compute(names, year=YEAR, as_of=AS_OF)


def test_street_metric_is_keyed_by_street(books):
    Facility.objects.create(community=books.street_a, service_area_m2=2500)
    assert compute(["street_centre_area"])["street_centre_area"] == {books.street_a.pk: 2500.0}


def test_an_unknown_metric_is_refused(world):
    with pytest.raises(NotComputable, match="未知的指标数据"):
        compute(["meetings_per_fortnight"])
