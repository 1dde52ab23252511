"""Stations at three levels, the 30-minute circle on a map, P-CARE-3's coverage per community, street and
district, and hardship reports (困难上报) checked against the locality's schemes, routed and decided."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.audit.models import AuditAction
from gongzhi.audit.services import record, snapshot
from gongzhi.care import hardship, selectors, services, stations
from gongzhi.care.manifest import DECIDE_HARDSHIP, KEEP_CARE, MANAGE_STATIONS
from gongzhi.care.models import HardshipKind, HardshipReport, HardshipState, ServiceKind, Station, StationLevel
from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import requires
from gongzhi.core.validators import has_control_characters
from gongzhi.places.models import Level

ERR_STATION_NAME = "请填写站点名称(最多 80 字,不含控制字符)"
ERR_STATION_TEXT = "开放时间、地址和位置不能包含控制字符"
ERR_STATION_PLACE = "请选择站点所在的区、街道或社区(须在您的管辖范围内,层级与站点层级一致)"
ERR_STATION_LATLON = "站点位置请填写纬度(-90 至 90)和经度(-180 至 180),或都不填"
ERR_CAPACITY = "日服务能力应为 0 至 100000 的整数"
LEVEL_OF_PLACE = {StationLevel.DISTRICT: Level.DISTRICT, StationLevel.STREET: Level.STREET,
                  StationLevel.COMMUNITY: Level.COMMUNITY}


def _places(scope):
    return list(scope.places().filter(level__in=(Level.DISTRICT, Level.STREET, Level.COMMUNITY)).order_by("code"))


@requires(MANAGE_STATIONS)
def station_list(request):
    """养老服务站点: the stations and P-CARE-3 per community with urban and rural totals; a form to add one."""
    scope, today = request.scope, timezone.localdate()
    communities = selectors.communities_in(scope)
    places = _places(scope)
    error = None
    if request.method == "POST":
        try:
            _station_save(request, places)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, "已添加服务站点")
            return redirect("care:stations")
    rows = stations.coverage(communities, today)
    in_scope = Station.objects.filter(place__in=places).select_related("place")
    return render(request, "care/stations.html", {
        "stations": in_scope, "rows": rows, "totals": stations.totals(rows), "places": places, "error": error,
        "levels": StationLevel.choices, "kinds": ServiceKind.choices}, status=422 if error else 200)


def _station_save(request, places):
    p = request.POST
    name = p.get("name", "").strip()
    if not name or len(name) > 80 or has_control_characters(name):
        raise RuleError(ERR_STATION_NAME)
    if any(has_control_characters(p.get(k, "")) for k in ("hours", "address", "lat", "lon", "capacity", "place")):
        raise RuleError(ERR_STATION_TEXT)
    level = p.get("level", "")
    place = next((x for x in places if x.code == p.get("place", "")), None)
    if level not in StationLevel.values or place is None or place.level != LEVEL_OF_PLACE[level]:
        raise RuleError(ERR_STATION_PLACE)
    lat, lon = p.get("lat", "").strip(), p.get("lon", "").strip()
    try:
        lat, lon = (float(lat), float(lon)) if lat or lon else (None, None)
    except ValueError:
        raise RuleError(ERR_STATION_LATLON) from None
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RuleError(ERR_STATION_LATLON)
    capacity = p.get("capacity", "0").strip() or "0"
    if not (capacity.isascii() and capacity.isdigit()) or int(capacity) > 100000:
        raise RuleError(ERR_CAPACITY)
    station = Station.objects.create(place=place, level=level, name=name,
                                     services=[k for k in p.getlist("services") if k in ServiceKind.values],
                                     hours=p.get("hours", "").strip()[:60], capacity=int(capacity),
                                     address=p.get("address", "").strip()[:200], lat=lat, lon=lon)
    record(request, AuditAction.FACILITY_CREATE, obj=station, object_type="养老服务站点", after=snapshot(
        station, ("place", "level", "name", "services", "hours", "capacity", "address")),
        detail=f"在{place.name}设立养老服务站点「{name}」")


@requires(MANAGE_STATIONS)
def station_map(request):
    return render(request, "care/station_map.html", {})


@requires(MANAGE_STATIONS)
def station_map_data(request):
    """GeoJSON: stations (points) and grids (their centres) with elders inside or outside the circle; counts only."""
    scope, today = request.scope, timezone.localdate()
    features = []
    for s in Station.objects.filter(place__in=_places(scope), lat__isnull=False, active=True):
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                         "properties": {"kind": "station", "name": s.name, "level": s.get_level_display(),
                                        "hours": s.hours, "capacity": s.capacity}})
    for row in stations.grid_coverage(selectors.communities_in(scope), today):
        if row["centre"] is None or not row["elders"]:
            continue
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": [row["centre"][1], row["centre"][0]]},
                         "properties": {"kind": "elders", "name": row["grid"].name, "elders": row["elders"],
                                        "inside": row["inside"], "reach": row["reach"],
                                        "metres": round(row["metres"]) if row["metres"] is not None else None,
                                        "station": row["station"].name if row["station"] else ""}})
    return JsonResponse({"type": "FeatureCollection", "features": features})


# -- hardship reports ---------------------------------------------------------------------------------
@requires(DECIDE_HARDSHIP)
def hardship_list(request):
    scope, today = request.scope, timezone.localdate()
    qs = selectors.scope_filter(scope, HardshipReport.objects.select_related("resident", "community"))
    state = request.GET.get("state", "")
    if state in HardshipState.values:
        qs = qs.filter(state=state)
    rows = list(qs[:200])
    for r in rows:
        r.late = r.state == HardshipState.ROUTED and r.due_on and r.due_on < today
    return render(request, "care/hardships.html", {"rows": rows, "states": HardshipState.choices, "state": state})


@requires(DECIDE_HARDSHIP)
def hardship_detail(request, pk, error=None, status=200):
    report = selectors.scope_filter(request.scope, HardshipReport.objects.select_related(
        "resident__household", "community", "grid", "reported_by")).filter(pk=pk).first()
    if report is None:
        raise Http404("未找到或无权访问")
    access_log_write(user=request.user, action=AccessAction.UNMASK, request=request,
                     target=f"{report.resident.name}(困难上报 #{report.pk})", detail="查看困难上报和政策比对")
    checked = report.scheme_check or hardship.check(report)
    for s in checked:
        s["result_label"] = hardship.RESULT_LABELS[s["result"]]
        for c in s["conditions"]:
            c["result_label"] = hardship.RESULT_LABELS[c["result"]]
    return render(request, "care/hardship.html", {
        "r": report, "checked": checked, "error": error,
        "late": report.state == HardshipState.ROUTED and report.due_on and report.due_on < timezone.localdate(),
        "can_route": report.state == HardshipState.REPORTED and request.scope.can(KEEP_CARE, report.grid),
        "can_decide": report.state == HardshipState.ROUTED and any(
            a.role in ("street", "admin") and report.community.is_within(a.place) for a in request.scope.assignments)},
        status=status)


def _hardship_step(request, pk, fn, done):
    report = selectors.scope_filter(request.scope, HardshipReport.objects.all()).filter(pk=pk).first()
    if report is None:
        raise Http404("未找到或无权访问")
    try:
        fn(report)
    except (RuleError, ConflictError) as exc:
        request.scope = request.scope.for_capability(DECIDE_HARDSHIP)
        return hardship_detail.__wrapped__(request, pk, error=str(exc),
                                           status=409 if isinstance(exc, ConflictError) else 422)
    messages.success(request, done)
    return redirect("care:hardship", pk=pk)


@requires(DECIDE_HARDSHIP)
@require_POST
def hardship_route(request, pk):
    return _hardship_step(request, pk, lambda r: hardship.hardship_route(
        report=r, scheme=request.POST.get("scheme", ""), by=request.user, version=request.POST.get("version")),
        "已转办")


@requires(DECIDE_HARDSHIP)
@require_POST
def hardship_decide(request, pk):
    return _hardship_step(request, pk, lambda r: hardship.hardship_decide(
        report=r, granted=request.POST.get("granted") == "yes", outcome=request.POST.get("outcome", ""),
        by=request.user, version=request.POST.get("version")), "已办结")


@requires(KEEP_CARE)
@require_POST
def hardship_new(request, pk):
    person = selectors.access_person(request.scope, pk)
    try:
        report = services.hardship_report(resident=person, kind=request.POST.get("kind", ""),
                                          description=request.POST.get("description", ""), by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
        return redirect("care:person", pk=person.pk)
    except PermissionDenied:
        raise
    messages.success(request, "已困难上报")
    return redirect("care:hardship", pk=report.pk)


HARDSHIP_KINDS = HardshipKind.choices
