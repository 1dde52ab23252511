"""A closed period's registry figures are read from the history's tail (asof.counts_as_of: today's rows,
corrected by the rows with a version recorded after the day) and give the same figures as the plain way —
every row's latest version before the day's end, over the whole history (core.metrics.latest_versions, the
way asof.py counted before) — and as a replay of every version in Python, on a registry whose changes
(moves, leavings, deaths, party membership, a household closed, organisations filed or closed, deletions, a
row entered again under its old id) straddle the day, with versions exactly at its last instant and at the
next day's first (issue 16)."""
import datetime as dt

import pytest

from gongzhi.core.metrics import counts, end_of, latest_versions
from gongzhi.people import services
from gongzhi.people.models import Household, Organisation, Resident, ResidentEvent
from gongzhi.standards import asof, compute
from tests.factories import household, resident

DAY = dt.date(2025, 12, 31)
DAYS = (dt.date(2025, 12, 29), dt.date(2025, 12, 30), DAY, dt.date(2026, 1, 1), dt.date(2026, 1, 2))


def _pairs(condition):
    """The (field, value) pairs of a READERS condition (an AND of equalities and one __in)."""
    for child in condition.children:
        if isinstance(child, tuple):
            yield child
        else:
            yield from _pairs(child)


def _matches(v, condition) -> bool:
    for field, want in _pairs(condition):
        if field.endswith("__in"):
            if getattr(v, field[:-4]) not in want:
                return False
        elif getattr(v, field) != want:
            return False
    return True


def _replayed(model, condition, day):
    last = {}
    for v in model.history.model.objects.order_by("history_date", "history_id"):
        if v.history_date < end_of(day):
            last[v.id] = v
    out = {}
    for v in last.values():
        if v.history_type != "-" and _matches(v, condition):
            out[v.community_id] = out.get(v.community_id, 0) + 1
    return out


def _whole_history(model, condition, ids, day):
    """The plain way: MAX(history_id) per row over every version before the day's end."""
    return counts(latest_versions(model, day).filter(condition, community_id__in=ids))


@pytest.fixture
def registry(world):
    """Changes to the world's registry, then every version of it re-dated in order of history id, evenly from
    2025-12-30 00:00 to 2026-01-01 12:00 (local), two of them at the edges of 2025-12-31's end."""
    a, b = world.comm_a, world.comm_b
    admin = world.admin
    hh = household(world.grid_a1)
    people = [resident(hh, name=n, relation="02" if i == 0 else "10") for i, n in enumerate("赵钱孙李周吴郑")]
    services.resident_update(resident=people[1], version=people[1].version, by=admin, party_member=True)
    moved = Resident.objects.get(pk=people[2].pk)
    services.resident_move_household(resident=moved, version=moved.version, household=world.hh_b1, relation="10",
                                     moved_on=dt.date(2025, 12, 30), by=admin)
    gone = Resident.objects.get(pk=people[3].pk)
    services.resident_move_out(resident=gone, version=gone.version, moved_on=dt.date(2025, 12, 31),
                               destination="外省", by=admin)
    dead = Resident.objects.get(pk=people[4].pk)
    services.resident_record_death(resident=dead, version=dead.version, died_on=dt.date(2026, 1, 1), by=admin)
    services.resident_update(resident=world.res_a1, version=Resident.objects.get(pk=world.res_a1.pk).version,
                             by=admin, phone="13900000000")  # a version that changes nothing counted
    ResidentEvent.objects.filter(resident_id=people[5].pk).delete()
    Resident.objects.get(pk=people[5].pk).delete()  # entered by mistake
    late = resident(household(world.grid_b1), name="新来")  # registered after the day
    services.resident_update(resident=late, version=late.version, by=admin, party_member=True)
    closing = household(world.grid_a2)
    closing.status = "closed"
    closing.save()
    closed = Organisation.objects.create(community=b, kind="social_org", name="舞蹈队", volunteer_team=True)
    filed = Organisation.objects.create(community=a, kind="social_org", name="书画社", registration="none")
    filed.registration = "filed"
    filed.save()
    wrong = Organisation.objects.create(community=a, kind="social_org", name="误建")
    wrong_id = wrong.pk
    wrong.delete()
    # entered again under its old id: a creation ("+") after a deletion, in the other community
    Organisation.objects.create(id=wrong_id, community=b, kind="social_org", name="复建", registration="filed")
    closed.active = False  # the organisations' last version: after the day
    closed.save()
    start = dt.datetime(2025, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    edge = end_of(DAY)
    for model in (Household, Resident, Organisation):
        history = model.history.model
        ids = list(history.objects.order_by("history_id").values_list("history_id", flat=True))
        step = dt.timedelta(hours=60) / len(ids)  # 2025-12-30 00:00 … 2026-01-01 12:00 (local)
        for k, pk in enumerate(ids):
            history.objects.filter(pk=pk).update(history_date=start + step * k)
        # the versions on either side of the day's end land exactly on its edges
        around = list(history.objects.filter(history_date__gte=edge - step, history_date__lt=edge + step)
                      .order_by("history_id").values_list("history_id", flat=True))
        history.objects.filter(pk=around[0]).update(history_date=edge - dt.timedelta(microseconds=1))
        history.objects.filter(pk=around[1]).update(history_date=edge)
    return world


@pytest.mark.parametrize("name", list(asof.READERS))
def test_the_tail_gives_the_whole_history_s_figures(registry, name):
    model, condition = asof.READERS[name]
    ids = [registry.comm_a.id, registry.comm_b.id]
    changed = 0
    for day in DAYS:
        got = {c: n for c, n in asof.counts_as_of(model, condition, ids, day).items() if n}
        assert got == _whole_history(model, condition, ids, day), (name, day)
        assert got == _replayed(model, condition, day), (name, day)
        changed += got != {c: n for c, n in counts(model.objects.filter(condition, community_id__in=ids)).items() if n}
    assert changed, f"{name}: the history never differs from today — the test would prove nothing"


def test_a_run_reads_the_same_figures_as_before(registry):
    """The engine's figures for a closed year: every reader, from the history, equal to the plain way."""
    c = compute.computer(registry_as_of=DAY, year=2025)
    ids = c.ids
    for name, (model, condition) in asof.READERS.items():
        plain = _whole_history(model, condition, ids, DAY)
        assert {k: v for k, v in c.get(name).items() if v} == plain, name
        assert c.registry[name] == asof.FROM_HISTORY
