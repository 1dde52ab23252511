"""Project pages: the list (with the street's per-community table and the xlsx), opening a project,
a project with its milestones, costs, helpers and timeline, the steps on it, the supervision
committee's roll, the milestones waiting for a member, and the public progress page.
Thin: reads through selectors, writes through services."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.forms import refusal_status
from gongzhi.core.exports import query_without_page
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import public, requires
from gongzhi.places.models import Level, Place
from gongzhi.projects import selectors, services
from gongzhi.projects.manifest import KEEP_SUPERVISORS, MANAGE_PROJECTS, SUPERVISE_PROJECTS, VIEW_PROJECTS
from gongzhi.projects.models import CostKind, MilestoneState, Objection, ProjectState

PER_PAGE = 20
NOT_FOUND = selectors.NOT_FOUND
ERR_VERSION = "页面已过期,请刷新后重试"


def _version(request, name="version") -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise RuleError(ERR_VERSION) from None


# -- the list ----------------------------------------------------------------------------
@requires(VIEW_PROJECTS)
def project_list(request):
    scope = request.scope
    qs, f = selectors.projects_from_query(scope, request.GET)
    page = paginate_by_ids(qs, request.GET.get("page"), PER_PAGE)
    # the page's rows again with their figures (paginate_by_ids fetches plain rows): one query
    by_id = {p.pk: p for p in selectors.with_figures(selectors.projects_in(scope).filter(
        pk__in=[p.pk for p in page.object_list])).select_related("community")}
    page.object_list = [by_id[p.pk] for p in page.object_list]
    communities = list(selectors.communities_in(scope)[:200]) if scope.staff_places else []
    query = query_without_page(request.GET)
    return render(request, "projects/list.html", {
        "page": page, "f": f, "states": ProjectState.choices, "schedules": selectors.SCHEDULES.items(),
        "communities": communities, "counts": selectors.schedule_counts(selectors.projects_in(scope)),
        "table": selectors.per_community(scope) if len(communities) > 1 else [],
        "can_manage": bool(scope.for_capability(MANAGE_PROJECTS).assignments),
        "can_keep": bool(scope.for_capability(KEEP_SUPERVISORS).assignments),
        "can_review": bool(scope.for_capability(SUPERVISE_PROJECTS).assignments),
        "show_export": scope.is_staff, "query": query, "querystring_prefix": query + ("&" if query else ""),
        "today": timezone.localdate(),
    })


# -- opening -----------------------------------------------------------------------------
def _manage_communities(scope) -> list[Place]:
    return [a.place for a in scope.assignments if a.place.level == Level.COMMUNITY]


@requires(MANAGE_PROJECTS)
def project_new(request):
    communities = _manage_communities(request.scope)
    if not communities:
        raise Http404(NOT_FOUND)
    data = request.POST if request.method == "POST" else request.GET

    def param(name):  # where the project comes from may also be in the address (?topic=, ?community=)
        return request.GET.get(name) or data.get(name) or ""
    topic = None
    topic_pk = param("topic")
    if topic_pk:
        from gongzhi.governance.manifest import VIEW_TOPICS
        from gongzhi.governance.selectors import access_topic
        topic = access_topic(request.scope.for_capability(VIEW_TOPICS), topic_pk)
        if not any(c.pk == topic.community_id for c in communities):
            raise Http404(NOT_FOUND)
    meeting = _source(param("meeting"), communities, "ResidentMeeting")
    session = _source(param("session"), communities, "Session")
    origin = topic or meeting or session
    code = param("community") or (origin.community.code if origin else communities[0].code)
    community = next((c for c in communities if c.code == code), None)
    if community is None or (origin is not None and origin.community_id != community.pk):
        raise Http404(NOT_FOUND)
    error = ""
    if request.method == "POST":
        owner = services.committee_of(community).filter(pk=(data.get("owner") or "0")
                                                        if str(data.get("owner") or "").isdigit() else 0).first()
        try:
            project = services.project_open(
                community=community, title=data.get("title", ""), basis=data.get("basis", ""), owner=owner,
                starts_on=data.get("starts_on", ""), ends_on=data.get("ends_on", ""), by=request.user,
                source_topic=topic, source_meeting=meeting, source_session=session)
        except RuleError as exc:
            error = str(exc)
        else:
            messages.success(request, "项目已立项" + (",提出和附议议题的居民会收到消息"
                                                      if services.source_topic_of(project) else ""))
            return redirect("projects:project", project.pk)
    today = timezone.localdate()
    initial = {"title": data.get("title") or (origin.title if origin else ""),
               "basis": data.get("basis") or _basis(topic, meeting, session),
               "owner": data.get("owner") or str(request.user.pk),
               "starts_on": data.get("starts_on") or today.isoformat(),
               "ends_on": data.get("ends_on") or (today + dt.timedelta(days=90)).isoformat()}
    return render(request, "projects/new.html", {
        "communities": communities, "community": community, "topic": topic, "meeting": meeting, "session": session,
        "origin": origin, "initial": initial, "error": error, "owners": list(services.committee_of(community)),
        "candidates": [] if origin else selectors.unopened_results(communities)},
        status=422 if error else 200)


def _source(pk, communities, model_name):
    """An adopted decision or a deliberation of one of the caller's communities (404 otherwise)."""
    if not pk:
        return None
    from gongzhi.governance import models as governance
    if not str(pk).isdigit():
        raise Http404(NOT_FOUND)
    found = getattr(governance, model_name).objects.filter(pk=int(pk), community__in=communities) \
        .select_related("community", "topic").first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


