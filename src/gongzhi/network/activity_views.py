"""Community activities of service projects: the provider's page of a project's activities (announce with
place, time and places; cancel; who signed up), and the residents' page of the activities in their
community with the places left (sign up). A refusal shows the page again with 422 and changes nothing."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core.errors import RuleError
from gongzhi.core.permissions import requires
from gongzhi.network import activities as svc
from gongzhi.network import selectors
from gongzhi.network.manifest import (
    DELIVER_SERVICE_PROJECTS, JOIN_ACTIVITIES, MANAGE_SERVICE_PROJECTS, VIEW_NETWORK,
)
from gongzhi.network.models import ActivitySignup, ActivityState, ProjectActivity
from gongzhi.network.projects import RUNNING

NF = selectors.NOT_FOUND
ERR_NOT_PROVIDER = "只有承接机构的工作人员可以发布活动"


def _page(request, project, *, data=None, error: str = "", status: int = 200):
    mine = bool(project.organisation_id) and selectors.organisations_of(request.user).filter(
        pk=project.organisation_id).exists()
    manage = request.scope.can(MANAGE_SERVICE_PROJECTS, project.community)
    items = list(ProjectActivity.objects.filter(project=project).order_by("-starts_at", "-pk")[:100])
    if mine or manage:
        names = {}
        for a_id, name in ActivitySignup.objects.filter(activity__in=items).order_by("created_at").values_list(
                "activity_id", "resident__name"):
            names.setdefault(a_id, []).append(name)
        for a in items:
            a.names = names.get(a.pk, [])
    now = timezone.now()
    return render(request, "network/project_activities.html", {
        "p": project, "items": items, "mine": mine, "can_announce": mine and project.state in RUNNING
        and request.scope.can(DELIVER_SERVICE_PROJECTS), "data": data or {}, "error": error, "now": now,
        "default_day": timezone.localdate().isoformat()}, status=status)


@requires(VIEW_NETWORK)
def project_activities(request, pk):
    project = selectors.access_project(request.scope, pk)
    if request.method != "POST":
        return _page(request, project)
    if not request.scope.can(DELIVER_SERVICE_PROJECTS):
        raise PermissionDenied(ERR_NOT_PROVIDER)
    d = request.POST
    day = (d.get("day") or "").strip()
    try:
        svc.activity_announce(project=project, title=d.get("title", ""), venue=d.get("venue", ""),
                              starts_at=f"{day} {(d.get('start') or '').strip()}".strip() if day else "",
                              ends_at=f"{day} {(d.get('end') or '').strip()}".strip() if day else "",
                              capacity=d.get("capacity", ""), note=d.get("note", ""), by=request.user)
    except RuleError as exc:
        return _page(request, project, data=d, error=str(exc), status=422)
    messages.success(request, "活动已发布,项目的服务对象会收到通知")
    return redirect("network:project_activities", project.pk)


@require_POST
@requires(DELIVER_SERVICE_PROJECTS)
def activity_cancel(request, pk):
    a = ProjectActivity.objects.filter(pk=selectors._pk(pk), project__in=selectors.projects_in(
        request.scope.for_capability(VIEW_NETWORK)).values("pk")).select_related("project").first()
    if a is None:
        raise Http404(NF)
    try:
        svc.activity_cancel(activity=a, by=request.user)
    except RuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "活动已取消")
    return redirect("network:project_activities", a.project_id)


def _resident(request):
    return getattr(request.user, "resident", None)


def _upcoming(resident):
    if resident is None:
        return ProjectActivity.objects.none()
    return ProjectActivity.objects.filter(
        project__community_id=resident.community_id, project__state__in=RUNNING, state=ActivityState.ANNOUNCED,
        starts_at__gt=timezone.now()).select_related("project", "project__organisation").order_by("starts_at", "pk")


@requires(JOIN_ACTIVITIES)
def activities(request, *, error: str = "", status: int = 200):
    resident = _resident(request)
    items = list(_upcoming(resident)[:100])
    mine = set(ActivitySignup.objects.filter(resident=resident, activity__in=items).values_list(
        "activity_id", flat=True)) if resident else set()
    return render(request, "network/activities.html", {"items": items, "mine": mine, "error": error,
                                                       "resident": resident}, status=status)


@require_POST
@requires(JOIN_ACTIVITIES)
def activity_signup(request, pk):
    resident = _resident(request)
    a = _upcoming(resident).filter(pk=selectors._pk(pk)).first() if resident else None
    if a is None:
        # another community's, a cancelled or past activity: nothing to show of it
        if resident is not None and ProjectActivity.objects.filter(
                pk=selectors._pk(pk), project__community_id=resident.community_id).exists():
            return activities(request, error=svc.ERR_CLOSED, status=422)
        raise Http404(NF)
    try:
        svc.activity_signup(activity=a, resident=resident)
    except RuleError as exc:
        return activities(request, error=str(exc), status=422)
    messages.success(request, f"已报名:{a.title}")
    return redirect("network:activities")
