"""Ability assessments, care plans, service orders and monthly statements: every write, one function per
use case, each with its rule checks and a Chinese `RuleError` that changes nothing."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from gongzhi.care import assessment as standard
from gongzhi.care import localities, staff
from gongzhi.care.manifest import KEEP_CARE
from gongzhi.care.models import (
    MISSED_AFTER, Assessment, CarePlan, OrderState, PayingScheme, ServiceKind, ServiceOrder, Statement,
    StatementKind, StatementLine, Station,
)
from gongzhi.core.errors import RuleError
from gongzhi.core.validators import has_control_characters
from gongzhi.core.scope import Scope
from gongzhi.people.models import PersonStatus, Resident

ERR_NO_RIGHT = "只有该居民所在社区、网格的工作人员可以办理"
ERR_NOT_ACTIVE = "{name}已不在册(迁出或死亡),不能办理"
ERR_DATE_FUTURE = "{field}不能晚于今天"
ERR_PLAN_SERVICES = "护理计划至少要有一项服务,每项每月 1 至 62 次"
ERR_SCHEME = "请选择支付方式:政府购买、政府补贴或自费"
ERR_STATION = "请选择为该居民所在地提供服务的服务站点"
ERR_KIND = "请选择服务项目:助餐、助浴、助洁、助医陪诊、康复护理或紧急救援"
ERR_NOT_OFFERED = "{station}不提供{kind}服务"
ERR_ORDER_RIGHT = "只有本人、家属或所在社区、网格的工作人员可以预约服务"
ERR_SCHEDULE = "预约时间不能早于现在 1 小时以前"
ERR_NOT_STAFF = "只有承接该工单的服务机构人员可以签到、签退"
ERR_CHECK_IN_STATE = "该服务已签到或已结束,不能再签到"
ERR_CHECK_OUT_BEFORE_IN = "还没有签到,不能签退:请先到老人家中签到"
ERR_CHECK_OUT_STATE = "该服务已签退,不能再签退"
ERR_LATLON = "签到、签退的位置不正确(纬度 -90 至 90,经度 -180 至 180)"
ERR_CONFIRM_RIGHT = "只有本人、家属或所在社区、网格的工作人员可以确认服务"
ERR_CONFIRM_STATE = "服务签退后才能确认"
ERR_RATE_STATE = "服务确认后才能评价"
ERR_RATED = "这次服务已经评价过,不能重复评价"
ERR_RATING = "评价请选择 1 至 5 星"
ERR_CANCEL_STATE = "只有尚未签到的服务可以取消"
ERR_COMPLAIN_RIGHT = "只有本人、家属或所在社区、网格的工作人员可以投诉这项服务"
ERR_COMPLAIN_STATE = "只能投诉已经上门(签到)的服务,或预约时间已过 {hours} 小时仍未上门的服务"
ERR_COMPLAIN_TEXT = "请写明投诉的问题(5 至 500 个字)"
ERR_COMPLAIN_CONTROL = "投诉内容含有不可见的控制字符,请删除后重试"
ERR_COMPLAINED = "这项服务的投诉正在处理(工单 {number}),请在该工单中补充,不必重复投诉"
ERR_NO_COMPLAINT_CATEGORY = "本地区没有启用“居家养老服务投诉”工单类别,请联系系统管理员"
ERR_MONTH = "请选择已经结束或正在进行的月份"
ERR_NOTHING = "{month} 没有尚未结算的已确认服务"
ERR_TWICE = "工单 {number} 已在{kind}上,同一工单不能结算两次"


def _staff_may(by, resident: Resident) -> bool:
    return Scope.for_user_capability(by, KEEP_CARE).contains(resident.grid)


def _own_or_family(by, resident: Resident) -> bool:
    """The elder, a member of their household, or a relative elsewhere linked as 家属 (care/family.py)."""
    own = getattr(by, "resident", None)
    if own is not None and own.household_id == resident.household_id and own.status == PersonStatus.ACTIVE:
        return True
    from gongzhi.care.family import is_family
    return is_family(by, resident)


def _active(resident: Resident) -> None:
    if resident.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_NOT_ACTIVE.format(name=resident.name))


# -- assessments and plans --------------------------------------------------------------------
@transaction.atomic
def assessment_record(*, resident: Resident, scores: dict, assessed_on: dt.date, by, note: str = "") -> Assessment:
    """An ability assessment; every domain of GB/T 42195-2022 must be scored."""
    resident = Resident.objects.select_related("grid").get(pk=resident.pk)
    if not _staff_may(by, resident):
        raise PermissionDenied(ERR_NO_RIGHT)
    _active(resident)
    checked = standard.check_scores(scores)
    if assessed_on > timezone.localdate():
        raise RuleError(ERR_DATE_FUTURE.format(field="评估日期"))
    total = sum(checked.values())
    level, name = standard.level_of(total)
    return Assessment.objects.create(resident=resident, community_id=resident.community_id,
                                     grid_id=resident.grid_id, assessed_on=assessed_on, scores=checked, total=total,
                                     level=level, level_name=name, note=(note or "").strip()[:500], assessor=by)


def stations_for(resident: Resident):
    """Stations serving the resident's community: the community's own, its street's and its district's."""
    community = resident.community
    ancestors = [p for p in community.path.strip("/").split("/")]
    return Station.objects.filter(active=True, place__code__in=ancestors)


@transaction.atomic
def plan_set(*, resident: Resident, services: list[dict], scheme: str, station: Station | None, starts_on: dt.date,
             by, assessment: Assessment | None = None) -> CarePlan:
    """A new care plan; the previous one ends the day before."""
    resident = Resident.objects.select_related("grid", "community").get(pk=resident.pk)
    if not _staff_may(by, resident):
        raise PermissionDenied(ERR_NO_RIGHT)
    _active(resident)
    clean = []
    for s in services:
        try:
            n = int(s.get("per_month", 0))
        except (TypeError, ValueError):
            n = 0
        if s.get("kind") not in ServiceKind.values or not 1 <= n <= 62:
            raise RuleError(ERR_PLAN_SERVICES)
        clean.append({"kind": s["kind"], "per_month": n})
    if not clean:
        raise RuleError(ERR_PLAN_SERVICES)
    if scheme not in PayingScheme.values:
        raise RuleError(ERR_SCHEME)
    if station is None or not stations_for(resident).filter(pk=station.pk).exists():
        raise RuleError(ERR_STATION)
    for s in clean:
        if s["kind"] not in station.services:
            raise RuleError(ERR_NOT_OFFERED.format(station=station.name, kind=ServiceKind(s["kind"]).label))
    CarePlan.objects.filter(resident=resident, ended_on__isnull=True).update(
        ended_on=starts_on - dt.timedelta(days=1))
    return CarePlan.objects.create(resident=resident, community_id=resident.community_id, grid_id=resident.grid_id,
                                   assessment=assessment, station=station, services=clean, scheme=scheme,
                                   starts_on=starts_on, created_by=by)


# -- service orders ------------------------------------------------------------------------------
def _price(resident: Resident, kind: str, scheme: str) -> tuple[Decimal, Decimal]:
    rules = localities.rules_for(resident.community.code)
    price = Decimal(rules["prices"][kind])
    return price, (price * Decimal(rules["schemes"][scheme])).quantize(Decimal("0.01"))


@transaction.atomic
def order_place(*, resident: Resident, kind: str, scheduled_for: dt.datetime, by, station: Station | None = None,
                note: str = "", now=None) -> ServiceOrder:
    """An order by the elder, a family member (an account of the same household) or a worker. The plan's
    station and paying scheme apply; without a plan the order is at the elder's own expense."""
    now = now or timezone.now()
    resident = Resident.objects.select_related("grid", "community").get(pk=resident.pk)
    if not (_staff_may(by, resident) or _own_or_family(by, resident)):
        raise PermissionDenied(ERR_ORDER_RIGHT)
    _active(resident)
    if kind not in ServiceKind.values:
        raise RuleError(ERR_KIND)
    if scheduled_for < now - dt.timedelta(hours=1):
        raise RuleError(ERR_SCHEDULE)
    plan = CarePlan.objects.filter(resident=resident, ended_on__isnull=True).select_related("station").first()
    covered = plan is not None and any(s["kind"] == kind for s in plan.services)
    station = station or (plan.station if plan else None)
    if station is None or not stations_for(resident).filter(pk=station.pk).exists():
        raise RuleError(ERR_STATION)
    if kind not in station.services:
        raise RuleError(ERR_NOT_OFFERED.format(station=station.name, kind=ServiceKind(kind).label))
    scheme = plan.scheme if covered else PayingScheme.OWN
    price, government = _price(resident, kind, scheme)
    return ServiceOrder.objects.create(
        resident=resident, community_id=resident.community_id, grid_id=resident.grid_id, station=station,
        plan=plan if covered else None, kind=kind, scheme=scheme, price=price, paid_by_government=government,
        scheduled_for=scheduled_for, note=(note or "").strip()[:200], ordered_by=by, ordered_at=now)


