"""Care pages: the community's people in care groups with counts per group, a person's care page
(groups and why, the worker's decisions, absences, disability grade: access-logged), the street's
counts per community. Thin: reads through selectors, writes through services."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.care import selectors, services, visits
from gongzhi.care.groups import GROUPS, age_on, groups_of, registry_residents
from gongzhi.care.manifest import ASSIGN_VISITORS, KEEP_CARE, OVERSEE_CARE, VIEW_CARE
from gongzhi.care.models import Decision, Disability, DisabilityKind, Group, HardshipKind
from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import requires
from gongzhi.people.models import AbsenceReason, Resident

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
        "querystring_prefix": f"{query}&" if query else "", "can_oversee": scope.can(OVERSEE_CARE),
        "can_assign": scope.can(ASSIGN_VISITORS)})


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
            "today": today, "visits": list(person.care_visits.select_related("visitor", "work_order")[:20]),
            "hardships": list(person.care_hardships.all()[:20]),
            "assessments": list(person.care_assessments.all()[:5]), "hardship_kinds": HardshipKind.choices,
            **_pairing_context(request, person),
            **_disabled_context(person, any(r["counts"] for r in rows if r["code"] == Group.DISABLED))}


def _pairing_context(request, person):
    from gongzhi.care import pairings
    from gongzhi.care.manifest import ASSIGN_VISITORS
    from gongzhi.care.models import VisitorKind
    can_assign = request.scope.can(ASSIGN_VISITORS, person.grid)
    return {"pairings": list(pairings.person_pairings(person)[:30]), "can_assign": can_assign,
            "visitor_kinds": VisitorKind.choices,
            "volunteers": list(pairings.volunteers_for(person)[:200]) if can_assign else [],
            **_family_context(request, person)}


def _disabled_context(person, is_disabled: bool):
    from gongzhi.care import disabled
    from gongzhi.care.models import HomeService, JobHelpKind, JobOutcome
    enrolments = list(person.care_home_enrolments.select_related("home")[:20])
    jobs = list(person.care_job_help.all()[:20])
    return {"show_disabled": bool(is_disabled or enrolments or jobs), "enrolments": enrolments,
            "jobs": jobs, "homes": list(disabled.homes_for(person)), "home_services": HomeService.choices,
            "job_kinds": JobHelpKind.choices, "job_outcomes": JobOutcome.choices}


def _family_context(request, person):
    from gongzhi.care import family
    from gongzhi.care.manifest import LINK_FAMILY
    from gongzhi.care.models import FamilyRelation
    return {"family_links": list(family.elder_links(person)[:30]), "family_relations": FamilyRelation.choices,
            "can_link": request.scope.can(LINK_FAMILY, person.grid)}


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
    late = visits.overdue_per_community(request.scope, [r["community"] for r in rows], today)
    for r in rows:
        r["overdue"] = late.get(r["community"].pk, {}).get(visits.OVERDUE, 0)
        r["due"] = late.get(r["community"].pk, {}).get(visits.DUE, 0)
    from gongzhi.care.disabled import counts_per_community as disabled_counts
    home = disabled_counts([r["community"].pk for r in rows], today)
    for r in rows:
        r.update(home[r["community"].pk])
    totals = {k: sum(r[k] for r in rows) for k in ["total", "overdue", "due", *GROUPS, "enrolled", "attended",
                                                     "job_help", "employed"]}
    return render(request, "care/overview.html", {"rows": rows, "totals": totals,
                                                  "groups": [(g, GROUP_LABELS[g]) for g in GROUPS]})


# -- visits (关爱走访) ----------------------------------------------------------------------
ERR_NOT_ON_LIST_PAGE = "该居民不在您的关爱走访名单内,不能记录走访"


def _list_rows(rows, today):
    people = Resident.objects.select_related("grid").in_bulk([r.pk for r in rows])
    for p in rows:
        person = people[p.pk]
        p.name, p.grid, p.birth_date = person.name, person.grid, person.birth_date
        p.due_on = visits.due_on(p)
        p.care_groups = [GROUP_LABELS[g] for g in groups_of(p)]
        p.status_label = visits.STATUS_LABELS[p.visit_status]
        p.age = age_on(p.birth_date, today)
    from gongzhi.care.escalation import escalated
    from gongzhi.care.models import AlertStep
    steps = escalated([p.pk for p in rows], {p.pk: p.due_on for p in rows if p.visit_status == visits.OVERDUE})
    for p in rows:
        step = steps.get(p.pk)
        p.escalated = AlertStep(step).label if step in (AlertStep.COMMUNITY, AlertStep.STREET) else ""
    rows.sort(key=lambda p: (p.due_on, p.pk))
    return rows


@requires(KEEP_CARE)
def visit_due(request):
    """走访名单 (phone): the caller's people overdue and due this week, then a count of the rest."""
    scope, today = request.scope, timezone.localdate()
    communities = selectors.communities_in(scope)
    rows = _list_rows(visits.visit_list(scope, communities, today, statuses=(visits.OVERDUE, visits.DUE)), today)
    later = len(visits.visit_list(scope, communities, today, statuses=(visits.LATER,)))
    return render(request, "care/visit_due.html", {
        "overdue": [p for p in rows if p.visit_status == visits.OVERDUE],
        "due": [p for p in rows if p.visit_status == visits.DUE], "later": later, "today": today})


