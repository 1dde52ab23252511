"""Every read of the desks: the stations a scope reaches, a day's sessions over the national calendar,
the rota with its gaps, the workers who may stand duty, and the guides of the one-window items.

A community post reaches its community's station; a grid post its community's; a street or district
post every station under it (the street's own service centre included). The public pages read one
station by its place's code and show no personal data beyond a worker's name and post."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gongzhi.accounts.models import Role, RoleAssignment
from gongzhi.core.scope import Scope
from gongzhi.desks.models import Day, Duty, Session, Station, StationWindow, Swap, is_staggered
from gongzhi.places.models import Level, Place
from gongzhi.workorders import calendar
from gongzhi.workorders import selectors as orders
from gongzhi.workorders.models import CalendarDay, Category, Kind, RouteLevel, Window

NOT_FOUND = "未找到或无权访问"
NO_STATION = "没有这个服务站"
AHEAD_DAYS = 14  # gaps are shown this far ahead
ROTA_DAYS = 28  # the rota page shows four weeks
LONGEST_BREAK = 10  # a holiday break is never longer than this many days in a row
# who may stand duty at a station: a post at the station's place in one of these roles
WORKER_ROLES = (Role.COMMUNITY, Role.STREET, Role.DEPARTMENT)
STATION_LEVELS = (Level.COMMUNITY, Level.STREET)


def default_name(place: Place) -> str:
    """东虹社区 → 东虹社区服务站, 南庄村 → 南庄村社区服务站, 宜城街道 → 宜城街道便民服务中心."""
    if place.level != Level.COMMUNITY:
        return f"{place.name}便民服务中心"
    return f"{place.name}{'服务站' if place.name.endswith('社区') else '社区服务站'}"


def kind_label(place: Place) -> str:
    return "社区服务站" if place.level == Level.COMMUNITY else "街道便民服务中心"


# -- scope ------------------------------------------------------------------------------------
def places_in(scope: Scope) -> QuerySet[Place]:
    """The communities and streets the scope's posts reach (never wider than the narrowed capability)."""
    if scope.capability is None:
        raise RuntimeError("scope not narrowed")
    q = Q(pk__in=[])
    for a in scope.assignments:
        if a.place.level == Level.GRID:
            q |= Q(pk=a.place.parent_id)
        else:
            q |= Q(path__startswith=a.place.path)
    return Place.objects.filter(q, level__in=STATION_LEVELS).order_by("path")


def access_place(scope: Scope, code) -> Place:
    place = places_in(scope).filter(code=str(code or "")[:20]).select_related("parent").first()
    if place is None:
        raise Http404(NOT_FOUND)
    return place


def stations_in(scope: Scope) -> QuerySet[Station]:
    return Station.objects.filter(place__in=places_in(scope).values("pk")).select_related("place", "place__parent")


def public_place(code) -> Place:
    place = Place.objects.select_related("parent").filter(code=str(code or "")[:20], level__in=STATION_LEVELS).first()
    if place is None:
        raise Http404(NO_STATION)
    return place


def station_of(place: Place) -> Station | None:
    return Station.objects.filter(place=place).select_related("place").first()


def public_stations() -> QuerySet[Station]:
    """Every station with opening hours, by place (the territory is not personal)."""
    return (Station.objects.filter(sessions__isnull=False).distinct()
            .select_related("place", "place__parent").order_by("place__path"))


# -- the calendar -----------------------------------------------------------------------------
def calendar_between(start: dt.date, end: dt.date) -> dict[dt.date, tuple[bool, str]]:
    """The calendar's exceptions around [start, end] (a holiday break reaching over either end
    included): date → (is a working day, name)."""
    pad = dt.timedelta(days=LONGEST_BREAK)
    return {d: (w, n) for d, w, n in CalendarDay.objects.filter(date__range=(start - pad, end + pad))
            .values_list("date", "is_workday", "name")}


def day_key(day: dt.date, exc: dict[dt.date, tuple[bool, str]]) -> tuple[int, str]:
    """Which sessions open on `day`, and why when it is not an ordinary one: a public holiday, or a
    weekend inside a holiday break, opens the holiday sessions (节假日轮休); an adjusted working
    weekend day (调休上班) opens Monday's."""
    if day in exc:
        workday, name = exc[day]
        return (Day.MON, name or "调休上班") if workday else (Day.HOLIDAY, name or "法定节假日")
    if day.weekday() < 5:
        return day.weekday(), ""
    workdays = {d: w for d, (w, _n) in exc.items()}
    for step in (-1, 1):
        d = day
        for _ in range(LONGEST_BREAK):
            d += dt.timedelta(days=step)
            if calendar.is_workday(d, workdays):
                break
            if d in exc:  # a listed holiday in the same run of days off
                return Day.HOLIDAY, exc[d][1] or "法定节假日"
    return day.weekday(), ""