def _basis(topic, meeting, session) -> str:
    if meeting is not None:
        chosen = f"{meeting.adopted_option}。" if meeting.adopted_option_id else ""  # a choice between plans
        return f"{meeting.get_body_display()}{meeting.held_on:%Y-%m-%d}表决通过「{meeting.title}」。{chosen}{meeting.motion}"
    if session is not None:
        return f"{session.get_form_display()}「{session.title}」协商成果:{session.outcome}"
    if topic is not None:
        return f"居民议题「{topic.title}」经居委会答复转入协商。{topic.answer}"
    return ""


# -- one project -------------------------------------------------------------------------
@requires(VIEW_PROJECTS)
def project_detail(request, pk, *, error="", status=200):
    project = selectors.access_project(request.scope, pk)
    scope = request.scope
    manage = scope.for_capability(MANAGE_PROJECTS)
    may_manage = any(a.place.pk == project.community_id for a in manage.assignments)
    member = services.serving_member(request.user, project.community) \
        if scope.for_capability(SUPERVISE_PROJECTS).assignments else None
    costs, totals = selectors.costs_of(project)
    show_people = scope.is_staff
    ctx = {
        "project": project, "milestones": selectors.milestones_of(project), "costs": costs, "totals": totals,
        "objections": selectors.objections_of(project), "events": list(project.events.all()),
        "orders": _orders(request, project), "organisations": list(project.organisations.all()),
        "volunteers": list(project.volunteers.select_related("resident")) if show_people else [],
        "volunteer_count": project.volunteers.count(),
        "may_manage": may_manage and project.state == ProjectState.ACTIVE, "member": member,
        "may_publish": may_manage and project.state != ProjectState.STOPPED,
        "active": project.state == ProjectState.ACTIVE, "show_people": show_people, "error": error,
        "today": timezone.localdate(), "late": project.is_late(), "cost_kinds": CostKind.choices,
    }
    if ctx["may_manage"]:
        from gongzhi.ledgers.models import Volunteer
        from gongzhi.people.models import Organisation
        ctx["owners"] = list(services.committee_of(project.community))
        ctx["org_choices"] = list(Organisation.objects.filter(community=project.community, active=True)
                                  .exclude(pk__in=[o.pk for o in ctx["organisations"]]).order_by("name")[:200])
        ctx["volunteer_choices"] = list(Volunteer.objects.filter(community=project.community, left_on__isnull=True)
                                        .exclude(pk__in=[v.pk for v in ctx["volunteers"]])
                                        .select_related("resident").order_by("resident__name")[:200])
    return render(request, "projects/project.html", ctx, status=status)


def _orders(request, project) -> list:
    """The linked work orders, each marked `readable` when the caller may open it (a link to a refusal is a bug)."""
    from gongzhi.workorders.manifest import VIEW_ORDERS
    from gongzhi.workorders.selectors import orders_in
    orders = list(project.work_orders.order_by("pk")[:50])
    scope = request.scope.for_capability(VIEW_ORDERS)
    readable = set(orders_in(scope).filter(pk__in=[o.pk for o in orders]).values_list("pk", flat=True)) \
        if scope.assignments and request.scope.is_staff else set()
    for o in orders:
        o.readable = o.pk in readable
    return orders


def _again(request, pk, exc):
    status = refusal_status(exc)
    request.scope = request.scope.for_capability(VIEW_PROJECTS)
    return project_detail.__wrapped__(request, pk, error=str(exc), status=status)


def _step(request, pk, step, done: str, anchor: str = ""):
    try:
        step()
    except (RuleError, ConflictError) as exc:
        return _again(request, pk, exc)
    messages.success(request, done)
    return redirect(f"/projects/{int(pk)}/{anchor}")


