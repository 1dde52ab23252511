"""Assessments, care plans, service orders and statements: the worker's pages (assess, plan, order, confirm
and rate for the elder, the month's statements), the provider's phone page (their stations' orders, check-in
and check-out) and the elder's own page (order, confirm, rate). Every view of an assessment is access-logged."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.care import assessment as standard
from gongzhi.care import orders as services
from gongzhi.care import selectors, staff
from gongzhi.care.views_common import in_range
from gongzhi.care.manifest import DELIVER_CARE, KEEP_CARE, VIEW_CARE
from gongzhi.care.models import (
    Assessment, OrderState, PayingScheme, ServiceKind, ServiceOrder, Statement, Station,
)
from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import own_records, requires

ERR_WHEN = "预约时间请按 年-月-日 时:分 填写"
ERR_MONTH = "月份请按 年-月 填写,例如 2026-03"


def _when(value: str) -> dt.datetime:
    try:
        naive = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise RuleError(ERR_WHEN) from None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise RuleError(f"{field}请按 年-月-日 填写,例如 2026-03-01") from None


def _station(pk) -> Station | None:
    return Station.objects.filter(pk=int(pk)).first() if str(pk or "").isdigit() and len(str(pk)) < 10 else None


# -- assessments ----------------------------------------------------------------------------------
@requires(KEEP_CARE)
def assess(request, pk):
    """能力评估 (GB/T 42195-2022): the four domains' scores; a missing domain is refused."""
    person = selectors.access_person(request.scope, pk)
    error, values = None, {}
    if request.method == "POST":
        values = {d["code"]: request.POST.get(d["code"], "") for d in standard.domains()}
        try:
            a = services.assessment_record(resident=person, scores=values, by=request.user,
                                           assessed_on=_date(request.POST.get("assessed_on"), "评估日期"),
                                           note=request.POST.get("note", ""))
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, f"已保存评估:总分 {a.total},{a.level_name}")
            return redirect("care:assessment", pk=a.pk)
    return render(request, "care/assess.html", {"person": person, "domains": standard.domains(), "v": values,
                                                "error": error, "today": timezone.localdate()},
                  status=422 if error else 200)


@requires(VIEW_CARE)
def assessment(request, pk):
    a = selectors.scope_filter(request.scope, Assessment.objects.select_related("resident", "assessor")).filter(
        pk=pk).first()
    if a is None:
        raise Http404("未找到或无权访问")
    access_log_write(user=request.user, action=AccessAction.UNMASK, request=request,
                     target=f"{a.resident.name}(能力评估 #{a.pk})", detail="查看老年人能力评估")
    rows = [{"name": d["name"], "max": d["max"], "score": a.scores.get(d["code"])} for d in standard.domains()]
    return render(request, "care/assessment.html", {"a": a, "rows": rows})


# -- plans and orders by the worker -----------------------------------------------------------------
@requires(KEEP_CARE)
@require_POST
def plan(request, pk):
    person = selectors.access_person(request.scope, pk)
    chosen = [{"kind": k, "per_month": request.POST.get(f"per_month_{k}", "")} for k in ServiceKind.values
              if request.POST.get(f"per_month_{k}", "").strip()]
    latest = person.care_assessments.first()
    try:
        services.plan_set(resident=person, services=chosen, scheme=request.POST.get("scheme", ""),
                          station=_station(request.POST.get("station")), by=request.user, assessment=latest,
                          starts_on=_date(request.POST.get("starts_on"), "开始日期"))
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已保存护理计划")
    return redirect("care:orders_for", pk=person.pk)


@requires(VIEW_CARE)
def orders_for(request, pk):
    """An elder's plan and orders, with the forms to plan, order, confirm and rate (workers)."""
    person = selectors.access_person(request.scope, pk)
    return render(request, "care/orders_for.html", _orders_context(request, person))


def _orders_context(request, person):
    return {"person": person, "plan": person.care_plans.filter(ended_on__isnull=True).select_related("station").first(),
            "orders": list(person.care_orders.select_related("station", "complaint")[:50]),
            "stations": list(services.stations_for(person)), "kinds": ServiceKind.choices,
            "schemes": PayingScheme.choices, "can_keep": request.scope.can(KEEP_CARE, person.grid),
            "today": timezone.localdate(), "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}


def _step_done(request, fn, message, back):
    try:
        fn()
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return back


@requires(KEEP_CARE)
@require_POST
def order_new(request, pk):
    person = selectors.access_person(request.scope, pk)
    return _step_done(request, lambda: services.order_place(
        resident=person, kind=request.POST.get("kind", ""), scheduled_for=_when(request.POST.get("scheduled_for")),
        station=_station(request.POST.get("station")), note=request.POST.get("note", ""), by=request.user),
        "已预约服务", redirect("care:orders_for", pk=person.pk))


@requires(KEEP_CARE)
@require_POST
def order_step(request, pk, step):
    order = selectors.scope_filter(request.scope, ServiceOrder.objects.all()).filter(pk=pk).first()
    if order is None or step not in STEPS:
        raise Http404("未找到或无权访问")
    return _step_done(request, lambda: _step(request, order, step),
                      {**DONE, "rate": "已评价", "complain": "投诉已转为工单,由街道核查处理"}[step],
                      redirect("care:orders_for", pk=order.resident_id))


STEPS = ("confirm", "rate", "cancel", "complain")
DONE = {"confirm": "已确认服务", "rate": "谢谢您的评价", "cancel": "已取消",
        "complain": "投诉已受理并转为工单,可在“我的工单”查看处理进度"}


def _step(request, order, step):
    """One step on a service order by the elder, family or a worker (the services check who may)."""
    if step == "confirm":
        return services.order_confirm(order=order, by=request.user)
    if step == "rate":
        return services.order_rate(order=order, by=request.user, rating=request.POST.get("rating"),
                                   comment=request.POST.get("comment", ""))
    if step == "complain":
        return services.order_complain(order=order, by=request.user, text=request.POST.get("text", ""))
    return services.order_cancel(order=order, by=request.user)


# -- statements -------------------------------------------------------------------------------------
@requires(KEEP_CARE)
def statements(request):
    """月结单: the month's statements per elder and per station, made once; an order is never on two."""
    scope = request.scope
    communities = selectors.communities_in(scope)
    communities = [c for c in communities if scope.contains(c)]
    error = None
    if request.method == "POST":
        community = next((c for c in communities if c.code == request.POST.get("community", "")), None)
        try:
            if community is None:
                raise RuleError("请选择社区")
            try:
                month = dt.date.fromisoformat((request.POST.get("month", "") or "").strip() + "-01")
            except ValueError:
                raise RuleError(ERR_MONTH) from None
            made = services.statements_make(community=community, month=month, by=request.user)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, f"已生成 {len(made)} 张月结单")
            return redirect("care:statements")
    rows = Statement.objects.filter(community__in=communities).select_related("resident", "station", "community")[:200]
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    return render(request, "care/statements.html", {"rows": rows, "communities": communities, "error": error,
                                                    "last_month": last_month}, status=422 if error else 200)