# -- workers ----------------------------------------------------------------------------------
def worker_posts(place: Place) -> QuerySet[RoleAssignment]:
    return (RoleAssignment.objects.filter(place=place, role__in=WORKER_ROLES, active=True, user__is_active=True)
            .select_related("user").order_by("user__pk", "role"))


def workers(place: Place) -> list[dict]:
    """The users who may stand duty at the station of `place`, each with the post shown publicly."""
    out: dict[int, dict] = {}
    for a in worker_posts(place):
        if a.user_id not in out:
            out[a.user_id] = {"user": a.user, "post": post_label(a)}
    return list(out.values())


def post_label(a: RoleAssignment) -> str:
    label = Role(a.role).label
    return f"{a.department}{label}" if a.department else label


def is_worker(place: Place, user) -> bool:
    return worker_posts(place).filter(user=user).exists()


# -- the rota ---------------------------------------------------------------------------------
@dataclass
class Slot:
    date: dt.date
    start: dt.time
    end: dt.time
    needed: int
    duties: list = field(default_factory=list)
    staggered: bool = False
    holiday: bool = False

    @property
    def missing(self) -> int:
        return max(0, self.needed - len(self.duties))

    @property
    def gap(self) -> bool:
        return self.missing > 0


@dataclass
class RotaDay:
    date: dt.date
    key: int
    note: str
    slots: list[Slot]
    strays: list  # duties outside today's sessions (the hours changed since)

    @property
    def label(self) -> str:
        return Day(self.key).label if self.key == Day.HOLIDAY else Day(self.date.weekday()).label

    @property
    def gaps(self) -> int:
        return sum(1 for s in self.slots if s.gap)


def sessions_by_day(station_ids) -> dict[int, dict[int, list[Session]]]:
    out: dict[int, dict[int, list[Session]]] = defaultdict(lambda: defaultdict(list))
    for s in Session.objects.filter(station_id__in=list(station_ids)).order_by("day", "start"):
        out[s.station_id][s.day].append(s)
    return out


def rota(station: Station, start: dt.date, days: int = ROTA_DAYS) -> list[RotaDay]:
    """The station's days from `start`: each opening session with whoever is on duty: three queries."""
    end = start + dt.timedelta(days=days - 1)
    exc = calendar_between(start, end)
    sessions = sessions_by_day([station.pk])[station.pk]
    duties = defaultdict(list)
    for d in (Duty.objects.filter(station=station, date__range=(start, end)).select_related("user")
              .order_by("date", "start", "pk")):
        duties[(d.date, d.start)].append(d)
    out = []
    for i in range(days):
        day = start + dt.timedelta(days=i)
        key, note = day_key(day, exc)
        slots = [Slot(day, s.start, s.end, s.needed, duties.pop((day, s.start), []), is_staggered(key, s.start, s.end),
                      key == Day.HOLIDAY) for s in sessions.get(key, [])]
        strays = [d for (dd, _st), ds in list(duties.items()) if dd == day for d in ds]
        out.append(RotaDay(day, key, note, slots, strays))
    return out


def slot_on(station: Station, day: dt.date, start: dt.time) -> Session | None:
    """The session that opens at `start` on `day` by the hours and the calendar, or None."""
    key, _note = day_key(day, calendar_between(day, day))
    return Session.objects.filter(station=station, day=key, start=start).first()


@dataclass
class Gap:
    station: Station
    date: dt.date
    start: dt.time
    end: dt.time
    have: int
    needed: int
    note: str = ""


def gaps(stations, start: dt.date, days: int = AHEAD_DAYS) -> list[Gap]:
    """Every session in [start, start + days) that the hours promise and fewer than needed stand duty
    at, over many stations: three queries whatever their number."""
    stations = {s.pk: s for s in stations}
    if not stations or days <= 0:
        return []
    end = start + dt.timedelta(days=days - 1)
    exc = calendar_between(start, end)
    sessions = sessions_by_day(stations)
    counts = {(r["station_id"], r["date"], r["start"]): r["n"] for r in
              Duty.objects.filter(station_id__in=list(stations), date__range=(start, end))
              .values("station_id", "date", "start").annotate(n=Count("id")).order_by()}
    keys = [(start + dt.timedelta(days=i),) + day_key(start + dt.timedelta(days=i), exc) for i in range(days)]
    out = []
    for sid, by_day in sessions.items():
        for day, key, note in keys:
            for s in by_day.get(key, []):
                have = counts.get((sid, day, s.start), 0)
                if have < s.needed:
                    out.append(Gap(stations[sid], day, s.start, s.end, have, s.needed, note))
    return sorted(out, key=lambda g: (g.date, g.start, g.station.place.path))


def on_duty(station: Station, day: dt.date) -> list[dict]:
    """Who is on duty at the station on `day`, for the public page: name and post only."""
    posts = {w["user"].pk: w["post"] for w in workers(station.place)}
    return [{"start": d.start, "end": d.end, "name": str(d.user), "post": posts.get(d.user_id, "")}
            for d in Duty.objects.filter(station=station, date=day).select_related("user").order_by("start", "pk")]


