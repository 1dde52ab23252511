"""A closed period's run reads P-CARE-3's elders as they stood at its end (issue 16): active residents of
households active then, 60 or over on the day, per grid — today's count corrected from the residents' and
the households' history tails (standards.asof.elder_corrections), equal to a replay of every version in
Python. Elders who moved out, died, moved grid or were entered after the day, a household closed after it
(its elder unchanged: only the household's history knows), a deleted elder. The care groups derived on read
(left-behind, disabled, visit lists) stay today's and the run says so."""
import datetime as dt

import pytest

from gongzhi.care import stations
from gongzhi.care.groups import ELDER_AGE, years_before
from gongzhi.core.metrics import end_of
from gongzhi.people import services
from gongzhi.people.models import Household, Resident, ResidentEvent
from gongzhi.places.models import Place
from gongzhi.standards import asof, compute
from gongzhi.standards.assess import registry_note
from tests.factories import household, id_number, resident

DAY = dt.date(2025, 12, 31)
DAYS = (dt.date(2025, 12, 30), DAY, dt.date(2026, 1, 1))
OLD, YOUNG = dt.date(1950, 3, 1), dt.date(1990, 3, 1)


def _elder(hh, name, born=OLD, relation="10"):
    return resident(hh, name=name, relation=relation, id_number=id_number(born))


