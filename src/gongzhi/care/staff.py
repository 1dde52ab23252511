"""The staff accounts of care stations and 残疾人之家, bound with dates (like estates' firm accounts).

A provider account (Role.PROVIDER) works at a station (`StationStaff`) or a home (`HomeStaff`) from the day it is
bound until the end date a manager gives: the station's staff see and serve its orders (care/orders.py,
care/order_views.py), the home's staff record the day's attendance (care/disabled.py), and from the end date
on they do not. Stations are kept by posts granting `manage_stations`, homes by those granting
`manage_disability_homes`; a post binds only accounts whose provider post lies in its places and reaches the
station's or home's place, and only for the stations and homes at its places. Rows are never deleted; every
binding and every end writes an audit entry.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.audit.models import AuditAction
from gongzhi.audit.services import record
from gongzhi.care.manifest import MANAGE_HOMES, MANAGE_STATIONS
from gongzhi.care.models import DisabilityHome, HomeStaff, Station, StationStaff, current_binding
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.scope import Scope
from gongzhi.core.validators import has_control_characters
from gongzhi.places.models import Level, Place

ERR_USERNAME = "账号:请填写要绑定的账号登录名(最多 150 字,不含空格和控制字符)"
ERR_USER = "没有名为「{name}」的有效账号"
ERR_USER_ROLE = "账号「{name}」不是服务机构人员账号,请先为其设置服务机构人员岗位"
ERR_USER_PLACE = "账号「{name}」的服务机构人员岗位不在您管理的范围内"
ERR_USER_THERE = "账号「{name}」的服务机构人员岗位不在{place},也不在其上级或下级,绑定后看不到{unit}的服务"
ERR_BOUND = "账号「{name}」已是「{unit}」的工作人员账号"
ERR_INACTIVE = "「{unit}」已停用或停办,不能再绑定工作人员账号"
ERR_STATION_RIGHT = "只有该站点所在区、街道或社区管理养老服务站点的工作人员可以绑定或结束其工作人员账号"
ERR_HOME_RIGHT = "只有该残疾人之家所在社区或街道的工作人员可以绑定或结束其工作人员账号"
ERR_END_DATE = "结束日期:请按 年-月-日 填写,不能早于开始日期({start})或 31 天前,也不能晚于一年后"
ERR_ENDED = "账号「{name}」在「{unit}」的绑定已于 {day} 结束,不能再次结束"
ERR_STALE = "这条绑定记录已被他人修改,请刷新后重试;您的操作没有保存"
END_BACK_DAYS = 31
END_AHEAD_DAYS = 365


# -- who works where, now ------------------------------------------------------------------------------
def stations_of(user, today: dt.date | None = None) -> QuerySet[Station]:
    """The stations `user` is bound to today."""
    ids = StationStaff.objects.filter(current_binding(today), user_id=user.pk).values("station_id")
    return Station.objects.filter(pk__in=ids)


def homes_of(user, today: dt.date | None = None) -> QuerySet[DisabilityHome]:
    """The homes `user` is bound to today."""
    ids = HomeStaff.objects.filter(current_binding(today), user_id=user.pk).values("home_id")
    return DisabilityHome.objects.filter(pk__in=ids)


def works_at_station(user, station: Station, today: dt.date | None = None) -> bool:
    return StationStaff.objects.filter(current_binding(today), user_id=user.pk, station_id=station.pk).exists()


def works_at_home(user, home: DisabilityHome, today: dt.date | None = None) -> bool:
    return HomeStaff.objects.filter(current_binding(today), user_id=user.pk, home_id=home.pk).exists()


STATION_LEVELS = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)


def stations_managed(scope: Scope) -> QuerySet[Station]:
    """The stations at the places of `scope` (narrowed to `manage_stations`), as the stations page lists them."""
    return Station.objects.filter(place__in=scope.places().filter(level__in=STATION_LEVELS))


def bindings(queryset) -> tuple[list, list]:
    """(current, past) of a station's or a home's bindings, the accounts fetched with them."""
    today = timezone.localdate()
    rows = list(queryset.select_related("user", "bound_by", "ended_by").order_by("ended_on", "-started_on", "-pk"))
    current = [b for b in rows if b.is_current(today)]
    return current, [b for b in rows if not b.is_current(today)]


# -- binding -------------------------------------------------------------------------------------------
def provider_posts(user) -> list[RoleAssignment]:
    return list(user.assignments.filter(active=True, role=Role.PROVIDER).select_related("place"))


def _account(username, scope: Scope, place: Place, unit: str) -> User:
    """The active provider account `username`, with a provider post in the binder's places reaching `place`."""
    name = username.strip() if isinstance(username, str) else ""
    if not name or len(name) > 150 or has_control_characters(name) or any(c.isspace() for c in name):
        raise RuleError(ERR_USERNAME)  # checked before any query: a NUL never reaches PostgreSQL
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise RuleError(ERR_USER.format(name=name))
    posts = provider_posts(user)
    if not posts:
        raise RuleError(ERR_USER_ROLE.format(name=name))
    mine = [p for p in posts if scope.contains(p.place)]
    if not mine:
        raise RuleError(ERR_USER_PLACE.format(name=name))
    if not any(p.place.is_within(place) or place.is_within(p.place) for p in mine):
        raise RuleError(ERR_USER_THERE.format(name=name, place=place.name, unit=unit))
    return user