def week_hours(station: Station) -> list[dict]:
    """The station's hours by day type (Monday to Sunday, then the public holidays)."""
    by_day = sessions_by_day([station.pk])[station.pk]
    return [{"day": d, "label": d.label, "sessions": by_day.get(d.value, [])} for d in Day]


def duty_counts(station: Station, start: dt.date, days: int) -> dict[int, int]:
    """How many duties each worker stands in the period (the rota page's fairness column)."""
    return dict(Duty.objects.filter(station=station, date__range=(start, start + dt.timedelta(days=days - 1)))
                .values("user_id").annotate(n=Count("id")).order_by().values_list("user_id", "n"))


def swaps(station: Station, limit: int = 50) -> QuerySet[Swap]:
    return (Swap.objects.filter(station=station).select_related("from_user", "to_user", "by")
            .order_by("-at", "-pk")[:limit])


# -- windows and guides -----------------------------------------------------------------------
def service_items(place: Place | None = None) -> QuerySet[Category]:
    """The active one-window items of the catalogue (those of `place`'s locality)."""
    return orders.categories(kind=Kind.SERVICE, locality=place).order_by("sort", "code")


def windows_of(station: Station) -> list[dict]:
    """The seven windows, each with whether the station runs it and the items it accepts."""
    rows = {w.window: w for w in StationWindow.objects.filter(station=station).prefetch_related("items")}
    out = []
    for value, label in Window.choices:
        w = rows.get(value)
        items = sorted((i for i in w.items.all() if i.active), key=lambda i: (i.sort, i.code)) if w else []
        out.append({"window": value, "label": label, "runs": w is not None, "items": items})
    return out


def public_item(code) -> Category:
    item = Category.objects.filter(code=str(code or "")[:40], kind=Kind.SERVICE, active=True).first()
    if item is None:
        raise Http404("没有这个服务事项")
    return item


def guide(item: Category) -> dict:
    """An item's guide (办事指南) and the steps of its flow chart, from the catalogue."""
    route = {RouteLevel.COMMUNITY: "社区办理", RouteLevel.GRID: "网格办理", RouteLevel.STREET: "报街道(镇)办理",
             RouteLevel.DEPARTMENT: f"转{item.route_department or '职能部门'}办理"}.get(item.route_level, "办理")
    window = item.get_window_display() or "综合"
    steps = [
        {"title": "窗口受理", "text": f"{window}窗口收取材料,材料齐全的当场受理(一窗受理、首问负责)",
         "limit": f"{item.accept_days} 个工作日内受理" if item.accept_days else "当日受理"},
        {"title": route, "text": "工作人员全程代办,按承诺时限办理", "limit": f"受理后 {item.handle_days} 个工作日内办结"},
        {"title": "核查", "text": "核查办理结果", "limit": f"{item.verify_days} 个工作日内核查" if item.verify_days else "当日核查"},
        {"title": "办结告知", "text": "告知申请人办理结果,申请人可评价", "limit": ""},
    ]
    return {"item": item, "window": window, "materials": list(item.materials or []), "steps": steps,
            "total_days": item.accept_days + item.handle_days + item.verify_days, "route": route,
            "complete": bool(item.materials)}


def stations_accepting(item: Category) -> QuerySet[Station]:
    return (Station.objects.filter(windows__items=item).select_related("place", "place__parent")
            .distinct().order_by("place__path"))


# -- the overview -----------------------------------------------------------------------------
def overview(scope: Scope, today: dt.date) -> list[dict]:
    """Each place of the scope with its station (or none yet), its sessions a week, windows run and
    gaps ahead: five queries."""
    places = list(places_in(scope).select_related("parent"))
    stations = {s.place_id: s for s in Station.objects.filter(place__in=places).select_related("place")}
    sessions = sessions_by_day(s.pk for s in stations.values())
    windows = dict(StationWindow.objects.filter(station__in=stations.values(), items__active=True)
                   .values("station_id").annotate(n=Count("window", distinct=True)).values_list("station_id", "n"))
    ahead = defaultdict(list)
    for g in gaps(stations.values(), today, AHEAD_DAYS):
        ahead[g.station.pk].append(g)
    rows = []
    for p in places:
        s = stations.get(p.pk)
        by_day = sessions.get(s.pk, {}) if s else {}
        weekly = [x for d in range(7) for x in by_day.get(d, [])]
        rows.append({"place": p, "station": s, "sessions": len(weekly),
                     "staggered": sum(1 for x in weekly if x.staggered), "holiday": len(by_day.get(Day.HOLIDAY, [])),
                     "windows": windows.get(s.pk, 0) if s else 0, "gaps": ahead.get(s.pk, []) if s else []})
    return rows