def _managed(request, pk):
    project = selectors.access_project(request.scope, pk)  # the scope of MANAGE_PROJECTS: the community's posts
    return project


@requires(MANAGE_PROJECTS)
@require_POST
def project_edit(request, pk):
    project = _managed(request, pk)
    owner = services.committee_of(project.community).filter(
        pk=int(request.POST["owner"]) if request.POST.get("owner", "").isdigit() else 0).first()
    return _step(request, pk, lambda: services.project_edit(
        project_id=project.pk, version=_version(request), title=request.POST.get("title", ""),
        basis=request.POST.get("basis", ""), owner=owner, starts_on=request.POST.get("starts_on", ""),
        ends_on=request.POST.get("ends_on", ""), by=request.user), "项目已修改")


@requires(MANAGE_PROJECTS)
@require_POST
def milestone_new(request, pk):
    project = _managed(request, pk)
    return _step(request, pk, lambda: services.milestone_add(
        project_id=project.pk, version=_version(request), title=request.POST.get("title", ""),
        due_on=request.POST.get("due_on", ""), by=request.user), "节点已添加", "#milestones")


@requires(MANAGE_PROJECTS)
@require_POST
def milestone_progress(request, pk, milestone_pk):
    milestone = selectors.access_milestone(request.scope, pk, milestone_pk)
    done = request.POST.get("done") == "1"
    return _step(request, pk, lambda: services.milestone_progress(
        milestone_id=milestone.pk, version=_version(request), percent=request.POST.get("percent", ""), done=done,
        note=request.POST.get("note", ""), by=request.user),
        "节点已报验收,监督委员会成员会收到消息" if done else "进度已更新", "#milestones")


@requires(SUPERVISE_PROJECTS)
@require_POST
def sign_off(request, pk, milestone_pk):
    milestone = selectors.access_milestone(request.scope, pk, milestone_pk)
    return _step(request, pk, lambda: services.milestone_sign_off(
        milestone_id=milestone.pk, version=_version(request), note=request.POST.get("note", ""), by=request.user),
        "已验收", "#milestones")


@requires(SUPERVISE_PROJECTS)
@require_POST
def object_(request, pk, milestone_pk):
    milestone = selectors.access_milestone(request.scope, pk, milestone_pk)
    return _step(request, pk, lambda: services.milestone_object(
        milestone_id=milestone.pk, version=_version(request), reason=request.POST.get("reason", ""),
        by=request.user), "异议已提出,项目负责人会收到消息", "#milestones")


@requires(MANAGE_PROJECTS)
@require_POST
def objection_answer(request, pk, objection_pk):
    project = _managed(request, pk)
    objection = Objection.objects.filter(pk=objection_pk if str(objection_pk).isdigit() else 0,
                                         milestone__project=project).first()
    if objection is None:
        raise Http404(NOT_FOUND)
    return _step(request, pk, lambda: services.objection_answer(
        objection_id=objection.pk, milestone_version=_version(request), answer=request.POST.get("answer", ""),
        by=request.user), "已答复异议,节点等待重新验收", "#objections")


@requires(MANAGE_PROJECTS)
@require_POST
def cost_new(request, pk):
    project = _managed(request, pk)
    return _step(request, pk, lambda: services.cost_add(
        project_id=project.pk, version=_version(request), kind=request.POST.get("cost_kind", ""),
        amount=request.POST.get("amount", ""), on=request.POST.get("on", ""), item=request.POST.get("item", ""),
        funded_by=request.POST.get("funded_by", ""), by=request.user), "经费已记录", "#costs")


def _link_target(project, kind: str, value: str):
    from gongzhi.ledgers.models import Volunteer
    from gongzhi.people.models import Organisation
    from gongzhi.workorders.models import WorkOrder
    value = (value or "").strip().upper()
    if kind == "order":
        digits = value[-7:] if value.startswith("GD") and len(value) == 17 else value
        if not digits.isdigit():
            return None
        order = WorkOrder.objects.filter(pk=int(digits), community=project.community).first()
        return order if order is None or not value.startswith("GD") or order.number == value else None
    if not value.isdigit():
        return None
    model = {"organisation": Organisation, "volunteer": Volunteer}.get(kind)
    return model.objects.filter(pk=int(value), community=project.community).first() if model else None


@requires(MANAGE_PROJECTS)
@require_POST
def link(request, pk):
    project = _managed(request, pk)
    kind = request.POST.get("link_kind", "")
    target = _link_target(project, kind, request.POST.get("target", ""))
    remove = request.POST.get("remove") == "1"
    return _step(request, pk, lambda: services.link(
        project_id=project.pk, version=_version(request), kind=kind, target=target, remove=remove, by=request.user),
        "已取消关联" if remove else "已关联", "#helpers")


