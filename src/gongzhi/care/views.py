"""Care pages: the community's people in care groups with counts per group, a person's care page
(groups and why, the worker's decisions, absences, disability grade: access-logged), the street's
counts per community. Thin: reads through selectors, writes through services."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.care import selectors, services
from gongzhi.care.groups import GROUPS, age_on, groups_of
from gongzhi.care.manifest import KEEP_CARE, OVERSEE_CARE, VIEW_CARE
from gongzhi.care.models import AbsenceReason, Decision, Disability, DisabilityKind, Group
from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import requires

PER_PAGE = 30
GROUP_LABELS = dict(Group.choices)
ERR_DATE = "{field}请按 年-月-日 填写,例如 2026-03-01"


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise RuleError(ERR_DATE.format(field=field)) from None


def _community(request, communities):
    code = request.GET.get("community", "")[:20]
    return next((c for c in communities if c.code == code), None)


@requires(VIEW_CARE)
def groups(request):
    """关爱对象: counts per group and the people, in the caller's community or grid."""
    scope, today = request.scope, timezone.localdate()
    communities = selectors.communities_in(scope)
    community = _community(request, communities)
    group = request.GET.get("group", "")
    group = group if group in GROUPS else ""
    counts = selectors.group_counts(selectors.care_people(scope, today, community=community))
    qs = selectors.care_people(scope, today, community=community, group=group).select_related("grid", "household")
    page = Paginator(qs.order_by("community_id", "grid_id", "household_id", "pk"), PER_PAGE).get_page(
        request.GET.get("page"))
    for p in page.object_list:
        p.care_groups = [GROUP_LABELS[g] for g in groups_of(p)]
        p.age = age_on(p.birth_date, today)
        p.reviewed = any(getattr(p, f"r_{g}") for g in GROUPS)
    query = "&".join(f"{k}={v}" for k, v in (("community", community.code if community else ""), ("group", group))
                     if v)
    return render(request, "care/groups.html", {
        "counts": counts, "cards": [(g, GROUP_LABELS[g], counts[g]) for g in GROUPS], "page": page,
        "communities": communities, "community": community, "group": group, "group_label": GROUP_LABELS.get(group),
        "querystring_prefix": f"{query}&" if query else "", "can_oversee": scope.can(OVERSEE_CARE)})


def _person_context(request, person, today):
    derived = services.derived_groups(person, today)
    reviews = list(selectors.person_reviews(person))
    latest = {}
    for r in reviews:
        latest.setdefault(r.group, r)
    rows = []
    for g in GROUPS:
        review = latest.get(g)
        counts = {Decision.INCLUDE: True, Decision.EXCLUDE: False}.get(review.decision, derived[g]) if review \
            else derived[g]
        rows.append({"code": g, "label": GROUP_LABELS[g], "derived": derived[g], "review": review, "counts": counts})
    disability = Disability.objects.filter(resident=person).first()
    # a view of the care page shows health detail (the disability grade): written to the access log
    access_log_write(user=request.user, action=AccessAction.UNMASK, request=request,
                     target=f"{person.name}(关爱档案 #{person.pk})", detail="查看关爱对象人群、外出和残疾等级")
    return {"person": person, "age": age_on(person.birth_date, today), "rows": rows, "reviews": reviews,
            "absences": list(selectors.person_absences(person)), "disability": disability,
            "can_keep": request.scope.can(KEEP_CARE, person.grid), "decisions": Decision.choices,
            "absence_reasons": AbsenceReason.choices, "disability_kinds": DisabilityKind.choices,
            "today": today}


@requires(VIEW_CARE)
def person(request, pk, error=None, status=200):
    person = selectors.access_person(request.scope, pk)
    ctx = _person_context(request, person, timezone.localdate())
    ctx["error"] = error
    return render(request, "care/person.html", ctx, status=status)


def _again(request, pk, exc):
    request.scope = request.scope.for_capability(VIEW_CARE)
    return person.__wrapped__(request, pk, error=str(exc), status=422)


def _done(request, pk, step, message):
    try:
        step()
    except RuleError as exc:
        return _again(request, pk, exc)
    messages.success(request, message)
    return redirect("care:person", pk=pk)


@requires(KEEP_CARE)
@require_POST
def review(request, pk):
    who = selectors.access_person(request.scope, pk)
    return _done(request, pk, lambda: services.group_review(
        resident=who, group=request.POST.get("group", ""), decision=request.POST.get("decision", ""),
        reason=request.POST.get("reason", ""), by=request.user), "已记录核实结果")


@requires(KEEP_CARE)
@require_POST
def absence_new(request, pk):
    who = selectors.access_person(request.scope, pk)
    return _done(request, pk, lambda: services.absence_record(
        resident=who, reason=request.POST.get("reason", ""), since=_date(request.POST.get("since"), "外出日期"),
        destination=request.POST.get("destination", ""), by=request.user), "已登记外出")


@requires(KEEP_CARE)
@require_POST
def absence_return(request, pk):
    absence = selectors.access_absence(request.scope, pk)
    # back to the page it was sent from: the person whose household the absence is in
    person_pk = absence.resident_id
    shown = request.POST.get("person", "")
    if shown.isdigit() and selectors.person_absences(selectors.access_person(request.scope, int(shown))) \
            .filter(pk=absence.pk).exists():
        person_pk = int(shown)
    return _done(request, person_pk, lambda: services.absence_return(
        absence=absence, returned_on=_date(request.POST.get("returned_on"), "返回日期"), by=request.user),
        "已登记返回")


@requires(KEEP_CARE)
@require_POST
def disability(request, pk):
    who = selectors.access_person(request.scope, pk)
    return _done(request, pk, lambda: services.disability_record(
        resident=who, kind=request.POST.get("kind", ""), grade=request.POST.get("grade", ""), by=request.user),
        "已登记残疾类别和等级")


@requires(OVERSEE_CARE)
def overview(request):
    """关爱统计: people per group in each community the caller reaches; no one is named."""
    today = timezone.localdate()
    rows = selectors.counts_per_community(request.scope, today)
    totals = {k: sum(r[k] for r in rows) for k in ["total", *GROUPS]}
    return render(request, "care/overview.html", {"rows": rows, "totals": totals,
                                                  "groups": [(g, GROUP_LABELS[g]) for g in GROUPS]})
