"""Service desks: hours and their bad input, the day's sessions over the national calendar, the rota
(one slot, posts, gaps), swaps and their history, fair filling, windows, and the figures."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.metrics import Figures
from gongzhi.desks import selectors, services
from gongzhi.desks.models import Day, Duty, Session, StationWindow, Swap
from gongzhi.places.models import Place
from gongzhi.workorders.models import CalendarDay

T = dt.time.fromisoformat
MONDAY = dt.date(2030, 9, 2)  # a Monday far from the seeded calendar's years
WEEKDAY_HOURS = [(d, "08:30", "12:00", 1) for d in range(5)] + [(d, "13:30", "17:30", 1) for d in range(5)] + \
    [(Day.TUE, "17:30", "20:00", 1), (Day.SAT, "09:00", "12:00", 1), (Day.HOLIDAY, "09:00", "11:30", 1)]


def _worker(username, place, name, role=Role.COMMUNITY):
    user = User.objects.create_user(username=username, password="x", display_name=name)
    RoleAssignment.objects.create(user=user, role=role, place=place)
    return user


@pytest.fixture
def desk(world):
    station = services.station_for(world.comm_a)
    services.set_hours(station=station, rows=WEEKDAY_HOURS, by=world.community_worker_a)
    world.station = station
    world.cw_a2 = _worker("cw_a2", world.comm_a, "赵六")
    return world


def _snapshot(station):
    return (list(Session.objects.filter(station=station).values_list("day", "start", "end", "needed")),
            list(Duty.objects.filter(station=station).values_list("date", "start", "user_id")),
            Swap.objects.count())


# -- hours ------------------------------------------------------------------------------------
def test_hours_are_kept_and_staggered_sessions_known(desk):
    sessions = list(Session.objects.filter(station=desk.station))
    assert len(sessions) == 13
    staggered = {(s.day, s.start) for s in sessions if s.staggered}
    assert staggered == {(Day.TUE, T("17:30")), (Day.SAT, T("09:00"))}
    assert [s for s in sessions if s.holiday][0].start == T("09:00")


@pytest.mark.parametrize("rows, message", [
    ([(0, "17:00", "09:00", 1)], "第 1 行:星期一 17:00—09:00 的结束时间须晚于开始时间"),
    ([(0, "09:00", "09:00", 1)], "结束时间须晚于开始时间"),
    ([(0, "08:30", "12:00", 1), (0, "11:00", "14:00", 1)], "星期一的 08:30—12:00 与 11:00—14:00 两个时段重叠"),
    ([(9, "08:30", "12:00", 1)], "第 1 行:请选择星期几或法定节假日"),
    ([("周一", "08:30", "12:00", 1)], "请选择星期几或法定节假日"),
    ([(0, "8点半", "12:00", 1)], "第 1 行:请填写开始和结束时间"),
    ([(0, "08:30", "12:00", 0)], "每个时段的值班人数须为 1—9 人"),
    ([(0, "08:30", "12:00", "99999999999999999999")], "每个时段的值班人数须为 1—9 人"),
])
def test_bad_hours_are_refused_and_nothing_changes(desk, rows, message):
    before = _snapshot(desk.station)
    with pytest.raises(RuleError) as err:
        services.set_hours(station=desk.station, rows=rows, by=desk.community_worker_a)
    assert message in str(err.value)
    assert _snapshot(desk.station) == before


def test_a_stale_form_is_refused(desk):
    version = desk.station.version
    services.set_hours(station=desk.station, rows=WEEKDAY_HOURS[:2], by=desk.community_worker_a, version=version)
    with pytest.raises(ConflictError):
        services.set_hours(station=desk.station, rows=WEEKDAY_HOURS, by=desk.community_worker_a, version=version)
    assert Session.objects.filter(station=desk.station).count() == 2


def test_name_with_control_characters_is_refused(desk):
    with pytest.raises(RuleError, match="控制字符"):
        services.set_hours(station=desk.station, rows=WEEKDAY_HOURS, by=desk.community_worker_a,
                           name="东虹\x1b[31m服务站", address="")


# -- the calendar -----------------------------------------------------------------------------
def test_holidays_weekends_in_a_break_and_make_up_days(db):
    # a Thursday-Friday holiday, the weekend after it in the break, and a make-up Sunday a week later
    thu = dt.date(2030, 10, 3)
    CalendarDay.objects.create(date=thu, is_workday=False, name="国庆节")
    CalendarDay.objects.create(date=thu + dt.timedelta(days=1), is_workday=False, name="国庆节")
    CalendarDay.objects.create(date=dt.date(2030, 10, 13), is_workday=True, name="国庆节调休上班")
    exc = selectors.calendar_between(thu, dt.date(2030, 10, 20))
    key = lambda d: selectors.day_key(d, exc)[0]  # noqa: E731
    assert key(thu) == Day.HOLIDAY and key(dt.date(2030, 10, 5)) == Day.HOLIDAY == key(dt.date(2030, 10, 6))
    assert key(dt.date(2030, 10, 7)) == Day.MON  # back to work
    assert key(dt.date(2030, 10, 12)) == Day.SAT  # an ordinary Saturday
    assert selectors.day_key(dt.date(2030, 10, 13), exc) == (Day.MON, "国庆节调休上班")


# -- the rota ---------------------------------------------------------------------------------
def test_assign_and_the_gaps(desk):
    today = MONDAY
    services.assign(station=desk.station, date=MONDAY, start=T("08:30"), user=desk.community_worker_a,
                    by=desk.community_worker_a, today=today)
    gaps = selectors.gaps([desk.station], MONDAY, 2)
    # Monday afternoon, Tuesday morning, afternoon and evening are open
    assert [(g.date, g.start) for g in gaps] == [(MONDAY, T("13:30")), (MONDAY + dt.timedelta(days=1), T("08:30")),
                                                 (MONDAY + dt.timedelta(days=1), T("13:30")),
                                                 (MONDAY + dt.timedelta(days=1), T("17:30"))]
    day = selectors.rota(desk.station, MONDAY, 1)[0]
    assert [str(d.user) for d in day.slots[0].duties] == [desk.community_worker_a.display_name or "cw_a"]
    assert day.gaps == 1


def test_two_people_in_a_slot_for_one_is_refused(desk):
    services.assign(station=desk.station, date=MONDAY, start=T("08:30"), user=desk.community_worker_a,
                    by=desk.community_worker_a, today=MONDAY)
    before = _snapshot(desk.station)
    with pytest.raises(RuleError, match="只需 1 人值班"):
        services.assign(station=desk.station, date=MONDAY, start=T("08:30"), user=desk.cw_a2,
                        by=desk.community_worker_a, today=MONDAY)
    with pytest.raises(RuleError, match="已排在"):
        services.assign(station=desk.station, date=MONDAY, start=T("08:30"), user=desk.community_worker_a,
                        by=desk.community_worker_a, today=MONDAY)
    assert _snapshot(desk.station) == before


@pytest.mark.parametrize("who", ["community_worker_b", "grid_worker_a1", "street_officer_a", "resident_user"])
def test_a_slot_for_someone_without_a_post_here_is_refused(desk, who):
    with pytest.raises(RuleError, match="没有岗位,不能排入"):
        services.assign(station=desk.station, date=MONDAY, start=T("08:30"), user=getattr(desk, who),
                        by=desk.community_worker_a, today=MONDAY)
    assert not Duty.objects.exists()


def test_no_session_no_duty_and_no_past(desk):
    with pytest.raises(RuleError, match="没有 10:00 开始的开放时段"):
        services.assign(station=desk.station, date=MONDAY, start=T("10:00"), user=desk.cw_a2,
                        by=desk.community_worker_a, today=MONDAY)
    with pytest.raises(RuleError, match="没有 17:30 开始的开放时段"):  # Monday has no evening
        services.assign(station=desk.station, date=MONDAY, start=T("17:30"), user=desk.cw_a2,
                        by=desk.community_worker_a, today=MONDAY)
    with pytest.raises(RuleError, match="已经过去"):
        services.assign(station=desk.station, date=MONDAY, start=T("08:30"), user=desk.cw_a2,
                        by=desk.community_worker_a, today=MONDAY + dt.timedelta(days=1))
    assert not Duty.objects.exists()


def test_fill_takes_turns_and_closes_every_gap(desk):
    added = services.fill(station=desk.station, start=MONDAY, days=14, by=desk.community_worker_a, today=MONDAY)
    assert added == 2 * (10 + 1 + 1)  # two weeks: 10 weekday sessions, one evening, one Saturday
    assert selectors.gaps([desk.station], MONDAY, 14) == []
    counts = selectors.duty_counts(desk.station, MONDAY, 14)
    assert sorted(counts.values()) == [12, 12]
    assert services.fill(station=desk.station, start=MONDAY, days=14, by=desk.community_worker_a, today=MONDAY) == 0


# -- swaps ------------------------------------------------------------------------------------
def _two_duties(w):
    a = services.assign(station=w.station, date=MONDAY, start=T("08:30"), user=w.community_worker_a,
                        by=w.community_worker_a, today=MONDAY)
    b = services.assign(station=w.station, date=MONDAY, start=T("13:30"), user=w.cw_a2,
                        by=w.community_worker_a, today=MONDAY)
    return a, b


def _now():
    return timezone.make_aware(dt.datetime.combine(MONDAY, dt.time(7)))


def test_swap_exchanges_and_keeps_the_record(desk):
    a, b = _two_duties(desk)
    record = services.swap(duty=a, with_user=desk.cw_a2, other=b, reason="家中老人就医", by=desk.community_worker_a,
                           now=_now())
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.user, b.user) == (desk.cw_a2, desk.community_worker_a)
    assert (record.from_user, record.to_user, record.reason, record.duty_date, record.other_start) == \
        (desk.community_worker_a, desk.cw_a2, "家中老人就医", MONDAY, T("13:30"))
    history = list(a.history.order_by("history_date").values_list("user_id", "history_change_reason"))
    assert history[0][0] == desk.community_worker_a.pk and history[-1] == (desk.cw_a2.pk, "换班:家中老人就医")
    with pytest.raises(ValueError):
        record.delete()


def test_cover_without_exchange(desk):
    a, _b = _two_duties(desk)
    third = _worker("cw_a3", desk.comm_a, "孙八")
    services.swap(duty=a, with_user=third, reason="培训", by=desk.community_worker_a, now=_now())
    a.refresh_from_db()
    assert a.user == third and Swap.objects.get().other_duty is None


@pytest.mark.parametrize("case, message", [
    ("self", "不能与自己换班"), ("other_community", "不是东虹社区服务站的工作人员"),
    ("no_reason", "请填写换班原因"), ("long_reason", "不超过 100 个字"), ("control", "控制字符"),
    ("wrong_other", "换回的班次须是"), ("same", "换回的班次与原班次相同"),
])
def test_bad_swaps_change_nothing(desk, case, message):
    a, b = _two_duties(desk)
    kw = {"duty": a, "with_user": desk.cw_a2, "other": b, "reason": "有事", "by": desk.community_worker_a,
          "now": _now()}
    if case == "self":
        kw["with_user"] = desk.community_worker_a
    elif case == "other_community":
        kw["with_user"], kw["other"] = desk.community_worker_b, None
    elif case == "no_reason":
        kw["reason"] = "  "
    elif case == "long_reason":
        kw["reason"] = "长" * 101
    elif case == "control":
        kw["reason"] = "有\x00事"
    elif case == "wrong_other":
        kw["other"] = a
        kw["other"] = services.assign(station=desk.station, date=MONDAY + dt.timedelta(days=1), start=T("08:30"),
                                      user=desk.community_worker_a, by=desk.community_worker_a, today=MONDAY)
    elif case == "same":
        kw["other"] = a
    before = _snapshot(desk.station)
    with pytest.raises(RuleError) as err:
        services.swap(**kw)
    assert message in str(err.value)
    assert _snapshot(desk.station) == before


def test_a_past_duty_is_not_swapped(desk):
    a, b = _two_duties(desk)
    later = timezone.make_aware(dt.datetime.combine(MONDAY + dt.timedelta(days=1), dt.time(7)))
    with pytest.raises(RuleError, match="已经过去,不能换班"):
        services.swap(duty=a, with_user=desk.cw_a2, other=b, reason="有事", by=desk.community_worker_a, now=later)


# -- windows ----------------------------------------------------------------------------------
def test_windows_and_their_items(desk):
    services.set_windows(station=desk.station, by=desk.community_worker_a,
                         windows={"assistance": ["svc_dibao", "svc_elderly_allowance"], "party": ["svc_party_transfer"]})
    rows = {w["window"]: w for w in selectors.windows_of(desk.station)}
    assert rows["assistance"]["runs"] and [i.code for i in rows["assistance"]["items"]] == ["svc_dibao",
                                                                                           "svc_elderly_allowance"]
    assert not rows["family"]["runs"]
    with pytest.raises(RuleError, match="一个事项只能由一个窗口受理"):
        services.set_windows(station=desk.station, by=desk.community_worker_a,
                             windows={"assistance": ["svc_dibao"], "services": ["svc_dibao"]})
    with pytest.raises(RuleError, match="不是启用的服务事项"):
        services.set_windows(station=desk.station, by=desk.community_worker_a, windows={"services": ["sanitation"]})
    with pytest.raises(RuleError, match="没有这个服务窗口"):
        services.set_windows(station=desk.station, by=desk.community_worker_a, windows={"tea": []})
    assert StationWindow.objects.filter(station=desk.station).count() == 2


def test_a_guide_has_materials_steps_and_limits(db):
    from gongzhi.workorders.models import Category
    g = selectors.guide(Category.objects.get(code="svc_dibao"))
    assert "申请人身份证" in g["materials"] and g["complete"]
    assert [s["title"] for s in g["steps"]] == ["窗口受理", "社区办理", "核查", "办结告知"]
    assert "10 个工作日内办结" in g["steps"][1]["limit"]


# -- figures ----------------------------------------------------------------------------------
def test_the_figures(desk):
    services.set_windows(station=desk.station, by=desk.community_worker_a,
                         windows={w: [] for w in ("party",)} | {"assistance": ["svc_dibao"], "employment": ["svc_pension"]})
    today = timezone.localdate()
    services.fill(station=desk.station, start=today - dt.timedelta(days=27), days=28, by=desk.community_worker_a,
                  today=today - dt.timedelta(days=27))
    figures = Figures(Place.objects.filter(pk__in=[desk.comm_a.pk, desk.comm_b.pk]))
    a, b = desk.comm_a.pk, desk.comm_b.pk
    assert figures.get("desk_windows") == {a: 2, b: 0}  # a window with no item is not counted
    assert figures.get("desk_weekly_sessions") == {a: 12, b: 0}
    assert figures.get("desk_staggered_sessions") == {a: 2, b: 0}
    assert figures.get("desk_holiday_sessions") == {a: 1, b: 0}
    assert figures.get("desk_uncovered_sessions") == {a: 0, b: None}
    assert figures.get("desk_guides_share") == {a: 100.0, b: None}
    assert figures.get("desk_configuration_rate") == {a: round(400 / 9, 2), b: 0.0}
    # one duty of the last four weeks taken off: one session uncovered
    duty = Duty.objects.filter(station=desk.station, date=today).first() or \
        Duty.objects.filter(station=desk.station, date__lt=today).order_by("-date").first()
    Duty.objects.filter(pk=duty.pk).delete()
    assert Figures(Place.objects.filter(pk=a)).get("desk_uncovered_sessions") == {a: 1}
