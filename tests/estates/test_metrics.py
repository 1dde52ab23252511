"""P-PROP-1..3 figures: registered for the standards engine, computed per community from the records."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.metrics import REGISTERED, Figures
from gongzhi.estates import committees, evaluations, services
from gongzhi.estates.models import ManagementMode
from gongzhi.places.models import Place
from tests import factories as f
from tests.estates.helpers import contract, estate_of, firm_and_manager

pytestmark = pytest.mark.django_db


def test_property_metrics(world):
    today = timezone.localdate()
    estate_a = estate_of(world.hh_a1)
    estate_b = estate_of(world.hh_b1)
    firm, manager = firm_and_manager()
    contract(world, estate_a, firm, manager, start=dt.date(today.year - 1, 1, 1))
    profile = services.profile_of(estate_b)
    services.profile_set(estate=estate_b, version=profile.version, by=world.community_worker_b,
                         mode=ManagementMode.NONE, old_estate=True)
    c = committees.committee_create(estate=estate_a, elected_on=today - dt.timedelta(days=5),
                                    term_ends=today + dt.timedelta(days=900), by=world.community_worker_a)
    for i in range(5):
        committees.member_add(committee=c, resident=f.resident(f.household(world.grid_a1), f"委员{i}"), post="member")
    committees.committee_file(committee_id=c.pk, version=c.version, filing_no="备1", filed_on=today,
                              by=world.street_officer_a)
    m = committees.meeting_call(estate=estate_a, kind="four_party", title="协调", starts_at=timezone.now(),
                                party_rep="a", committee_rep="b", owners_rep="c", firm_rep="d", issues="x",
                                by=world.community_worker_a)
    committees.meeting_record(meeting_id=m.pk, version=m.version, by=world.community_worker_a, held_on=today,
                              attendance=6, minutes="m", decisions={m.issues.get().pk: ("d", "firm", None)})
    ev = evaluations.evaluation_open(estate=estate_a, year=today.year, by=world.community_worker_a)
    evaluations.evaluation_answer(evaluation=ev, resident=world.res_a1, answers=[5, 5, 5, 5, 5])
    evaluations.evaluation_answer(evaluation=ev, resident=world.res_a2 if estate_of(world.hh_a2) == estate_a
                                  else f.resident(f.household(world.grid_a1), "住户"), answers=[1, 1, 1, 1, 1])
    for name in ("four_party_meetings", "property_rating_rate", "old_estates_managed_rate", "owners_committee_rate"):
        assert name in REGISTERED
    figures = Figures(Place.objects.filter(pk__in=[world.comm_a.pk, world.comm_b.pk]), year=today.year)
    a, b = world.comm_a.pk, world.comm_b.pk
    assert figures.get("four_party_meetings")[a] == 1 and figures.get("four_party_meetings")[b] == 0
    assert figures.get("estates_with_owners_committee")[a] == 1
    assert figures.get("owners_committee_rate")[a] == 100.0
    assert figures.get("property_ratings")[a] == 2 and figures.get("property_rating_rate")[a] == 50.0
    assert figures.get("old_estates")[b] == 1 and figures.get("old_estates_unmanaged")[b] == 1
    assert figures.get("old_estates_managed_rate")[b] == 0.0
    assert figures.get("old_estates_managed_rate")[a] is None
