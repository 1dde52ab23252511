"""Working-day arithmetic over the national calendar.

Monday to Friday are working days unless a `CalendarDay` says otherwise
(public holidays on weekdays, adjusted working weekends: 调休). A time limit of
N working days ends at the close of the N-th working day after the day the
step started; that is how "N个工作日内办结" is read at service windows.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.core.caching import SharedMemo
from gongzhi.workorders.models import CalendarDay

# Every deadline reads the calendar; it changes a few times a year, so each
# process keeps a copy, and an edit on any node (services/calendar.py calls
# `forget`) makes every process of every node read it afresh (core/caching.py).
_MEMO = SharedMemo("calendar", lambda: dict(CalendarDay.objects.values_list("date", "is_workday")))


def forget() -> None:
    _MEMO.forget()


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """The holidays and adjusted working days (all of them: callers only look days up,
    so there is no need to copy out the [start, end] window on every deadline)."""
    return _MEMO.get()


def is_workday(day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = _exceptions(day, day)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local time) of the `days`-th working day after `start`'s
    day; with days=0, the end of `start`'s day if it is a working day, or of
    the next working day."""
    local = timezone.localtime(start)
    day = local.date()
    # Long holidays add at most ~10 days; look far enough ahead in one query.
    exceptions = _exceptions(day, day + dt.timedelta(days=days * 2 + 30))
    counted = 0
    if days == 0:
        while not is_workday(day, exceptions):
            day += dt.timedelta(days=1)
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day, exceptions):
            counted += 1
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    exceptions = _exceptions(start, end)
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        n += is_workday(day, exceptions)
    return n