def _lock(order: ServiceOrder) -> ServiceOrder:
    return ServiceOrder.objects.select_for_update().select_related("resident__grid", "station").get(pk=order.pk)


def _latlon(lat, lon):
    if lat in (None, "") and lon in (None, ""):
        return None, None
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise RuleError(ERR_LATLON) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RuleError(ERR_LATLON)
    return lat, lon


def _bump(order, fields):
    order.version += 1
    order.save(update_fields=[*fields, "version"])
    return order


@transaction.atomic
def order_check_in(*, order: ServiceOrder, by, lat=None, lon=None, now=None) -> ServiceOrder:
    order = _lock(order)
    if not staff.works_at_station(by, order.station):
        raise PermissionDenied(ERR_NOT_STAFF)
    if order.state != OrderState.ORDERED:
        raise RuleError(ERR_CHECK_IN_STATE)
    order.check_in_lat, order.check_in_lon = _latlon(lat, lon)
    order.checked_in_at, order.worker, order.state = now or timezone.now(), by, OrderState.IN_SERVICE
    return _bump(order, ["check_in_lat", "check_in_lon", "checked_in_at", "worker", "state"])


@transaction.atomic
def order_check_out(*, order: ServiceOrder, by, lat=None, lon=None, note: str = "", now=None) -> ServiceOrder:
    order = _lock(order)
    if not staff.works_at_station(by, order.station):
        raise PermissionDenied(ERR_NOT_STAFF)
    if order.state == OrderState.ORDERED:
        raise RuleError(ERR_CHECK_OUT_BEFORE_IN)
    if order.state != OrderState.IN_SERVICE:
        raise RuleError(ERR_CHECK_OUT_STATE)
    order.check_out_lat, order.check_out_lon = _latlon(lat, lon)
    order.checked_out_at, order.state = now or timezone.now(), OrderState.DONE
    order.service_note = (note or "").strip()[:500]
    return _bump(order, ["check_out_lat", "check_out_lon", "checked_out_at", "state", "service_note"])


