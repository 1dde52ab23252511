"""残疾人之家 set up, edited and closed by the community or the street (P-CARE-6).

A post granting `manage_disability_homes` (community, street) keeps the homes at its place and under it: a
community worker their community's own home, a street officer the street's home and its communities'. The
form is shaped by `care.home_forms`; the rules are here: what is offered and its places, places never below
those enrolled, an optimistic version (a stale form changes nothing, 409), closing with a date and a reason
while nobody is enrolled. Nothing is deleted; a closed home keeps its enrolments, attendance and job help.
Setting up, editing and closing each write an audit entry (who, when, the fields before and after, the reason).
"""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from gongzhi.audit.models import AuditAction
from gongzhi.audit.services import record, snapshot
from gongzhi.care.manifest import MANAGE_HOMES
from gongzhi.care.models import DisabilityHome, HomeEnrolment, HomeOffer, HomeService
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.scope import Scope
from gongzhi.core.validators import PHONE_FIELD, has_control_characters
from gongzhi.places.models import Level, Place

MAX_PLACES = 10000
ERR_RIGHT = "只有该残疾人之家所在社区或街道的工作人员可以设置、修改或停办"
ERR_PLACE = "所在社区或街道:请选择您管辖范围内的社区或街道"
ERR_NAME = "名称:请填写(最多 80 字,不含换行和控制字符)"
ERR_SERVICES = "服务:请至少选择一项(日间照料、康复训练、就业帮扶)"
ERR_PLACES = "{label}名额:提供{label}时请填写 1 至 10000 的整数"
ERR_BELOW = "{label}名额:不能少于现在在托的 {n} 人(先为他们结束入托)"
ERR_DROPPED = "服务:还有 {n} 人在{label},不能取消这项服务(先为他们结束入托)"
ERR_HOURS = "开放时间:请填写(最多 60 字,例如 周一至周五 8:30-16:30)"
ERR_ADDRESS = "地址:最多 200 字,不含换行和控制字符"
ERR_CONTACT = "联系人:最多 40 字,不含换行和控制字符"
ERR_PHONE = "联系电话:请填写 11 位手机号或带区号的固定电话"
ERR_STALE = "这个残疾人之家已被他人修改或停办,请刷新后重试;您的修改没有保存"
ERR_CLOSED = "这个残疾人之家已于 {day} 停办,不能再修改"
ERR_CLOSE_DATE = "停办日期:不能晚于今天,也不能早于一年前"
ERR_CLOSE_REASON = "停办原因:请写明(最多 200 字,不含控制字符)"
ERR_STILL_ENROLLED = "还有 {n} 人在托,请先在他们的关爱档案页结束入托或转到其他残疾人之家,再停办"


KIND = "残疾人之家"  # the audit entries' object type
# what an audit entry of a home's set-up or change shows, before and after
AUDITED = ("name", "services", "day_care_places", "rehab_places", "hours", "address", "contact", "phone")


def _scope(by) -> Scope:
    return Scope.for_user_capability(by, MANAGE_HOMES)


def home_places(scope: Scope) -> list[Place]:
    """The streets and communities where the caller (scope narrowed to `manage_disability_homes`) may set up a home."""
    return list(scope.places().filter(level__in=(Level.STREET, Level.COMMUNITY)).order_by("code"))


def homes_managed(scope: Scope):
    """The homes at the scope's places (open and closed)."""
    return DisabilityHome.objects.filter(place__in=scope.places())


def _text(value, hi: int, *, required: bool, one_line: bool = True) -> str | None:
    value = (value or "").strip()
    if (required and not value) or len(value) > hi or has_control_characters(value) or \
            (one_line and any(c in value for c in "\r\n\t")):
        return None
    return value


def _clean(*, name, services, day_care_places, rehab_places, hours, address, contact, phone) -> dict:
    """The checked fields, or RuleError naming the first wrong one."""
    data = {"name": _text(name, 80, required=True)}
    if data["name"] is None:
        raise RuleError(ERR_NAME)
    asked = set(services or ())
    services = [s for s in HomeOffer.values if s in asked]
    if not services or asked - set(services):
        raise RuleError(ERR_SERVICES)
    data["services"] = services
    for field, offer in (("day_care_places", HomeOffer.DAY_CARE), ("rehab_places", HomeOffer.REHAB)):
        n = {"day_care_places": day_care_places, "rehab_places": rehab_places}[field]
        if offer not in services:
            data[field] = 0
            continue
        if not isinstance(n, int) or not 1 <= n <= MAX_PLACES:
            raise RuleError(ERR_PLACES.format(label=HomeOffer(offer).label))
        data[field] = n
    data["hours"] = _text(hours, 60, required=True)
    if data["hours"] is None:
        raise RuleError(ERR_HOURS)
    data["address"] = _text(address, 200, required=False)
    if data["address"] is None:
        raise RuleError(ERR_ADDRESS)
    data["contact"] = _text(contact, 40, required=False)
    if data["contact"] is None:
        raise RuleError(ERR_CONTACT)
    phone = (phone or "").strip()
    if not re.fullmatch(PHONE_FIELD["regex"], phone, flags=re.ASCII):
        raise RuleError(ERR_PHONE)
    data["phone"] = phone
    return data