def _redate(models=(Household, Resident)):
    """Every version re-dated in order of history id, evenly from 2025-12-30 00:00 to 2026-01-01 12:00 (local)."""
    start = dt.datetime(2025, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    for model in models:
        history = model.history.model
        ids = list(history.objects.order_by("history_id").values_list("history_id", flat=True))
        step = dt.timedelta(hours=60) / len(ids)
        for k, pk in enumerate(ids):
            history.objects.filter(pk=pk).update(history_date=start + step * k)


@pytest.fixture
def elders(world):
    admin = world.admin
    hh = household(world.grid_a1)
    people = [_elder(hh, n, relation="02" if i == 0 else "10") for i, n in enumerate("赵钱孙李周")]
    _elder(hh, "吴", born=YOUNG)
    alone = household(world.grid_a2)
    _elder(alone, "郑", relation="02")  # their household is closed after the day; they are not changed
    elsewhere = household(world.grid_a2)
    gone = Resident.objects.get(pk=people[1].pk)
    services.resident_move_out(resident=gone, version=gone.version, moved_on=dt.date(2025, 12, 31),
                               destination="外省", by=admin)
    dead = Resident.objects.get(pk=people[2].pk)
    services.resident_record_death(resident=dead, version=dead.version, died_on=dt.date(2026, 1, 1), by=admin)
    moved = Resident.objects.get(pk=people[3].pk)
    services.resident_move_household(resident=moved, version=moved.version, household=elsewhere, relation="10",
                                     moved_on=dt.date(2025, 12, 30), by=admin)
    ResidentEvent.objects.filter(resident_id=people[4].pk).delete()
    Resident.objects.get(pk=people[4].pk).delete()
    late = household(world.grid_b1)
    _elder(late, "新来", relation="02")  # registered after the day
    alone.status = "closed"
    alone.save()
    _redate()
    return world


def _replayed_elders(day):
    """{grid id: elders at the end of `day`}: every version of households and residents replayed in Python."""
    end = end_of(day)

    def last(model):
        out = {}
        for v in model.history.model.objects.order_by("history_date", "history_id"):
            if v.history_date < end:
                out[v.id] = v
        return {k: v for k, v in out.items() if v.history_type != "-"}

    households = {k for k, v in last(Household).items() if v.status == "active"}
    born_by = years_before(day, ELDER_AGE)
    out = {}
    for v in last(Resident).values():
        if v.status == "active" and v.household_id in households and v.birth_date and v.birth_date <= born_by:
            out[v.grid_id] = out.get(v.grid_id, 0) + 1
    return out


def _per_community(per_grid):
    parents = dict(Place.objects.filter(pk__in=list(per_grid)).values_list("pk", "parent_id"))
    out = {}
    for gid, n in per_grid.items():
        out[parents[gid]] = out.get(parents[gid], 0) + n
    return out


@pytest.mark.parametrize("day", DAYS)
def test_care_elders_are_read_as_they_stood(elders, day):
    c = compute.computer(registry_as_of=day, as_of=day, year=day.year)
    want = _per_community(_replayed_elders(day))
    got = {cid: n for cid, n in c.get("care_elders").items() if n}
    assert got == want
    assert c.registry["care_elders"] == asof.FROM_HISTORY
    # the circle's figures divide those elders: from the history too (the stations as they stand, like facilities)
    assert c.registry["care_elders_within_circle"] == c.registry["care_circle_coverage"] == asof.FROM_HISTORY
    today = compute.computer(as_of=day, year=day.year)  # today's registry, ages on the same day
    if day == DAY:
        assert {cid: n for cid, n in today.get("care_elders").items() if n} != want, "the test would prove nothing"


def test_per_grid_and_the_coverage_figures(elders):
    c = compute.computer(registry_as_of=DAY, as_of=DAY, year=2025)
    fixes = asof.elder_corrections(c, DAY)
    rows = stations.grid_coverage(list(c.communities), DAY, fixes)
    assert {r["grid"].pk: r["elders"] for r in rows if r["elders"]} == _replayed_elders(DAY)
    # the circle's figures divide by the same elders (no station: nobody inside)
    assert c.get("care_elders_within_circle") == dict.fromkeys(c.ids, 0)
    elders_then = c.get("care_elders")
    assert {cid: v for cid, v in c.get("care_circle_coverage").items() if v is not None} == \
        {cid: 0.0 for cid, n in elders_then.items() if n}


def test_the_shared_pass_keeps_residents_and_party_members(elders):
    """Residents are corrected in the same pass as the elders (grouped by grid too): still the replay's."""
    c = compute.computer(registry_as_of=DAY, year=2025)
    end = end_of(DAY)
    last = {}
    for v in Resident.history.model.objects.order_by("history_date", "history_id"):
        if v.history_date < end:
            last[v.id] = v
    want = {}
    for v in last.values():
        if v.history_type != "-" and v.status == "active":
            want[v.community_id] = want.get(v.community_id, 0) + 1
    assert {k: v for k, v in c.get("residents").items() if v} == want
    c.get("care_elders")
    assert c.registry["residents"] == c.registry["care_elders"] == asof.FROM_HISTORY


def test_elders_are_today_s_where_the_history_does_not_reach(elders):
    day = dt.date(2024, 12, 31)
    c = compute.computer(registry_as_of=day, as_of=day, year=2024)
    today = compute.computer(as_of=day, year=2024)
    assert c.get("care_elders") == today.get("care_elders")
    assert c.registry["care_elders"] == asof.FROM_TODAY


def test_derived_care_groups_are_noted_as_today_s(elders):
    c = compute.computer(registry_as_of=DAY, as_of=DAY, year=2025)
    for name in ("care_left_behind", "care_disabled", "care_on_visit_lists", "care_visits_not_overdue",
                 "care_disabled_enrolled", "care_disabled_enrolled_share", "care_elders"):
        c.get(name)
    for name in ("care_left_behind", "care_disabled", "care_on_visit_lists", "care_visits_not_overdue",
                 "care_disabled_enrolled", "care_disabled_enrolled_share"):
        assert c.registry[name] == asof.FROM_TODAY, name
    note = registry_note(DAY, c.registry)
    assert "留守儿童和留守老人" in note["text"] and "关爱走访对象" in note["text"] and "由评估当日的登记推算" in note["text"]
    assert "60 岁以上老人按登记历史还原" in note["text"] or "60 岁以上老人" in "、".join(note["history"])
    # today's run notes nothing
    today = compute.computer(as_of=DAY, year=2025)
    today.get("care_left_behind")
    assert today.registry == {}
