"""Pages of the visit network's assigned visitors (结对走访): the community worker pairs and ends pairings
(on the person's care page and the community's list); the paired volunteer or neighbour sees on a phone
only their paired people who are due or overdue and records visits for them. Every view of a person by a
visitor is written to the access log, as the workers' pages are."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.care import pairings, selectors, services, visits
from gongzhi.care.manifest import ASSIGN_VISITORS, VISIT_PAIRED
from gongzhi.care.models import Condition, VisitorPairing
from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import requires
from gongzhi.people.models import Resident

ERR_NOT_PAIRED_PAGE = "该居民不是您的结对关爱对象,不能查看或记录走访"


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        raise RuleError(f"{field}请按 年-月-日 填写,例如 2026-03-01") from None


def _rows(rows):
    people = Resident.objects.select_related("grid").in_bulk([r.pk for r in rows])
    for r in rows:
        r.name, r.grid = people[r.pk].name, people[r.pk].grid
        r.due_on = visits.due_on(r)
        r.status_label = visits.STATUS_LABELS[r.visit_status]
    rows.sort(key=lambda r: (r.due_on, r.pk))
    return rows


# -- the visitor's phone pages ------------------------------------------------------------------
@requires(VISIT_PAIRED)
def paired(request):
    """我的结对走访 (phone): the people paired with the caller who are overdue or due this week."""
    today = timezone.localdate()
    rows = _rows(visits.paired_list(request.user, today))
    total = VisitorPairing.objects.filter(visitor=request.user, ended_on__isnull=True).count()
    if rows:
        access_log_write(user=request.user, action=AccessAction.UNMASK, request=request,
                         target=f"结对走访名单({len(rows)} 人)", detail="结对走访人查看应访的结对对象")
    return render(request, "care/paired.html", {
        "overdue": [r for r in rows if r.visit_status == visits.OVERDUE],
        "due": [r for r in rows if r.visit_status == visits.DUE], "total": total, "today": today})


@requires(VISIT_PAIRED)
def paired_visit(request, pk):
    """记录结对走访 (phone): the same form as the workers', without a follow-up of the visitor's own."""
    pairing = pairings.open_pairing(request.user, pk) if 0 < pk < 2**63 else None
    if pairing is None:
        raise PermissionDenied(ERR_NOT_PAIRED_PAGE)
    who, today = pairing.resident, timezone.localdate()
    error, values = None, {"visited_on": today.isoformat(), "condition": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("visited_on", "condition", "notes", "findings")}
        try:
            services.care_visit_record(resident=who, by=request.user, visited_on=_date(values["visited_on"], "走访日期"),
                                       condition=values["condition"], notes=values["notes"],
                                       findings=values["findings"])
        except RuleError as exc:
            error = str(exc)
        else:
            done = "已记录走访"
            if values["findings"].strip() or values["condition"] in (Condition.POOR, Condition.URGENT):
                done += ",已提醒网格员跟进"
            messages.success(request, done)
            return redirect("care:paired")
    else:
        access_log_write(user=request.user, action=AccessAction.UNMASK, request=request,
                         target=f"{who.name}(关爱档案 #{who.pk})", detail="结对走访人打开走访记录表")
    return render(request, "care/visit_new.html", {
        "person": who, "paired": True, "conditions": Condition.choices, "error": error, "v": values},
        status=422 if error else 200)


def panel(request, scope):
    """The resident's home: how many paired people are due or overdue (nothing for a resident without pairings)."""
    if not VisitorPairing.objects.filter(visitor=request.user, ended_on__isnull=True).exists():
        return None
    rows = visits.paired_list(request.user, timezone.localdate())
    return {"overdue": sum(1 for r in rows if r.visit_status == visits.OVERDUE),
            "due": sum(1 for r in rows if r.visit_status == visits.DUE)}


# -- the community worker's pages ---------------------------------------------------------------
@requires(ASSIGN_VISITORS)
@require_POST
def pairing_new(request, pk):
    person = selectors.access_person(request.scope, pk)
    if request.POST.get("kind") == "neighbour" and request.POST.get("id_number", "").strip():
        # a lookup of a resident by the full ID number is written to the access log
        access_log_write(user=request.user, action=AccessAction.LOOKUP, request=request,
                         target=f"结对走访人(为{person.name}结对)", detail="按公民身份号码查找邻居")
    try:
        p = pairings.pairing_start(resident=person, kind=request.POST.get("kind", ""), by=request.user,
                                   starts_on=_date(request.POST.get("starts_on"), "结对开始日期"),
                                   volunteer_id=request.POST.get("volunteer", ""),
                                   id_number=request.POST.get("id_number", ""))
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已安排{p.get_kind_display()}{p.visitor_resident.name}与{person.name}结对走访")
    return redirect("care:person", pk=person.pk)


@requires(ASSIGN_VISITORS)
@require_POST
def pairing_end(request, pk):
    pairing = selectors.scope_filter(request.scope, VisitorPairing.objects.all()).filter(pk=pk).first() \
        if 0 < pk < 2**63 else None
    if pairing is None:
        raise Http404("未找到或无权访问")
    try:
        pairings.pairing_end(pairing=pairing, reason=request.POST.get("reason", ""), by=request.user,
                             ended_on=_date(request.POST.get("ended_on") or timezone.localdate().isoformat(),
                                            "结束日期"))
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已结束结对,走访记录保留")
    back = request.POST.get("next", "")
    return redirect("care:pairings") if back == "list" else redirect("care:person", pk=pairing.resident_id)


@requires(ASSIGN_VISITORS)
def pairing_list(request):
    """结对走访: the community's open pairings, each with the visits made under it and the last one."""
    from django.db.models import Count, Max
    qs = (selectors.scope_filter(request.scope, VisitorPairing.objects.filter(ended_on__isnull=True))
          .select_related("resident", "visitor_resident", "grid")
          .annotate(n_visits=Count("visits"), last_visit=Max("visits__visited_on"))
          .order_by("grid__code", "resident__name", "pk"))
    return render(request, "care/pairings.html", {"rows": list(qs[:500]), "today": timezone.localdate()})