@requires(KEEP_CARE)
def statement(request, pk):
    communities = [c for c in selectors.communities_in(request.scope) if request.scope.contains(c)]
    s = Statement.objects.filter(pk=pk, community__in=communities).select_related("resident", "station").first()
    if s is None:
        raise Http404("未找到或无权访问")
    lines = s.lines.select_related("order__resident").order_by("order__confirmed_at")
    return render(request, "care/statement.html", {"s": s, "lines": lines})


# -- the provider's phone page ----------------------------------------------------------------------
@requires(DELIVER_CARE)
def station_orders(request):
    """服务工单 (phone): the orders of the caller's stations in their posts' places, open ones first."""
    qs = selectors.scope_filter(request.scope,
                                ServiceOrder.objects.filter(station__in=staff.stations_of(request.user)))
    open_ = list(qs.filter(state__in=(OrderState.ORDERED, OrderState.IN_SERVICE)).select_related(
        "resident", "station", "complaint").order_by("scheduled_for")[:100])
    done = list(qs.exclude(state__in=(OrderState.ORDERED, OrderState.IN_SERVICE)).select_related(
        "resident", "station", "complaint").order_by("-scheduled_for")[:30])
    return render(request, "care/station_orders.html", {"open": open_, "done": done})


@requires(DELIVER_CARE)
@require_POST
def station_step(request, pk, step):
    order = selectors.scope_filter(request.scope,
                                   ServiceOrder.objects.filter(station__in=staff.stations_of(request.user))) \
        .filter(pk=in_range(pk)).first()
    if order is None or step not in ("check-in", "check-out"):
        raise Http404("未找到或无权访问")
    lat, lon = request.POST.get("lat"), request.POST.get("lon")
    fn = (lambda: services.order_check_in(order=order, by=request.user, lat=lat, lon=lon)) if step == "check-in" \
        else (lambda: services.order_check_out(order=order, by=request.user, lat=lat, lon=lon,
                                               note=request.POST.get("note", "")))
    return _step_done(request, fn, "已签到" if step == "check-in" else "已签退", redirect("care:orders"))


# -- the elder's (or family's) own page ----------------------------------------------------------------
def _own_person(request):
    person = getattr(request.user, "resident", None)
    if person is None:
        return None
    return person


@own_records
def my(request):
    """居家养老: the caller's own plan and orders (and their household's elders'), to order, confirm, rate."""
    person = _own_person(request)
    people = list(person.household.members.filter(status="active")) if person else []
    orders = list(ServiceOrder.objects.filter(resident__in=people).select_related("resident", "station",
                                                                                  "complaint")[:50])
    from gongzhi.care.family import linked_elders
    return render(request, "care/my.html", {"person": person, "people": people, "orders": orders,
                                            "has_family": linked_elders(request.user).exists(),
                                            "kinds": ServiceKind.choices,
                                            "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})


@own_records
@require_POST
def my_step(request, pk, step):
    person = _own_person(request)
    order = ServiceOrder.objects.filter(pk=pk, resident__household_id=person.household_id).first() if person else None
    if order is None or step not in STEPS:
        raise Http404("未找到或无权访问")
    return _step_done(request, lambda: _step(request, order, step), DONE[step], redirect("care:my"))


@own_records
@require_POST
def my_order(request):
    person = _own_person(request)
    if person is None:
        raise PermissionDenied("只有绑定了居民信息的账号可以预约服务")
    who = person.household.members.filter(pk=request.POST.get("resident") if str(
        request.POST.get("resident", "")).isdigit() else 0, status="active").first() or person
    return _step_done(request, lambda: services.order_place(
        resident=who, kind=request.POST.get("kind", ""), scheduled_for=_when(request.POST.get("scheduled_for")),
        note=request.POST.get("note", ""), by=request.user), "已预约服务,服务站会按时上门", redirect("care:my"))
