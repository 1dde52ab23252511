"""The staff accounts of stations and 残疾人之家 (care/staff.py): a station's page with its current and past staff,
the forms to bind an account and to end a binding, and the same for a home on its staff page. Thin: the rules and
the audit entries are care.staff's; a refused write re-renders its page (422, a stale form 409) and changes
nothing. A station or home outside the caller's places, or an id no database holds, is 404."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.care import homes, staff
from gongzhi.care.manifest import MANAGE_HOMES, MANAGE_STATIONS, VIEW_CARE
from gongzhi.care.models import HomeStaff, ServiceKind, StationStaff
from gongzhi.care.views_common import in_range, parse_date
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.forms import posted_version, refusal_status
from gongzhi.core.permissions import requires
from gongzhi.core.validators import has_control_characters

NOT_FOUND = "未找到或无权访问"


def access_station(scope, pk):
    """A station at the places of the caller's `manage_stations` posts, or 404."""
    station = staff.stations_managed(scope).select_related("place").filter(pk=in_range(pk)).first()
    if station is None:
        raise Http404(NOT_FOUND)
    return station


def access_home(scope, pk):
    """A home at the places of the caller's `manage_disability_homes` posts, or 404."""
    home = homes.homes_managed(scope).select_related("place").filter(pk=in_range(pk)).first()
    if home is None:
        raise Http404(NOT_FOUND)
    return home


def _refused(exc) -> tuple[str, int]:
    return str(exc), refusal_status(exc)


def _echo(value: str) -> str:
    """What the refused form shows again in its field: nothing broken (control characters) is sent back."""
    return "" if has_control_characters(value) else value[:150]


# -- stations ------------------------------------------------------------------------------------------
def _station_page(request, station, *, error="", status=200, username=""):
    current, past = staff.bindings(StationStaff.objects.filter(station=station))
    return render(request, "care/station.html", {
        "station": station, "current": current, "past": past, "error": error, "username": username,
        "today": timezone.localdate(), "kinds": ServiceKind.choices,
        "orders_open": station.orders.filter(state__in=("ordered", "in_service")).count()}, status=status)


@requires(MANAGE_STATIONS)
def station_detail(request, pk):
    """养老服务站点: what it offers, its staff accounts now and before, and the forms to bind and end them."""
    return _station_page(request, access_station(request.scope, pk))


@requires(MANAGE_STATIONS)
def station_staff_bind(request, pk):
    """绑定工作人员账号 (POST; the form is on the station's page, where a GET goes)."""
    station = access_station(request.scope, pk)
    if request.method != "POST":
        return redirect("care:station", station.pk)
    return _bind(request, STATION, station)


@requires(MANAGE_STATIONS)
@require_POST
def station_staff_end(request, pk):
    """结束绑定: from the date given on, the account no longer sees or serves the station's orders."""
    return _end(request, STATION, pk)


# -- 残疾人之家 ------------------------------------------------------------------------------------------
def _home_staff_page(request, home, *, error="", status=200, username=""):
    current, past = staff.bindings(HomeStaff.objects.filter(home=home))
    return render(request, "care/home_staff_accounts.html", {
        "home": home, "current": current, "past": past, "error": error, "username": username,
        "today": timezone.localdate(), "can_view": request.scope.can(VIEW_CARE, home.place),
        "open": home.active and not home.closed_on}, status=status)


@requires(MANAGE_HOMES)
def home_staff_bind(request, pk):
    """残疾人之家工作人员账号: its staff now and before, the form to bind one (POST) and to end a binding."""
    home = access_home(request.scope, pk)
    if request.method != "POST":
        return _home_staff_page(request, home)
    return _bind(request, HOME, home)


@requires(MANAGE_HOMES)
@require_POST
def home_staff_end(request, pk):
    return _end(request, HOME, pk)


# -- binding and ending, the same for both kinds of unit ------------------------------------------------
@dataclass(frozen=True)
class _Unit:
    """What differs between a station's staff and a home's: the unit's field on the binding, its page, the
    services that bind and end, the units the caller manages, and the page a success returns to."""
    field: str
    bindings: type
    page: Callable
    bind: Callable
    end: Callable
    managed: Callable
    url_name: str


STATION = _Unit("station", StationStaff, _station_page, staff.station_staff_bind, staff.station_staff_end,
                staff.stations_managed, "care:station")
HOME = _Unit("home", HomeStaff, _home_staff_page, staff.home_staff_bind, staff.home_staff_end,
             homes.homes_managed, "care:home_staff_bind")


def _bind(request, kind: _Unit, unit):
    username = request.POST.get("username", "")
    try:
        binding = kind.bind(**{kind.field: unit}, username=username, by=request.user)
    except (RuleError, ConflictError) as exc:
        error, status = _refused(exc)
        return kind.page(request, unit, error=error, status=status, username=_echo(username))
    messages.success(request, f"已将账号「{binding.user.username}」绑定为「{unit.name}」的工作人员账号")
    return redirect(kind.url_name, unit.pk)


def _end(request, kind: _Unit, pk):
    binding = kind.bindings.objects.filter(
        pk=in_range(pk), **{f"{kind.field}__in": kind.managed(request.scope)}).select_related(
        f"{kind.field}__place").first()
    if binding is None:
        raise Http404(NOT_FOUND)
    unit = getattr(binding, kind.field)
    try:
        ended = kind.end(binding=binding, ended_on=parse_date(request.POST.get("ended_on"), "结束日期"),
                         version=posted_version(request.POST.get("version")), by=request.user)
    except (RuleError, ConflictError) as exc:
        error, status = _refused(exc)
        return kind.page(request, unit, error=error, status=status)
    messages.success(request, f"账号「{ended.user.username}」自 {ended.ended_on:%Y-%m-%d} 起不再是"
                              f"「{unit.name}」的工作人员账号")
    return redirect(kind.url_name, unit.pk)