@requires(MANAGE_PROJECTS)
@require_POST
def complete(request, pk):
    project = _managed(request, pk)
    return _step(request, pk, lambda: services.project_complete(
        project_id=project.pk, version=_version(request), by=request.user), "项目已完成,提出和附议议题的居民会收到消息")


@requires(MANAGE_PROJECTS)
@require_POST
def stop(request, pk):
    project = _managed(request, pk)
    return _step(request, pk, lambda: services.project_stop(
        project_id=project.pk, version=_version(request), reason=request.POST.get("reason", ""), by=request.user),
        "项目已终止")


@requires(MANAGE_PROJECTS)
@require_POST
def publish(request, pk):
    project = selectors.access_project(request.scope, pk)
    try:
        services.project_publish(project_id=project.pk, category=request.POST.get("category", ""), by=request.user)
    except RuleError as exc:
        return _again(request, pk, exc)
    messages.success(request, "已发布到本社区居务公开栏")
    return redirect("projects:project", project.pk)


# -- a supervision member's desk ---------------------------------------------------------
@requires(SUPERVISE_PROJECTS)
def review(request):
    milestones = list(selectors.waiting_for(request.user, request.scope)[:100])
    return render(request, "projects/review.html", {"milestones": milestones,
                                                    "serving": bool(request.user.resident_id)})


# -- the supervision committee's roll ----------------------------------------------------
@requires(KEEP_SUPERVISORS)
def supervisors(request):
    communities = _manage_communities(request.scope)
    code = request.GET.get("community") or (communities[0].code if communities else "")
    community = next((c for c in communities if c.code == code), None)
    if community is None:
        raise Http404(NOT_FOUND)
    found = []
    q = (request.GET.get("q") or "").strip()[:20]
    if q and "\x00" not in q:
        from gongzhi.people.models import PersonStatus, Resident
        found = list(Resident.objects.filter(community=community, status=PersonStatus.ACTIVE, name__contains=q)
                     .select_related("grid").order_by("name", "pk")[:20])
    return render(request, "projects/supervisors.html", {
        "communities": communities, "community": community, "members": list(selectors.members_of(community)),
        "found": found, "q": q, "today": timezone.localdate()})


def _kept_community(request, code) -> Place:
    community = next((c for c in _manage_communities(request.scope) if c.code == code), None)
    if community is None:
        raise Http404(NOT_FOUND)
    return community


@requires(KEEP_SUPERVISORS)
@require_POST
def supervisor_add(request, code):
    community = _kept_community(request, code)
    from gongzhi.people.models import Resident
    resident_pk = request.POST.get("resident", "")
    resident = Resident.objects.filter(pk=int(resident_pk), community=community).first() \
        if resident_pk.isdigit() else None
    try:
        member = services.member_add(community=community, resident=resident, post=request.POST.get("post", "member"),
                                     started_on=request.POST.get("started_on", ""), by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{member.resident.name} 已加入监督委员会")
    return redirect(f"/projects/supervisors/?community={community.code}")


@requires(KEEP_SUPERVISORS)
@require_POST
def supervisor_end(request, code, member_pk):
    community = _kept_community(request, code)
    member = selectors.members_of(community).filter(pk=member_pk).first()
    if member is None:
        raise Http404(NOT_FOUND)
    try:
        services.member_end(member_id=member.pk, version=_version(request), ended_on=request.POST.get("ended_on", ""),
                            reason=request.POST.get("reason", ""), by=request.user)
    except (RuleError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{member.resident.name} 的任职已结束")
    return redirect(f"/projects/supervisors/?community={community.code}")


# -- the public progress page ------------------------------------------------------------
@public
def public_index(request):
    communities = Place.objects.filter(level=Level.COMMUNITY).select_related("parent").order_by("path")
    return render(request, "projects/public_index.html", {"communities": communities})


@public
def public_page(request, code):
    community = get_object_or_404(Place.objects.select_related("parent"), code=code[:20], level=Level.COMMUNITY)
    projects = list(selectors.public_projects(community)[:100])
    milestones = {}
    from gongzhi.projects.models import Milestone
    for m in Milestone.objects.filter(project__in=[p.pk for p in projects]).order_by("due_on", "sort", "pk"):
        milestones.setdefault(m.project_id, []).append(m)
    for p in projects:
        p.milestone_list = milestones.get(p.pk, [])
    return render(request, "projects/public.html", {"community": community, "projects": projects,
                                                    "today": timezone.localdate(),
                                                    "signed_off": MilestoneState.SIGNED_OFF})