@transaction.atomic
def home_create(*, place: Place | None, by, **fields) -> DisabilityHome:
    """A new 残疾人之家 at a street or community the caller keeps homes for."""
    if place is None or place.level not in (Level.STREET, Level.COMMUNITY):
        raise RuleError(ERR_PLACE)
    if not _scope(by).contains(place):
        raise PermissionDenied(ERR_RIGHT)
    data = _clean(**fields)
    home = DisabilityHome.objects.create(place=place, created_by=by, **data)
    record(by, AuditAction.FACILITY_CREATE, obj=home, object_type=KIND,
           after=snapshot(home, ("place", *AUDITED)),
           detail=f"在{place.name}设立残疾人之家「{home.name}」")
    return home


def _open_counts(home: DisabilityHome) -> dict[str, int]:
    rows = (HomeEnrolment.objects.filter(home=home, ended_on__isnull=True).order_by().values("service")
            .annotate(n=Count("pk")).values_list("service", "n"))
    return dict(rows)


@transaction.atomic
def home_update(*, home: DisabilityHome, version: int, by, **fields) -> DisabilityHome:
    """Change a home's name, services, places, hours and contact; a form loaded before someone else's change
    (or the closing) is refused with ConflictError and nothing is written."""
    current = DisabilityHome.objects.select_for_update().select_related("place").get(pk=home.pk)
    if not _scope(by).contains(current.place):
        raise PermissionDenied(ERR_RIGHT)
    if current.version != version:
        raise ConflictError(ERR_STALE)
    if current.closed_on:
        raise RuleError(ERR_CLOSED.format(day=current.closed_on.isoformat()))
    data = _clean(**fields)
    taken = _open_counts(current)
    for service, field in ((HomeService.DAY_CARE, "day_care_places"), (HomeService.REHAB, "rehab_places")):
        n, label = taken.get(service, 0), HomeService(service).label
        if n and service not in data["services"]:
            raise RuleError(ERR_DROPPED.format(n=n, label=label))
        if data[field] < n:
            raise RuleError(ERR_BELOW.format(label=label, n=n))
    before = snapshot(current, AUDITED)
    if not DisabilityHome.objects.filter(pk=current.pk, version=version).update(version=version + 1, **data):
        raise ConflictError(ERR_STALE)
    current.refresh_from_db()
    record(by, AuditAction.FACILITY_EDIT, obj=current, object_type=KIND, before=before,
           after=snapshot(current, AUDITED),
           detail=f"修改残疾人之家「{current.name}」")
    return current


@transaction.atomic
def home_close(*, home: DisabilityHome, closed_on: dt.date, reason: str, version: int, by) -> DisabilityHome:
    """Close a home on a date with a reason, once nobody is enrolled; its records stay."""
    current = DisabilityHome.objects.select_for_update().select_related("place").get(pk=home.pk)
    if not _scope(by).contains(current.place):
        raise PermissionDenied(ERR_RIGHT)
    if current.version != version:
        raise ConflictError(ERR_STALE)
    if current.closed_on:
        raise RuleError(ERR_CLOSED.format(day=current.closed_on.isoformat()))
    today = timezone.localdate()
    if closed_on is None or closed_on > today or closed_on < today - dt.timedelta(days=365):
        raise RuleError(ERR_CLOSE_DATE)
    reason = _text(reason, 200, required=True, one_line=False)
    if reason is None:
        raise RuleError(ERR_CLOSE_REASON)
    enrolled = HomeEnrolment.objects.filter(home=current, ended_on__isnull=True).count()
    if enrolled:
        raise RuleError(ERR_STILL_ENROLLED.format(n=enrolled))
    DisabilityHome.objects.filter(pk=current.pk, version=version).update(
        active=False, closed_on=closed_on, close_reason=reason, closed_by=by, version=version + 1)
    current.refresh_from_db()
    record(by, AuditAction.FACILITY_CLOSE, obj=current, object_type=KIND,
           before={"停办日期": None, "停办原因": ""},
           after={"停办日期": closed_on, "停办原因": reason},
           detail=f"残疾人之家「{current.name}」于 {closed_on.isoformat()} 停办:{reason}")
    return current


def open_places(home: DisabilityHome) -> dict[str, int]:
    """{service: enrolled now} for the home's page."""
    taken = _open_counts(home)
    return {s: taken.get(s, 0) for s in HomeService.values}
