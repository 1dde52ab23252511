"""Overdue visits remind and escalate (care/escalation.py): step 0 tells the paired visitor and the grid's
workers, a further number of days (locality data: Yixing 3 and 10) the community's workers, then the
street's officers (counts, no names); each step once per person and overdue spell, a second sweep tells nobody
twice, a visit starts a new spell; the sweep is periodic work the module registers."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.care import localities, pairings
from gongzhi.care.escalation import escalate_overdue_visits
from gongzhi.care.models import CareVisit, VisitAlert
from gongzhi.volunteers.models import Volunteer
from gongzhi.workorders.models import Notification
from tests.care.conftest import person
from tests.factories import household, user

TODAY = dt.date.today()


def _sweep(days: int, minutes: int = 0) -> int:
    return escalate_overdue_visits(today=TODAY + dt.timedelta(days=days),
                                   now=timezone.now() + dt.timedelta(days=days, minutes=minutes))


def _texts(u):
    return list(Notification.objects.filter(user=u, kind="care_visit").order_by("pk").values_list("text", flat=True))


@pytest.fixture
def visitor(homes, world):
    vol_person = person(household(world.grid_a1), "志愿者己", 45)
    vol = Volunteer.objects.create(resident=vol_person, community=world.comm_a, registered_on=TODAY)
    vol_user = user("vol_ji", "resident", world.grid_a1, resident=vol_person)
    pairings.pairing_start(resident=homes.alone, kind="volunteer", volunteer_id=str(vol.pk),
                           by=world.community_worker_a, starts_on=TODAY)
    return vol_user


def test_steps_are_locality_data():
    assert [s["after_days"] for s in localities.visit_escalation("320282001001")] == [0, 3, 10]  # Yixing
    assert [s["after_days"] for s in localities.visit_escalation("110101")] == [0, 7, 21]  # the defaults


def test_overdue_visits_remind_then_escalate_once_per_step(homes, world, visitor):
    gw, cw, street = world.grid_worker_a1, world.community_worker_a, world.street_officer_a
    # 孤老甲 and 爷爷丙 are weekly, registered today: due in 7 days, not overdue on the 7th
    assert _sweep(7) == 0 and not Notification.objects.exists()
    assert _sweep(8) == 2
    assert _texts(visitor) == [f"关爱走访逾期:孤老甲应于 {TODAY + dt.timedelta(days=7):%Y-%m-%d} 走访,已逾期 1 天,请尽快上门"]
    [grid_text] = _texts(gw)
    assert grid_text.startswith("2 位关爱对象走访逾期") and "孤老甲" in grid_text and "爷爷丙" in grid_text
    assert not _texts(cw) and not _texts(street)
    # the same day again, and a day later: nobody hears twice
    assert _sweep(8, minutes=5) == 0 and _sweep(9) == 0
    assert len(_texts(visitor)) == 1 and len(_texts(gw)) == 1
    # more than 3 days further: the community's workers, with names
    assert _sweep(11) == 2
    [community_text] = _texts(cw)
    assert "已升级至社区" in community_text and "孤老甲" in community_text
    assert len(_texts(gw)) == 1 and not _texts(street)
    # more than 10 days further: the street, counts per community and no names; 孙子丙 (every two weeks, due on
    # day 14) takes the reminder and the community step in the same sweep
    assert _sweep(18) == 4
    [street_text] = _texts(street)
    assert "已升级至街道督办" in street_text and f"{world.comm_a.name} 2 人" in street_text
    assert "孤老甲" not in street_text and "爷爷丙" not in street_text
    assert "孙子丙" in _texts(gw)[-1] and "孙子丙" in _texts(cw)[-1] and len(_texts(visitor)) == 1
    assert VisitAlert.objects.filter(resident=homes.alone).count() == 3
    assert not Notification.objects.filter(user=world.community_worker_b).exists()
    assert _sweep(18, minutes=5) == 0


def test_a_visit_starts_a_new_spell(homes, world, visitor):
    assert _sweep(8) == 2
    # 孤老甲 visited on day 9 (written directly: the form refuses a date in the future)
    CareVisit.objects.create(resident=homes.alone, community=world.comm_a, grid=world.grid_a1, visitor=visitor,
                             visited_on=TODAY + dt.timedelta(days=9), condition="good", notes="好")
    assert _sweep(12) == 1  # 爷爷丙 reaches the community step; 孤老甲 is not overdue now
    assert _sweep(17) == 2  # 孤老甲 is overdue again (due on day 16): a new reminder; 孙子丙's first
    assert len(_texts(visitor)) == 2
    assert VisitAlert.objects.filter(resident=homes.alone, step=0).count() == 2


def test_the_ended_pairing_hears_nothing(homes, world, visitor):
    from gongzhi.care.models import VisitorPairing
    VisitorPairing.objects.filter(visitor=visitor).update(ended_on=TODAY, end_reason="搬家")
    _sweep(8)
    assert not _texts(visitor) and _texts(world.grid_worker_a1)


def test_the_sweep_is_periodic_work_the_module_registers(homes, world):
    from gongzhi.care.tasks import visit_sweep
    from gongzhi.core import jobs
    assert ("gongzhi.care.tasks.visit_sweep", 3600.0) in jobs.default_schedule()
    assert visit_sweep.func() == 0  # nobody is overdue today