@requires(KEEP_CARE)
def visit_week(request):
    """本周走访名单: everyone of the caller's communities due by Sunday, by grid, for print."""
    scope, today = request.scope, timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    sunday = monday + dt.timedelta(days=6)
    communities = selectors.communities_in(scope)
    rows = [p for p in _list_rows(visits.visit_list(scope, communities, today), today) if p.due_on <= sunday]
    rows.sort(key=lambda p: (p.grid.code, p.due_on, p.pk))
    return render(request, "care/visit_week.html", {"rows": rows, "monday": monday, "sunday": sunday,
                                                    "communities": communities})


@requires(KEEP_CARE)
def visit_new(request, pk):
    """记录走访 (phone) for one person on the caller's list; the findings may become a work order or a
    hardship report in the same step."""
    from gongzhi.care.models import Condition, FollowUp, HardshipKind
    from gongzhi.workorders.models import Category, Kind
    scope, today = request.scope, timezone.localdate()
    who = scope.filter_people(registry_residents()).filter(pk=pk).select_related("grid", "household").first()
    if who is None or not visits.on_list(scope, who, today):
        raise PermissionDenied(ERR_NOT_ON_LIST_PAGE)
    categories = [c for c in Category.objects.filter(active=True).order_by("kind", "sort", "code")
                  if c.kind != Kind.SERVICE]
    error, values = None, {"visited_on": today.isoformat(), "condition": "", "follow_up": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("visited_on", "condition", "notes", "findings", "follow_up",
                                                        "category", "hardship_kind")}
        try:
            visit = services.care_visit_record(
                resident=who, by=request.user, visited_on=_date(values["visited_on"], "走访日期"),
                condition=values["condition"], notes=values["notes"], findings=values["findings"],
                follow_up=values["follow_up"], hardship_kind=values["hardship_kind"],
                order_category=next((c for c in categories if c.code == values["category"]), None))
        except RuleError as exc:
            error = str(exc)
        else:
            done = "已记录走访"
            if visit.work_order_id:
                done += f",发现的问题已转为工单 {visit.work_order.number}"
            if visit.hardship_id:
                done += ",已作困难上报"
            messages.success(request, done)
            return redirect("care:due")
    return render(request, "care/visit_new.html", {
        "person": who, "groups": [GROUP_LABELS[g] for g in services.current_groups(who, today)],
        "conditions": Condition.choices, "follow_ups": FollowUp.choices, "categories": categories,
        "hardship_kinds": HardshipKind.choices, "error": error, "v": values}, status=422 if error else 200)
