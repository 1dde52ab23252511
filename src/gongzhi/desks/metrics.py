"""The stations' figures for the standards engine (registered in manifest.py under extras["metrics"];
see gongzhi/core/metrics.py): each community's service station, read as it stands on the run's day.

- `desk_windows` (P-SVC-4): how many of the seven windows of 002(2) 二(四)2(3) the station runs with
  at least one item accepted;
- `desk_weekly_sessions`, `desk_staggered_sessions`, `desk_holiday_sessions` (P-SVC-3): the opening
  sessions of a week, those of them staggered (a weekend, or reaching past 18:00), and the holiday
  sessions (节假日轮休);
- `desk_uncovered_sessions` (P-SVC-3, 全日值班): the sessions the hours promised in the four weeks up to
  the run's day with fewer on duty than needed (无数据 for a station without hours);
- `desk_guides_share` (P-SVC-2): the share of the accepted items whose guide lists its materials;
- `desk_configuration_rate` (P-SVC-7): of the nine parts of a station's configuration (the seven windows,
  published hours, staggered hours) the share in place.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q

from gongzhi.core.metrics import Context, Metric, counts, evidence
from gongzhi.desks import selectors
from gongzhi.desks.models import EVENING, WEEKEND, Day, Session, Station, StationWindow
from gongzhi.workorders.models import Kind, Window

STATION = evidence("服务站开放时间和窗口", "desks:station", "{code}")
ROTA = evidence("服务站值班表", "desks:manage", "{code}")
COVERAGE_DAYS = 28
CONFIGURATION_PARTS = len(Window.values) + 2  # the seven windows, published hours, staggered hours


def _sessions(ctx: Context):
    return Session.objects.filter(station__place__in=ctx.communities.values("pk"))


def desk_windows(ctx: Context):
    rows = (StationWindow.objects.filter(station__place__in=ctx.communities.values("pk"), items__active=True,
                                         items__kind=Kind.SERVICE)
            .values("station__place_id").annotate(n=Count("window", distinct=True)).order_by())
    return {r["station__place_id"]: r["n"] for r in rows}


def desk_weekly_sessions(ctx: Context):
    return counts(_sessions(ctx).filter(day__lt=Day.HOLIDAY), "station__place_id")


def desk_staggered_sessions(ctx: Context):
    staggered = Q(day__in=WEEKEND) | Q(end__gt=EVENING)
    return counts(_sessions(ctx).filter(staggered, day__lt=Day.HOLIDAY), "station__place_id")


def desk_holiday_sessions(ctx: Context):
    return counts(_sessions(ctx).filter(day=Day.HOLIDAY), "station__place_id")


def desk_uncovered_sessions(ctx: Context):
    """Sessions in the 28 days up to the run's day with fewer on duty than the hours need: three queries
    for all the communities (selectors.gaps); 无数据 where the station has no hours."""
    stations = list(Station.objects.filter(place__in=ctx.communities.values("pk"), sessions__isnull=False)
                    .distinct().select_related("place"))
    out = {cid: None for cid in ctx.ids}
    out.update({s.place_id: 0 for s in stations})
    for g in selectors.gaps(stations, ctx.as_of - dt.timedelta(days=COVERAGE_DAYS - 1), COVERAGE_DAYS):
        out[g.station.place_id] += 1
    return out


def desk_guides_share(ctx: Context):
    """Accepted items whose guide lists its materials ÷ accepted items × 100 (None: no items)."""
    items = defaultdict(dict)
    for place_id, code, materials in (StationWindow.objects
                                      .filter(station__place__in=ctx.communities.values("pk"), items__active=True,
                                              items__kind=Kind.SERVICE)
                                      .values_list("station__place_id", "items__code", "items__materials")):
        items[place_id][code] = bool(materials)
    return {cid: (round(100.0 * sum(items[cid].values()) / len(items[cid]), 2) if items.get(cid) else None)
            for cid in ctx.ids}


def desk_configuration_rate(ctx: Context):
    windows, weekly, staggered = (ctx.get("desk_windows"), ctx.get("desk_weekly_sessions"),
                                  ctx.get("desk_staggered_sessions"))
    out = {}
    for cid in ctx.ids:
        parts = min(windows.get(cid) or 0, len(Window.values)) + bool(weekly.get(cid)) + bool(staggered.get(cid))
        out[cid] = round(100.0 * parts / CONFIGURATION_PARTS, 2)
    return out


METRICS = (
    Metric("desk_windows", "服务站开设的服务窗口", "个", compute=desk_windows, evidence=STATION,
           note="党员服务、就业社保、社会救助、社区管理、综合治理、社区服务、人口计生七个窗口中,受理至少一个服务事项的窗口数"),
    Metric("desk_weekly_sessions", "服务站每周开放时段", "个", compute=desk_weekly_sessions, evidence=STATION,
           note="星期一至星期日登记的开放时段数"),
    Metric("desk_staggered_sessions", "服务站错时开放时段", "个", compute=desk_staggered_sessions, evidence=STATION,
           note="每周开放时段中在周末或延至 18:00 以后的时段数(错时上下班)"),
    Metric("desk_holiday_sessions", "服务站节假日值班时段", "个", compute=desk_holiday_sessions, evidence=STATION,
           note="法定节假日(含节假日期间的周末)开放的时段数(节假日轮休)"),
    Metric("desk_uncovered_sessions", "近四周无人值班的开放时段", "个", compute=desk_uncovered_sessions, evidence=ROTA,
           note="评估日前 28 天内开放时间承诺有人值班、值班表上人数不足的时段数;未登记开放时间的为无数据"),
    Metric("desk_guides_share", "服务事项办事指南完备率", "%", compute=desk_guides_share, evidence=STATION,
           note="服务站受理的服务事项中,办事指南列明所需材料(并有办理时限和流程)的比例;不受理任何事项的为无数据"),
    Metric("desk_configuration_rate", "服务站功能配置达标程度", "%", compute=desk_configuration_rate, evidence=STATION,
           note="七个服务窗口各受理至少一个事项、公布开放时间、实行错时开放,共九项中已具备的比例"),
)
