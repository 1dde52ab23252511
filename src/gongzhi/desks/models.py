"""Service desks (P-SVC-2, P-SVC-3, P-SVC-4, P-SVC-7): each community's service station (社区服务站)
and each street's service centre (街道便民服务中心), with

- its opening hours (`Session`: a weekday or the public holidays, a start and an end, how many must be
  on duty); a session on Saturday or Sunday, or reaching past 18:00, is staggered (错时), a session of
  the holidays is the holiday rotation (节假日轮休);
- its windows (`StationWindow`: which of the seven windows of 002(2) 二(四)2(3) it runs, and which
  one-window items of the work-order catalogue each accepts);
- its duty rota (`Duty`: who is on duty on a day in a session, taken from the workers holding a post
  at the station's place), and the swaps between them (`Swap`: who with whom, when, why).

A day's sessions follow the national calendar of the work orders (`workorders.calendar`): a public
holiday, and a weekend inside a holiday break, opens the holiday sessions; an adjusted working weekend
day (调休上班) opens Monday's sessions (`selectors.day_key`)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from gongzhi.workorders.models import Window

NAME_MAX = 60
ADDRESS_MAX = 120
REASON_MAX = 100
NEEDED_MAX = 9
# a session reaching past this hour, or on a weekend, is staggered (错时上下班)
EVENING = dt.time(18, 0)


class Day(models.IntegerChoices):
    MON = 0, "星期一"
    TUE = 1, "星期二"
    WED = 2, "星期三"
    THU = 3, "星期四"
    FRI = 4, "星期五"
    SAT = 5, "星期六"
    SUN = 6, "星期日"
    HOLIDAY = 7, "法定节假日"


WEEKEND = (Day.SAT, Day.SUN)


class Station(models.Model):
    """A community's service station or a street's service centre: one per place."""
    place = models.OneToOneField("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="所在地")
    name = models.CharField("名称", max_length=NAME_MAX)
    address = models.CharField("地址", max_length=ADDRESS_MAX, blank=True)
    # the hours and windows forms carry it: an edit over a stale form is refused (core.errors.lock_version)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "服务站(便民服务中心)"
        verbose_name_plural = verbose_name
        ordering = ["place__path"]

    def __str__(self):
        return self.name


class Session(models.Model):
    """One opening session of a station on a weekday (or on the public holidays): within a day,
    sessions never overlap."""
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="sessions", verbose_name="服务站")
    day = models.PositiveSmallIntegerField("日期类型", choices=Day.choices)
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    needed = models.PositiveSmallIntegerField("值班人数", default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "开放时段"
        verbose_name_plural = verbose_name
        ordering = ["station", "day", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="desks_session_ends_after_start"),
            models.CheckConstraint(condition=Q(day__lte=7), name="desks_session_day"),
            models.CheckConstraint(condition=Q(needed__gte=1) & Q(needed__lte=NEEDED_MAX),
                                   name="desks_session_needed"),
            models.UniqueConstraint(fields=["station", "day", "start"], name="desks_session_one_start"),
        ]

    def __str__(self):
        return f"{self.get_day_display()} {self.start:%H:%M}—{self.end:%H:%M}"

    @property
    def staggered(self) -> bool:
        return is_staggered(self.day, self.start, self.end)

    @property
    def holiday(self) -> bool:
        return self.day == Day.HOLIDAY


def is_staggered(day: int, start: dt.time, end: dt.time) -> bool:
    """错时: a weekend session, or one reaching into the evening (past 18:00)."""
    return day in WEEKEND or end > EVENING


class StationWindow(models.Model):
    """A window the station runs, and the one-window items (work-order catalogue) it accepts."""
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="windows", verbose_name="服务站")
    window = models.CharField("窗口", max_length=12, choices=Window.choices)
    items = models.ManyToManyField("workorders.Category", blank=True, related_name="+", verbose_name="受理事项")

    class Meta:
        verbose_name = "服务窗口"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["station", "window"], name="desks_window_once")]

    def __str__(self):
        return self.get_window_display()


class Duty(models.Model):
    """One worker on duty at a station on a day, in the session starting at `start` (its end copied,
    so the rota reads alone after the hours change)."""
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="duties", verbose_name="服务站")
    date = models.DateField("日期")
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name="值班人员")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="排班人")
    created_at = models.DateTimeField("排班时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "值班"
        verbose_name_plural = verbose_name
        ordering = ["date", "start", "pk"]
        indexes = [models.Index(fields=["station", "date"], name="desks_duty_day")]
        constraints = [
            models.UniqueConstraint(fields=["station", "date", "start", "user"], name="desks_duty_once_per_slot"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="desks_duty_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.start:%H:%M}—{self.end:%H:%M} {self.user}"


class Swap(models.Model):
    """A swap of duties, kept forever: `duty` went from `from_user` to `to_user`; when they exchanged
    (`other_duty` set), that one went from `to_user` to `from_user`."""
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="swaps", verbose_name="服务站")
    # the duties themselves (gone when a later rota change removes them: the copies below remain)
    duty = models.ForeignKey(Duty, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="班次")
    other_duty = models.ForeignKey(Duty, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="换回的班次")
    # the slots as they were, so the record reads alone
    duty_date = models.DateField("班次日期")
    duty_start = models.TimeField("班次开始")
    other_date = models.DateField("换回班次日期", null=True, blank=True)
    other_start = models.TimeField("换回班次开始", null=True, blank=True)
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="原值班人")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name="接班人")
    reason = models.CharField("原因", max_length=REASON_MAX)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name="登记人")
    at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "换班记录"
        verbose_name_plural = verbose_name
        ordering = ["-at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(from_user=F("to_user")), name="desks_swap_not_self")]

    def __str__(self):
        return f"{self.from_user} ↔ {self.to_user} {self.duty_date:%Y-%m-%d}"

    def delete(self, *args, **kwargs):
        raise ValueError("换班记录不可删除")