@transaction.atomic
def order_confirm(*, order: ServiceOrder, by, now=None) -> ServiceOrder:
    order = _lock(order)
    if not (_staff_may(by, order.resident) or _own_or_family(by, order.resident)):
        raise PermissionDenied(ERR_CONFIRM_RIGHT)
    if order.state != OrderState.DONE:
        raise RuleError(ERR_CONFIRM_STATE)
    order.state, order.confirmed_by, order.confirmed_at = OrderState.CONFIRMED, by, now or timezone.now()
    return _bump(order, ["state", "confirmed_by", "confirmed_at"])


@transaction.atomic
def order_rate(*, order: ServiceOrder, by, rating, comment: str = "") -> ServiceOrder:
    order = _lock(order)
    if not (_staff_may(by, order.resident) or _own_or_family(by, order.resident)):
        raise PermissionDenied(ERR_CONFIRM_RIGHT)
    if order.state != OrderState.CONFIRMED:
        raise RuleError(ERR_RATE_STATE)
    if order.rating is not None:
        raise RuleError(ERR_RATED)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise RuleError(ERR_RATING) from None
    if not 1 <= rating <= 5:
        raise RuleError(ERR_RATING)
    order.rating, order.rating_comment = rating, (comment or "").strip()[:200]
    return _bump(order, ["rating", "rating_comment"])


@transaction.atomic
def order_cancel(*, order: ServiceOrder, by) -> ServiceOrder:
    order = _lock(order)
    if not (_staff_may(by, order.resident) or _own_or_family(by, order.resident)):
        raise PermissionDenied(ERR_ORDER_RIGHT)
    if order.state != OrderState.ORDERED:
        raise RuleError(ERR_CANCEL_STATE)
    order.state = OrderState.CANCELLED
    return _bump(order, ["state"])


# -- complaints: a complaint about a service becomes a work order ---------------------------------
# in the default catalogue (workorders/data/catalogue.toml; care's migration 0006 adds it to databases made
# before it); an admin may edit or retire it
COMPLAINT_CATEGORY = "care_complaint"


