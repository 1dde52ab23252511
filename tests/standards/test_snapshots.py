"""The registry's figures kept when a period closes (standards/snapshots.py, issue 16): taken once after the
day's end, they are what that period's runs read — the same figures as the history gives, whatever the
registry does afterwards; figures that only today's registry can give are kept only when taken on time; a run
over a community the snapshot lacks reads the history; the run page says which."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.metrics import end_of
from gongzhi.places.models import Level, Place
from gongzhi.standards import asof, assess, closing, compute, snapshots
from gongzhi.standards.models import RegistrySnapshot, SnapshotFigure
from tests.factories import household, resident
from tests.standards.test_asof_tail import DAY, _replayed, registry  # noqa: F401 (the fixture)

LATE = timezone.make_aware(dt.datetime(2026, 11, 30, 9, 0))


def _history_run():
    c = compute.computer(registry_as_of=DAY, year=2025)
    return c, {name: c.get(name) for name in asof.READERS}


def test_before_the_day_ends_nothing_is_taken(world):
    with pytest.raises(ValueError, match="尚未结束"):
        closing.take(DAY, now=end_of(DAY) - dt.timedelta(seconds=1))
    assert not RegistrySnapshot.objects.exists()


def test_a_late_snapshot_keeps_the_history_s_figures_and_the_period_s_runs_read_them(registry):  # noqa: F811
    _, from_history = _history_run()
    snap = closing.take(DAY, now=LATE)
    assert not snap.on_time and snap.figures == len(set(
        SnapshotFigure.objects.filter(snapshot=snap).values_list("metric", flat=True)))
    kept = dict(SnapshotFigure.objects.filter(snapshot=snap).values_list("metric", "source").distinct())
    assert set(asof.READERS) <= set(kept) and set(kept.values()) == {asof.FROM_HISTORY}
    assert snap.left_out, "figures from today's registry, taken late, must be left out"
    assert not set(snap.left_out) & set(kept)
    # the registry moves on: the kept figures do not
    resident(household(registry.grid_a1), name="今年新来")
    c = compute.computer(registry_as_of=DAY, year=2025)
    for name in asof.READERS:
        assert c.get(name) == from_history[name], name
        assert all(type(v) is type(from_history[name][k]) for k, v in c.get(name).items()), name  # 12, not 12.0
        assert c.registry[name] == snapshots.FROM_SNAPSHOT
    model, condition = asof.READERS["residents"]
    assert {k: v for k, v in c.get("residents").items() if v} == _replayed(model, condition, DAY)
    # taken once: a second take hands back the first
    assert closing.take(DAY, now=LATE + dt.timedelta(days=1)).pk == snap.pk
    assert RegistrySnapshot.objects.count() == 1


def test_an_on_time_snapshot_keeps_today_s_figures_too(world):
    snap = closing.take(DAY, now=end_of(DAY) + dt.timedelta(hours=1))
    assert snap.on_time and not snap.left_out
    sources = set(SnapshotFigure.objects.filter(snapshot=snap).values_list("source", flat=True))
    assert asof.FROM_TODAY in sources  # the demo's history does not reach the day: as it stood, on time
    assert snap.figures == len(closing.figures()) or snap.figures > len(asof.READERS)


def test_a_snapshot_lacking_a_community_of_the_run_is_not_read(registry):  # noqa: F811
    closing.take(DAY, now=LATE)
    Place.objects.create(code=registry.comm_a.code + "9", name="新设社区", level=Level.COMMUNITY,
                         parent=registry.comm_a.parent)
    c = compute.computer(registry_as_of=DAY, year=2025)
    c.get("residents")
    assert c.registry["residents"] == asof.FROM_HISTORY


def test_another_year_or_day_does_not_read_the_snapshot(registry):  # noqa: F811
    closing.take(DAY, now=LATE)
    c = compute.computer(registry_as_of=DAY, year=2026)
    assert snapshots.read("residents", c, DAY) is None
    c = compute.computer(registry_as_of=dt.date(2025, 12, 30), year=2025)
    c.get("residents")
    assert c.registry["residents"] == asof.FROM_HISTORY


def test_the_close_sweep_takes_the_last_period_once(registry):  # noqa: F811
    assert closing.close_sweep(today=dt.date(2026, 1, 1)) >= len(asof.READERS)
    assert closing.close_sweep(today=dt.date(2026, 1, 1)) is None
    assert list(RegistrySnapshot.objects.values_list("day", flat=True)) == [DAY]


def test_the_run_page_says_the_figures_came_from_the_snapshot(registry):  # noqa: F811
    closing.take(DAY, now=LATE)
    c = compute.computer(registry_as_of=DAY, year=2025)
    for name in asof.READERS:
        c.get(name)
    note = assess.registry_note(DAY, c.registry)
    assert note["snapshot"] == list(asof.READERS)
    assert f"{len(asof.READERS)} 项登记数据按 2025-12-31 期末留存的数计" in note["text"]
    assert "2026-11-30 09:00 留存" in note["text"]


def test_the_command_catches_up_a_closed_period_and_refuses_a_bad_day(registry, capsys):  # noqa: F811
    from django.core.management import CommandError, call_command
    with pytest.raises(CommandError, match="不是 YYYY-MM-DD"):
        call_command("registry_snapshot", day="2025-13-01")
    with pytest.raises(CommandError, match="尚未结束"):
        call_command("registry_snapshot", day=(timezone.localdate() + dt.timedelta(days=1)).isoformat())
    call_command("registry_snapshot", day="2025-12-31")
    assert "事后按登记历史留存" in capsys.readouterr().out
    assert RegistrySnapshot.objects.get().day == DAY


def test_a_late_snapshot_keeps_the_circle_figures_over_elders_read_from_the_history(world):
    """P-CARE-3's elders come from the history; the circle's figures over them are kept late too (the stations,
    like every facility, as they stand), so a closed period's Yixing run does not pay the residents' tail again."""
    from gongzhi.people.models import Resident
    Resident.history.model.objects.update(history_date=end_of(dt.date(2025, 6, 30)))  # the history reaches the day
    snap = closing.take(DAY, now=LATE)
    kept = set(SnapshotFigure.objects.filter(snapshot=snap).values_list("metric", flat=True))
    assert {"care_elders", "care_elders_within_circle", "care_circle_coverage"} <= kept
    assert "care_stations_online" in snap.left_out  # stations only: today's, not kept late
