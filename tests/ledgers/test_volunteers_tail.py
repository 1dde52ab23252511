"""A closed period's registered volunteers are counted from the volunteers' and the residents' history tails
(ledgers.metrics._volunteers_as_of: today's rows corrected by the rows with a version after the day) and give
the same figures as the old way — each row's latest version over the whole history (core.metrics
latest_versions) — on a small history straddling the day: a volunteer who left, one who moved community, one
deleted, one registered later, residents who moved out before and after the day (issue 16)."""
import datetime as dt

import pytest

from gongzhi.core.metrics import counts, latest_versions
from gongzhi.ledgers.models import Volunteer
from gongzhi.people import services
from gongzhi.people.models import PersonStatus, Resident
from gongzhi.standards import compute
from tests.factories import household, resident

DAY = dt.date(2025, 12, 31)
DAYS = (dt.date(2025, 12, 29), dt.date(2025, 12, 30), DAY, dt.date(2026, 1, 1), dt.date(2026, 1, 2))


def _old_way(ctx, day):
    """ledgers.metrics.volunteer_rows as it was: MAX(history_id) per row over every version."""
    registered = dict(registered_on__lte=day)
    active_then = latest_versions(Resident, day).filter(status=PersonStatus.ACTIVE).values("id")
    rows = latest_versions(Volunteer, day).filter(ctx.scope, resident_id__in=active_then, **registered)
    return counts(rows.exclude(left_on__lte=day))


@pytest.fixture
def volunteers(world):
    admin = world.admin
    hh = household(world.grid_a1)
    people = [resident(hh, name=n, relation="02" if i == 0 else "10") for i, n in enumerate("赵钱孙李周吴郑王")]
    rows = [Volunteer.objects.create(community=world.comm_a, resident=r, registered_on=dt.date(2024, 5, 1))
            for r in people[:6]]
    gone = Resident.objects.get(pk=people[1].pk)
    services.resident_move_out(resident=gone, version=gone.version, moved_on=dt.date(2025, 12, 31),
                               destination="外省", by=admin)
    rows[0].left_on = dt.date(2026, 1, 1)
    rows[0].save()
    rows[2].community = world.comm_b
    rows[2].save()
    rows[3].delete()
    dead = Resident.objects.get(pk=people[4].pk)
    services.resident_record_death(resident=dead, version=dead.version, died_on=dt.date(2026, 1, 1), by=admin)
    Volunteer.objects.create(community=world.comm_a, resident=people[6], registered_on=dt.date(2025, 6, 1))
    Volunteer.objects.create(community=world.comm_b, resident=people[7], registered_on=dt.date(2026, 1, 1))
    rows[5].left_on = dt.date(2025, 12, 31)  # left on the day itself: not counted then
    rows[5].save()
    start = dt.datetime(2025, 12, 29, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for model in (Resident, Volunteer):
        history = model.history.model
        ids = list(history.objects.order_by("history_id").values_list("history_id", flat=True))
        step = dt.timedelta(hours=96) / len(ids)  # 2025-12-29 00:00 … 2026-01-02 00:00 (local)
        for k, pk in enumerate(ids):
            history.objects.filter(pk=pk).update(history_date=start + step * k)
    return world


def test_the_tails_give_the_whole_history_s_figures(volunteers):
    changed = 0
    for day in DAYS:
        c = compute.computer(registry_as_of=day, year=day.year)
        got = {cid: n for cid, n in c.get("registered_volunteers").items() if n}
        assert got == _old_way(c, day), day
        assert c.registry["volunteers"] == "history"
        today = compute.computer(year=day.year)
        changed += got != {cid: n for cid, n in today.get("registered_volunteers").items() if n}
    assert changed, "the history never differs from today: the test would prove nothing"
