"""The admin's edits of the working-day calendar: public holidays on weekdays and
adjusted working weekend days (调休). The arithmetic is `workorders.calendar`."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditAction
from gongzhi.workorders import calendar as working_days
from gongzhi.workorders.models import CalendarDay
from gongzhi.workorders.services.catalogue import catalogue_locality

AUDITED_FIELDS = ("date", "is_workday", "name")


@transaction.atomic
def calendar_day_set(*, by, date: dt.date, is_workday: bool, name: str = "") -> CalendarDay:
    catalogue_locality(by)  # the catalogue's keepers keep the calendar
    before = audit.snapshot(CalendarDay.objects.filter(date=date).first(), AUDITED_FIELDS)
    day, _ = CalendarDay.objects.update_or_create(date=date, defaults={"is_workday": is_workday,
                                                                       "name": (name or "").strip()[:40]})
    audit.record(by, AuditAction.CALENDAR_SET, obj=day, before=before, after=audit.snapshot(day, AUDITED_FIELDS))
    working_days.forget()
    transaction.on_commit(working_days.forget)
    return day


@transaction.atomic
def calendar_day_remove(*, by, date: dt.date) -> None:
    catalogue_locality(by)
    day = CalendarDay.objects.filter(date=date).first()
    if day is not None:
        audit.record(by, AuditAction.CALENDAR_REMOVE, obj=day, before=audit.snapshot(day, AUDITED_FIELDS))
    CalendarDay.objects.filter(date=date).delete()
    working_days.forget()
    transaction.on_commit(working_days.forget)