@transaction.atomic
def order_complain(*, order: ServiceOrder, by, text: str, now=None) -> ServiceOrder:
    """The elder, family or a worker complains about a service (late, missed, poorly done, rude staff): a
    work order of the care-complaint category is raised, routed by the catalogue (to the street, which
    contracts the stations), and linked to the service; the service order itself is left as it is. One open
    complaint per service: more goes into that work order."""
    from gongzhi.workorders import services as workorders
    from gongzhi.workorders.models import OPEN_STATES, Category, Channel

    order = _lock(order)
    if not (_staff_may(by, order.resident) or _own_or_family(by, order.resident)):
        raise PermissionDenied(ERR_COMPLAIN_RIGHT)
    now = now or timezone.now()
    missed = order.state == OrderState.ORDERED and order.scheduled_for <= now - MISSED_AFTER
    if order.state == OrderState.CANCELLED or (order.state == OrderState.ORDERED and not missed):
        raise RuleError(ERR_COMPLAIN_STATE.format(hours=int(MISSED_AFTER.total_seconds() // 3600)))
    text = (text or "").strip()
    if has_control_characters(text):
        raise RuleError(ERR_COMPLAIN_CONTROL)
    if not 5 <= len(text) <= 500:
        raise RuleError(ERR_COMPLAIN_TEXT)
    if order.complaint_id and order.complaint.state in OPEN_STATES:
        raise RuleError(ERR_COMPLAINED.format(number=order.complaint.number))
    category = Category.objects.filter(code=COMPLAINT_CATEGORY, active=True).first()
    if category is None:
        raise RuleError(ERR_NO_COMPLAINT_CATEGORY)
    when = timezone.localtime(order.scheduled_for)
    what = "未按预约上门" if missed else order.get_state_display()
    # no name, age or health detail: the work order is about the service and its provider
    complaint = workorders.order_report(
        category=category, channel=Channel.WEB, by=by, grid=order.grid, community=order.community, now=now,
        title=f"居家养老服务投诉:{order.station.name}{order.get_kind_display()}"[:100],
        description=f"服务单 {order.number}({order.get_kind_display()},{order.station.name},预约 {when:%Y-%m-%d %H:%M},"
                    f"{what}):{text}",
        extra={"care_order": order.number, "station": order.station.name})
    order.complaint = complaint
    return _bump(order, ["complaint"])


# -- monthly statements ----------------------------------------------------------------------------
def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(first, dt.time.min, tzinfo=tz), dt.datetime.combine(nxt, dt.time.min, tzinfo=tz))


@transaction.atomic
def statements_make(*, community, month: dt.date, by, orders=None) -> list[Statement]:
    """The month's statements of a community: one per elder and one per station, of the orders confirmed in
    the month and on no statement of that kind yet. `orders` (tests, a hand-picked list) must all be such."""
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise RuleError(ERR_MONTH)
    if not Scope.for_user_capability(by, KEEP_CARE).contains(community):
        raise PermissionDenied(ERR_NO_RIGHT)
    start, end = month_bounds(month)
    made = []
    for kind, key in ((StatementKind.ELDER, "resident_id"), (StatementKind.PROVIDER, "station_id")):
        qs = ServiceOrder.objects.filter(community=community, state=OrderState.CONFIRMED, confirmed_at__gte=start,
                                         confirmed_at__lt=end)
        if orders is not None:
            picked = [o.pk for o in orders]
            already = StatementLine.objects.filter(kind=kind, order_id__in=picked).select_related("order").first()
            if already:
                raise RuleError(ERR_TWICE.format(number=already.order.number, kind=StatementKind(kind).label))
            qs = qs.filter(pk__in=picked)
        # probed per order (NOT EXISTS): a NOT IN over every statement line ever written is scanned again per
        # order on PostgreSQL once it outgrows work_mem
        qs = qs.exclude(Exists(StatementLine.objects.filter(kind=kind, order_id=OuterRef("pk"))))
        for owner in qs.order_by().values_list(key, flat=True).distinct():
            mine = qs.filter(**{key: owner})
            sums = mine.aggregate(amount=Sum("price"), government=Sum("paid_by_government"))
            statement = Statement.objects.create(kind=kind, month=month, community=community, made_by=by,
                                                 orders=mine.count(), amount=sums["amount"] or 0,
                                                 government=sums["government"] or 0, **{key: owner})
            try:
                with transaction.atomic():
                    StatementLine.objects.bulk_create([StatementLine(statement=statement, kind=kind, order_id=pk)
                                                       for pk in mine.values_list("pk", flat=True)])
            except IntegrityError:  # another statement took one of them meanwhile
                raise RuleError(ERR_TWICE.format(number="", kind=StatementKind(kind).label)) from None
            made.append(statement)
    if not made:
        raise RuleError(ERR_NOTHING.format(month=month.strftime("%Y-%m")))
    return made
