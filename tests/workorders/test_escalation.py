"""Deadlines in working days over the national calendar, and the overdue
sweep: community → street → district, idempotent, set-based."""
import datetime as dt

from django.utils import timezone

from gongzhi.workorders import services
from gongzhi.workorders.calendar import add_working_days, working_days_between
from gongzhi.workorders.escalation import escalate_overdue
from gongzhi.workorders.models import Action, Category, Channel, Notification, State, WorkOrder


def at(y, m, d, h=10):
    return timezone.make_aware(dt.datetime(y, m, d, h, 0))


def test_working_days_skip_weekends_holidays_and_count_adjusted_workdays(db):
    # Friday 25 Sep 2026 is 中秋节; Sunday 20 Sep is a 调休 working day.
    assert timezone.localtime(add_working_days(at(2026, 9, 24), 1)).date() == dt.date(2026, 9, 28)
    assert timezone.localtime(add_working_days(at(2026, 9, 19), 1)).date() == dt.date(2026, 9, 20)
    # National Day week: from Wed 30 Sep, 3 working days → Thu 8, Fri 9, Sat 10 Oct (调休)
    assert timezone.localtime(add_working_days(at(2026, 9, 30), 3)).date() == dt.date(2026, 10, 10)
    # 0 days on a holiday: the next working day
    assert timezone.localtime(add_working_days(at(2026, 10, 3), 0)).date() == dt.date(2026, 10, 8)
    assert working_days_between(dt.date(2026, 11, 20), dt.date(2026, 11, 23)) == 1


def test_calendar_is_data(db):
    from gongzhi.workorders.models import CalendarDay
    CalendarDay.objects.create(date=dt.date(2026, 11, 20), is_workday=False, name="本地停工")
    assert timezone.localtime(add_working_days(at(2026, 11, 19), 1)).date() == dt.date(2026, 11, 23)


def _overdue_order(world, now):
    order = services.order_report(category=Category.objects.get(code="sanitation"), description="垃圾",
                                  channel=Channel.GRID, by=world.grid_worker_a1, grid=world.grid_a1, now=now)
    return services.order_accept(order=order, by=world.community_worker_a, version=order.version, now=now)


def test_sweep_escalates_street_then_district_and_is_idempotent(world):
    order = _overdue_order(world, at(2026, 11, 16))  # Monday; dispatch due end of Tuesday
    later = at(2026, 11, 18)
    assert escalate_overdue(now=later) == 1
    order.refresh_from_db()
    assert order.overdue and order.escalation_level == 1
    assert escalate_overdue(now=later) == 0  # same moment again: nothing new
    assert order.events.filter(action=Action.SUPERVISE).count() == 1
    assert Notification.objects.filter(user=world.street_officer_a, kind="overdue", order=order).count() == 1
    assert Notification.objects.filter(user=world.community_worker_a, kind="overdue").count() == 1  # owner
    assert not Notification.objects.filter(user=world.admin, kind="overdue").exists()
    # a working day later and still not done: the district
    assert escalate_overdue(now=at(2026, 11, 20)) == 1
    order.refresh_from_db()
    assert order.escalation_level == 2 and order.next_escalation_at is None
    assert Notification.objects.filter(user=world.admin, kind="overdue", order=order).count() == 1
    assert escalate_overdue(now=at(2026, 12, 20)) == 0
    supervise = order.events.filter(action=Action.SUPERVISE).last()
    assert supervise.data == {"level": 2} and "区级督办" in supervise.note


def test_sweep_leaves_orders_in_time_and_closed_ones(world):
    on_time = _overdue_order(world, at(2026, 11, 18))
    done = _overdue_order(world, at(2026, 11, 16))
    WorkOrder.objects.filter(pk=done.pk).update(state=State.CLOSED)
    assert escalate_overdue(now=at(2026, 11, 18, 12)) == 0
    on_time.refresh_from_db()
    assert not on_time.overdue and on_time.escalation_level == 0


def test_sweep_does_not_change_version_so_open_forms_still_work(world):
    order = _overdue_order(world, at(2026, 11, 16))
    escalate_overdue(now=at(2026, 11, 18))
    order = services.order_dispatch(order=order, by=world.street_officer_a, version=order.version,
                                    place=world.comm_a)
    assert order.state == State.DISPATCHED and order.escalation_level == 1


def test_a_supervisor_hears_once_when_many_orders_escalate(world):
    orders = [_overdue_order(world, at(2026, 11, 16)) for _ in range(3)]
    assert escalate_overdue(now=at(2026, 11, 18)) == 3
    notices = Notification.objects.filter(user=world.street_officer_a, kind="overdue")
    assert notices.count() == 1
    notice = notices.get()
    assert notice.order is None and notice.text.startswith("3 件工单超过办理时限,已升级至街道督办")
    # the owner still hears about each of their orders
    assert Notification.objects.filter(user=world.community_worker_a, kind="overdue").count() == 3
    assert {o.pk for o in orders} == set(Notification.objects.filter(
        user=world.community_worker_a, kind="overdue").values_list("order_id", flat=True))