def _bind(model, field: str, unit, *, username, by, scope: Scope, right: str, active: bool):
    if not scope.contains(unit.place):
        raise PermissionDenied(right)
    if not active:
        raise RuleError(ERR_INACTIVE.format(unit=unit.name))
    user = _account(username, scope, unit.place, unit.name)
    today = timezone.localdate()
    # bound today, or open-ended (the conditional unique constraint's case): one question for both
    if model.objects.filter(current_binding(today) | Q(ended_on__isnull=True), user=user, **{field: unit}).exists():
        raise RuleError(ERR_BOUND.format(name=user.username, unit=unit.name))
    try:
        with transaction.atomic():
            binding = model.objects.create(user=user, started_on=today, bound_by=by, **{field: unit})
    except IntegrityError:  # another manager bound the same account a moment ago
        raise RuleError(ERR_BOUND.format(name=user.username, unit=unit.name)) from None
    record(by, AuditAction.STAFF_BIND, obj=binding, after={"账号": user.username, "姓名": user.display_name,
                                                           "开始日期": today},
           detail=f"将账号「{user.username}」绑定为「{unit.name}」的工作人员账号")
    return binding


@transaction.atomic
def station_staff_bind(*, station: Station, username: str, by) -> StationStaff:
    """Bind the provider account `username` to `station` from today. `by` keeps the station's place
    (`manage_stations`); the account's provider post must lie in `by`'s places and reach the station's place."""
    station = Station.objects.select_for_update().select_related("place").get(pk=station.pk)
    return _bind(StationStaff, "station", station, username=username, by=by,
                 scope=Scope.for_user_capability(by, MANAGE_STATIONS), right=ERR_STATION_RIGHT, active=station.active)


@transaction.atomic
def home_staff_bind(*, home: DisabilityHome, username: str, by) -> HomeStaff:
    """Bind the provider account `username` to the 残疾人之家 `home` from today (`manage_disability_homes`)."""
    home = DisabilityHome.objects.select_for_update().select_related("place").get(pk=home.pk)
    return _bind(HomeStaff, "home", home, username=username, by=by,
                 scope=Scope.for_user_capability(by, MANAGE_HOMES), right=ERR_HOME_RIGHT,
                 active=home.active and not home.closed_on)


# -- ending --------------------------------------------------------------------------------------------
def _end(model, binding, unit_attr: str, *, ended_on, version: int, by, scope: Scope, right: str):
    binding = model.objects.select_for_update().select_related("user", f"{unit_attr}__place").get(pk=binding.pk)
    unit = getattr(binding, unit_attr)
    if not scope.contains(unit.place):
        raise PermissionDenied(right)
    if binding.ended_on is not None:
        raise RuleError(ERR_ENDED.format(name=binding.user.username, unit=unit.name, day=binding.ended_on.isoformat()))
    if binding.version != version:
        raise ConflictError(ERR_STALE)
    today = timezone.localdate()
    if not isinstance(ended_on, dt.date) or ended_on < binding.started_on or \
            ended_on < today - dt.timedelta(days=END_BACK_DAYS) or ended_on > today + dt.timedelta(days=END_AHEAD_DAYS):
        raise RuleError(ERR_END_DATE.format(start=binding.started_on.isoformat()))
    if not model.objects.filter(pk=binding.pk, version=version, ended_on__isnull=True).update(
            ended_on=ended_on, ended_by=by, version=version + 1):
        raise ConflictError(ERR_STALE)
    binding.refresh_from_db()
    record(by, AuditAction.STAFF_END, obj=binding, before={"结束日期": None}, after={"结束日期": ended_on},
           detail=f"账号「{binding.user.username}」自 {ended_on.isoformat()} 起不再是「{unit.name}」的工作人员账号")
    return binding


@transaction.atomic
def station_staff_end(*, binding: StationStaff, ended_on: dt.date, version: int, by) -> StationStaff:
    """End a station binding on `ended_on` (the first day without it: from then on the account sees none of the
    station's orders). Ending an ended binding is refused (RuleError); a form loaded before another change is
    stale (ConflictError). Nothing is deleted."""
    return _end(StationStaff, binding, "station", ended_on=ended_on, version=version, by=by,
                scope=Scope.for_user_capability(by, MANAGE_STATIONS), right=ERR_STATION_RIGHT)


@transaction.atomic
def home_staff_end(*, binding: HomeStaff, ended_on: dt.date, version: int, by) -> HomeStaff:
    """End a 残疾人之家 binding on `ended_on`, as `station_staff_end` does."""
    return _end(HomeStaff, binding, "home", ended_on=ended_on, version=version, by=by,
                scope=Scope.for_user_capability(by, MANAGE_HOMES), right=ERR_HOME_RIGHT)
