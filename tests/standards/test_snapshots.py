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


def _reaching_world(world):
    """The world with a worker and a roster volunteer, every history re-dated to mid-2025: each figure that can
    be read as of 2025-12-31 from a history is."""
    from gongzhi.ledgers.models import Volunteer, Worker
    from gongzhi.people.models import Household, Organisation, Resident
    Worker.objects.create(community=world.comm_a, name="张", committee_post="director", since=dt.date(2020, 1, 1))
    Volunteer.objects.create(community=world.comm_a, resident=world.res_a1, registered_on=dt.date(2024, 5, 1))
    for model in (Worker, Volunteer, Resident, Household, Organisation):
        model.history.model.objects.update(history_date=end_of(dt.date(2025, 6, 30)))


def test_every_metric_declares_the_histories_a_closed_period_s_run_reads_it_from(world):
    """Metric.history is what a late snapshot computes and keeps: each registry figure, computed alone in a closed
    period's run, notes exactly those entries, and one of them says "history" (else it declares none)."""
    from gongzhi.standards.metrics import METRICS
    _reaching_world(world)
    wrong = {}
    for name in closing.figures():
        c = compute.computer(registry_as_of=DAY, year=2025)
        c.get(name)
        noted = set(c.registry) if asof.FROM_HISTORY in c.registry.values() else set()
        if set(METRICS[name].history) != noted:
            wrong[name] = (METRICS[name].history, dict(c.registry))
    assert not wrong
    assert {"households", "committee_members", "registered_volunteers", "care_circle_coverage",
            "households_per_committee_member"} <= {n for n in closing.figures() if METRICS[n].history}


def test_a_late_snapshot_computes_only_the_history_s_figures_and_keeps_the_ledgers_too(world, monkeypatch):
    import dataclasses

    from gongzhi.standards.metrics import METRICS
    _reaching_world(world)

    def not_late(ctx):
        raise AssertionError("a late snapshot computed a figure it cannot keep")
    # a kept ratio reads its parts (the facilities' area of the area per 100 households): those may be computed
    parts = {p for m in METRICS.values() if m.history and m.ratio for p in (m.ratio.numerator, m.ratio.denominator)}
    patched = {name: m if m.history or name in parts or name not in closing.figures()
               else dataclasses.replace(m, compute=not_late) for name, m in METRICS.items()}
    monkeypatch.setattr(METRICS, "_current", lambda: patched)
    snap = closing.take(DAY, now=LATE)
    kept = dict(SnapshotFigure.objects.filter(snapshot=snap).values_list("metric", "source").distinct())
    assert {"committee_members", "posts_one_shoulder", "registered_volunteers", "volunteer_registration_rate",
            "households_per_committee_member", "care_elders"} <= set(kept)
    assert set(kept.values()) == {asof.FROM_HISTORY}
    # the roster of the volunteers' service records keeps no history: its rate is read at each run
    assert "volunteers_registered_rate" in snap.left_out and "care_on_visit_lists" in snap.left_out
    c = compute.computer(registry_as_of=DAY, year=2025)
    assert c.get("committee_members")[world.comm_a.id] == 1 and c.registry["committee_members"] == "snapshot"


def test_the_roster_s_volunteers_of_a_closed_period_count_by_their_dates(world):
    from gongzhi.volunteers.models import Volunteer
    from tests.factories import resident as person
    late = person(household(world.grid_a1), name="新志愿者")
    gone = person(household(world.grid_a1), name="已退出")
    Volunteer.objects.create(community=world.comm_a, resident=world.res_a1, registered_on=dt.date(2024, 5, 1))
    Volunteer.objects.create(community=world.comm_a, resident=late, registered_on=dt.date(2026, 2, 1))
    Volunteer.objects.create(community=world.comm_a, resident=person(household(world.grid_a1), name="又一位"),
                             registered_on=dt.date(2026, 1, 1))
    Volunteer.objects.create(community=world.comm_a, resident=gone, registered_on=dt.date(2024, 5, 1),
                             left_on=dt.date(2026, 3, 1))
    assert compute.computer().get("volunteers_registered")[world.comm_a.id] == 3
    c = compute.computer(registry_as_of=DAY, year=2025)
    assert c.get("volunteers_registered")[world.comm_a.id] == 2  # not the two of 2026; the one gone since
    assert c.registry["volunteer_roster"] == "today"
    assert "志愿服务记录的志愿者名册没有历史,按注册、退出日期计在册志愿者" in assess.registry_note(DAY, c.registry)["text"]
