"""Desk pages: the public list of stations, a station's public page (hours, who is on duty today, its
windows and items), every item's guide with its flow chart (printable); the staff overview with the
gaps ahead, a station's rota, and the forms for hours, windows, duties and swaps. Thin: reads through
selectors, writes through services."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.exports import xlsx_response
from gongzhi.core.permissions import public, requires
from gongzhi.core.validators import has_control_characters
from gongzhi.desks import selectors, services
from gongzhi.desks.manifest import MANAGE_DESKS, VIEW_DESKS
from gongzhi.desks.models import NEEDED_MAX, Day, Duty, Station
from gongzhi.workorders.models import Window

EMPTY_ROWS = 4  # blank rows offered under the hours already set
MAX_ROWS = 60
ERR_WORKER = "所选人员在{place}没有岗位,不能排入值班表或换班"
ERR_DATE = "请填写有效的日期(如 2026-03-01)"
ERR_DUTY = "请选择换回的班次"
ERR_VERSION = "表单已过期,请刷新后重试"


# -- public -----------------------------------------------------------------------------------
@public
def stations(request):
    rows = list(selectors.public_stations())
    return render(request, "desks/stations.html", {"stations": rows})


def _station_or_404(code):
    place = selectors.public_place(code)
    station = selectors.station_of(place)
    if station is None:
        raise Http404(selectors.NO_STATION)
    return place, station


@public
def station(request, code):
    place, station = _station_or_404(code)
    now = timezone.localtime()
    today = now.date()
    days = selectors.rota(station, today, 7)
    today_row = days[0]
    open_now = any(s.start <= now.time() < s.end for s in today_row.slots)
    return render(request, "desks/station.html", {
        "place": place, "station": station, "hours": selectors.week_hours(station), "today": today_row,
        "week": days, "open_now": open_now, "on_duty": selectors.on_duty(station, today),
        "windows": selectors.windows_of(station), "kind": selectors.kind_label(place)})


@public
def station_guides(request, code):
    place, station = _station_or_404(code)
    windows = [w for w in selectors.windows_of(station) if w["items"]]
    guides = [(w, [selectors.guide(i) for i in w["items"]]) for w in windows]
    return render(request, "desks/guides.html", {"place": place, "station": station, "guides": guides})


@public
def guide(request, code):
    item = selectors.public_item(code)
    return render(request, "desks/guide.html", {"g": selectors.guide(item),
                                                "stations": list(selectors.stations_accepting(item)[:200])})


# -- staff ------------------------------------------------------------------------------------
@requires(VIEW_DESKS)
def overview(request):
    today = timezone.localdate()
    rows = selectors.overview(request.scope, today)
    if request.GET.get("format") == "xlsx":
        header = ["街道", "社区/街道", "服务站", "每周开放时段", "错时时段", "节假日时段", "开设窗口",
                  f"未来 {selectors.AHEAD_DAYS} 天值班空缺"]
        body = ([r["place"].parent.name if r["place"].level == "community" and r["place"].parent else "",
                 r["place"].name, r["station"].name if r["station"] else "未登记", r["sessions"], r["staggered"],
                 r["holiday"], r["windows"], len(r["gaps"])] for r in rows)
        return xlsx_response(filename=f"服务站值班情况-{today:%Y-%m-%d}.xlsx", prefix="desks",
                             sheets=[("服务站", header, body)])
    manageable = {p.pk for p in selectors.places_in(request.scope.for_capability(MANAGE_DESKS))}
    return render(request, "desks/overview.html", {
        "rows": rows, "today": today, "days": selectors.AHEAD_DAYS, "manageable": manageable,
        "gap_total": sum(len(r["gaps"]) for r in rows)})


def _may_manage(scope, place) -> bool:
    return selectors.places_in(scope.for_capability(MANAGE_DESKS)).filter(pk=place.pk).exists()


def _managed(request, code):
    """The place (in the caller's MANAGE_DESKS scope) and its station, made at the first write (a form
    opened on a place without one shows an unsaved station with its default name)."""
    place = selectors.access_place(request.scope, code)
    station = selectors.station_of(place)
    if station is None and request.method == "POST":
        try:
            station = services.station_for(place)
        except RuleError:
            raise Http404(selectors.NOT_FOUND) from None
    return place, station or Station(place=place, name=selectors.default_name(place))


def _date(value, default=None):
    try:
        return dt.date.fromisoformat(str(value or "")[:10]) if value else default
    except ValueError:
        return None


@requires(VIEW_DESKS)
def manage(request, code, *, error="", status=200):
    place = selectors.access_place(request.scope, code)
    station = selectors.station_of(place)
    today = timezone.localdate()
    start = _date(request.GET.get("from"), today) or today
    start = min(max(start, today - dt.timedelta(days=selectors.ROTA_DAYS)),
                today + dt.timedelta(days=services.PLAN_AHEAD_DAYS))
    days = selectors.rota(station, start, selectors.ROTA_DAYS) if station else []
    people = selectors.workers(place)
    counts = selectors.duty_counts(station, start, selectors.ROTA_DAYS) if station else {}
    for p in people:
        p["count"] = counts.get(p["user"].pk, 0)
    return render(request, "desks/manage.html", {
        "place": place, "station": station, "days": days, "people": people, "today": today, "start": start,
        "prev": start - dt.timedelta(days=selectors.ROTA_DAYS), "next": start + dt.timedelta(days=selectors.ROTA_DAYS),
        "may_manage": _may_manage(request.scope, place), "error": error,
        "gaps": sum(d.gaps for d in days if d.date >= today),
        "hours": selectors.week_hours(station) if station else [],
        "windows": selectors.windows_of(station) if station else [],
        "swaps": list(selectors.swaps(station)) if station else [], "kind": selectors.kind_label(place)},
        status=status)


def _back_to_rota(request, place, error, status=422):
    request.scope = request.scope.for_capability(VIEW_DESKS)
    return manage.__wrapped__(request, place.code, error=error, status=status)


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except (TypeError, ValueError):
        return None


def _hour_rows(post) -> list[tuple]:
    days, starts, ends, needs = (post.getlist(k)[:MAX_ROWS + 1] for k in ("day", "start", "end", "needed"))
    rows = []
    for i in range(max(len(days), len(starts), len(ends))):
        day, start, end, needed = (str(seq[i] if i < len(seq) else "").strip() for seq in (days, starts, ends, needs))
        if start or end:
            rows.append((day, start, end, needed or "1"))
    return rows


@requires(MANAGE_DESKS)
def hours(request, code):
    place, station = _managed(request, code)
    error, status = "", 200
    rows = [(s.day, f"{s.start:%H:%M}", f"{s.end:%H:%M}", s.needed)
            for s in (station.sessions.order_by("day", "start") if station.pk else ())]
    name, address = station.name, station.address
    if request.method == "POST":
        rows = _hour_rows(request.POST)
        name, address = request.POST.get("name", ""), request.POST.get("address", "")
        version = _version(request)
        try:
            if version is None:
                raise RuleError(ERR_VERSION)
            services.set_hours(station=station, rows=rows, by=request.user, version=version, name=name,
                               address=address)
        except ConflictError as exc:
            error, status = str(exc), 409
        except RuleError as exc:
            error, status = str(exc), 422
        else:
            messages.success(request, "开放时间已保存")
            return redirect("desks:manage", place.code)
        station.refresh_from_db()
    blank = [("", "", "", 1)] * EMPTY_ROWS
    return render(request, "desks/hours.html", {
        "place": place, "station": station, "rows": [*rows, *blank][:MAX_ROWS + EMPTY_ROWS], "days": Day.choices,
        "needed_max": NEEDED_MAX, "name": name[:200], "address": address[:200], "error": error,
        "version": station.version}, status=status)


@requires(MANAGE_DESKS)
def windows(request, code):
    place, station = _managed(request, code)
    items = list(selectors.service_items(place))
    current = {w["window"]: w for w in selectors.windows_of(station)} if station.pk else {}
    chosen = {w: ({i.code for i in v["items"]} if v["runs"] else None) for w, v in current.items()}
    if not station.pk:  # a new station: the catalogue's own window for each item
        chosen = {w: {i.code for i in items if i.window == w} for w in Window.values}
    error, status = "", 200
    if request.method == "POST":
        wanted = {w: [str(c)[:40] for c in request.POST.getlist(f"items_{w}")[:200]]
                  for w in Window.values if request.POST.get(f"run_{w}")}
        chosen = {w: set(wanted[w]) if w in wanted else None for w in Window.values}
        version = _version(request)
        try:
            if version is None:
                raise RuleError(ERR_VERSION)
            services.set_windows(station=station, windows=wanted, by=request.user, version=version)
        except ConflictError as exc:
            error, status = str(exc), 409
        except RuleError as exc:
            error, status = str(exc), 422
        else:
            messages.success(request, "服务窗口已保存")
            return redirect("desks:manage", place.code)
        station.refresh_from_db()
    rows = [{"window": w, "label": label, "runs": chosen.get(w) is not None,
             "items": [(i, i.code in (chosen.get(w) or ()), i.window == w) for i in items]}
            for w, label in Window.choices]
    return render(request, "desks/windows.html", {"place": place, "station": station, "rows": rows,
                                                  "error": error, "version": station.version}, status=status)


def _worker(place, value):
    try:
        pk = int(str(value or "")[:12])
    except ValueError:
        pk = None
    found = next((w["user"] for w in selectors.workers(place) if w["user"].pk == pk), None)
    if found is None:
        raise RuleError(ERR_WORKER.format(place=place.name))
    return found


@requires(MANAGE_DESKS)
@require_POST
def assign(request, code):
    place, station = _managed(request, code)
    try:
        day = _date(request.POST.get("date"))
        if day is None:
            raise RuleError(ERR_DATE)
        user = _worker(place, request.POST.get("user"))
        services.assign(station=station, date=day, start=request.POST.get("start", "")[:8], user=user,
                        by=request.user)
    except RuleError as exc:
        return _back_to_rota(request, place, str(exc))
    messages.success(request, f"已安排 {user} 于 {day:%Y-%m-%d} 值班")
    back = _date(request.POST.get("from"))
    return redirect(reverse("desks:manage", args=[place.code]) + (f"?from={back:%Y-%m-%d}" if back else ""))


@requires(MANAGE_DESKS)
@require_POST
def fill(request, code):
    place, station = _managed(request, code)
    try:
        days = int(str(request.POST.get("days", ""))[:3])
    except ValueError:
        days = selectors.AHEAD_DAYS
    days = min(max(days, 1), selectors.ROTA_DAYS)
    added = services.fill(station=station, start=timezone.localdate(), days=days, by=request.user)
    if added:
        messages.success(request, f"已按轮换补排 {added} 个班次")
    else:
        messages.info(request, "没有可补排的空缺(或没有可排班的工作人员)")
    return redirect("desks:manage", place.code)


def _duty(station, pk) -> Duty:
    if station.pk is None:
        raise Http404(selectors.NOT_FOUND)
    duty = Duty.objects.filter(pk=pk, station=station).select_related("user", "station", "station__place").first()
    if duty is None:
        raise Http404(selectors.NOT_FOUND)
    return duty


@requires(MANAGE_DESKS)
@require_POST
def unassign(request, code, pk):
    place, station = _managed(request, code)
    duty = _duty(station, pk)
    try:
        services.unassign(duty=duty, by=request.user)
    except RuleError as exc:
        return _back_to_rota(request, place, str(exc))
    messages.success(request, f"已取消 {duty.user} 于 {duty.date:%Y-%m-%d} 的值班")
    return redirect("desks:manage", place.code)


@requires(MANAGE_DESKS)
def swap(request, code, pk):
    place, station = _managed(request, code)
    duty = _duty(station, pk)
    today = timezone.localdate()
    people = [w for w in selectors.workers(place) if w["user"].pk != duty.user_id]
    others = list(Duty.objects.filter(station=station, date__gte=today).exclude(pk=duty.pk)
                  .select_related("user").order_by("date", "start")[:200])
    error, status = "", 200
    form = {"with_user": "", "other": "", "reason": ""}
    if request.method == "POST":
        form = {k: str(request.POST.get(k, ""))[:200] for k in form}
        try:
            if has_control_characters(form["reason"]):
                raise RuleError(services.ERR_CONTROL.format(field="换班原因"))
            with_user = _worker(place, form["with_user"])
            other = None
            if form["other"]:
                try:
                    other = next(d for d in others if d.pk == int(form["other"][:12]))
                except (ValueError, StopIteration):
                    raise RuleError(ERR_DUTY) from None
            services.swap(duty=duty, with_user=with_user, other=other, reason=form["reason"], by=request.user)
        except RuleError as exc:
            error, status = str(exc), 422
        else:
            messages.success(request, f"已登记换班:{duty.user} → {with_user}")
            return redirect("desks:manage", place.code)
    if duty.date < today and request.method == "GET":
        raise PermissionDenied("已过去的班次不能换班")
    return render(request, "desks/swap.html", {"place": place, "station": station, "duty": duty, "people": people,
                                               "others": others, "form": form, "error": error}, status=status)
