"""Every read of the projects, through the caller's scope (narrowed to the page's capability).

A community or grid post sees its community's projects, a street or district post those of every
community under it, a resident post its own community's (the same facts the public page shows)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from gongzhi.core.scope import Scope
from gongzhi.governance.selectors import communities_in  # noqa: F401 (the community picker, same rule)
from gongzhi.governance.selectors import topic_q as community_q
from gongzhi.places.models import Place
from gongzhi.projects.models import (
    CostEntry, CostKind, Milestone, MilestoneState, Objection, Project, ProjectState, SupervisionMember,
)

NOT_FOUND = "未找到或无权访问"


def projects_in(scope: Scope) -> QuerySet[Project]:
    """`community_q` is the topics' rule: Q(community_id__in=the scope's communities)."""
    return Project.objects.filter(community_q(scope))


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None


def access_project(scope: Scope, pk) -> Project:
    project = projects_in(scope).filter(pk=_pk(pk)).select_related(
        "community", "owner", "source_topic", "source_meeting", "source_session", "created_by").first()
    if project is None:
        raise Http404(NOT_FOUND)
    return project


def access_milestone(scope: Scope, project_pk, pk) -> Milestone:
    project = access_project(scope, project_pk)
    milestone = Milestone.objects.filter(project=project, pk=_pk(pk)).first()
    if milestone is None:
        raise Http404(NOT_FOUND)
    milestone.project = project
    return milestone


def late_q(today: dt.date) -> Q:
    """Active projects past their end, or with a milestone past its date and not signed off."""
    late_milestone = Milestone.objects.filter(project=OuterRef("pk"), due_on__lt=today).exclude(
        state=MilestoneState.SIGNED_OFF)
    return Q(state=ProjectState.ACTIVE) & (Q(ends_on__lt=today) | Q(Exists(late_milestone)))


def _sum(kind: str):
    """One project's total of one cost kind, as a subquery (no join that would multiply other figures)."""
    money = DecimalField(max_digits=14, decimal_places=2)
    total = CostEntry.objects.filter(project=OuterRef("pk"), kind=kind).order_by().values("project") \
        .annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total, output_field=money), Value(0), output_field=money)


def with_figures(qs: QuerySet[Project], today: dt.date | None = None) -> QuerySet[Project]:
    """Each project with `late_flag` (a milestone past its date), `open_objections`, `budget` and `spent`."""
    today = today or timezone.localdate()
    late_milestone = Milestone.objects.filter(project=OuterRef("pk"), due_on__lt=today).exclude(
        state=MilestoneState.SIGNED_OFF)
    objections = Objection.objects.filter(milestone__project=OuterRef("pk"), answered_at__isnull=True) \
        .order_by().values("milestone__project").annotate(n=Count("pk")).values("n")
    return qs.annotate(
        late_flag=Exists(late_milestone),
        open_objections=Coalesce(Subquery(objections), Value(0)),
        budget=_sum(CostKind.BUDGET), spent=_sum(CostKind.SPENDING))


SCHEDULES = {"on_time": "按期", "late": "滞后"}
SORTS = {"due": ("ends_on", "pk"), "new": ("-created_at", "-pk"), "progress": ("progress", "ends_on", "pk")}
FILTER_LABELS = {"community": "社区", "state": "状态", "schedule": "进度", "q": "名称"}


def projects_from_query(scope: Scope, params, *, today: dt.date | None = None) -> tuple[QuerySet[Project], dict]:
    """The list's rows from its query string (community, state, schedule, name, sort); the export reads the same."""
    today = today or timezone.localdate()
    qs = projects_in(scope)
    community = (params.get("community") or "")[:20]
    state = params.get("state", "")
    schedule = params.get("schedule", "")
    text = (params.get("q") or "").strip()[:40]
    sort = params.get("sort", "due")
    if community:
        qs = qs.filter(community__code=community)
    if state in ProjectState.values:
        qs = qs.filter(state=state)
    else:
        state = ""
    if schedule == "late":
        qs = qs.filter(late_q(today))
    elif schedule == "on_time":
        qs = qs.filter(state=ProjectState.ACTIVE).exclude(late_q(today))
    else:
        schedule = ""
    if text and "\x00" not in text:
        qs = qs.filter(title__contains=text)
    else:
        text = ""
    if sort not in SORTS:
        sort = "due"
    return qs.order_by(*SORTS[sort]), {"community": community, "state": state, "schedule": schedule, "q": text,
                                       "sort": sort}


def schedule_counts(qs: QuerySet[Project], today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    return qs.order_by().aggregate(
        active=Count("pk", filter=Q(state=ProjectState.ACTIVE)),
        late=Count("pk", filter=late_q(today)),
        completed=Count("pk", filter=Q(state=ProjectState.COMPLETED)))


def per_community(scope: Scope, today: dt.date | None = None) -> list[dict]:
    """A street's table: per community, active projects, how many are late, completed ones."""
    today = today or timezone.localdate()
    rows = {r["community_id"]: r for r in projects_in(scope).order_by().values("community_id").annotate(
        active=Count("pk", filter=Q(state=ProjectState.ACTIVE)), late=Count("pk", filter=late_q(today)),
        completed=Count("pk", filter=Q(state=ProjectState.COMPLETED)))}
    places = Place.objects.filter(pk__in=rows).order_by("path")
    return [{"community": p, "on_time": rows[p.pk]["active"] - rows[p.pk]["late"], **rows[p.pk]} for p in places]


def milestones_of(project: Project) -> list[Milestone]:
    return list(project.milestones.select_related("signed_off_by__resident").annotate(
        open_objections=Count("objections", filter=Q(objections__answered_at__isnull=True))))


def objections_of(project: Project) -> list[Objection]:
    return list(Objection.objects.filter(milestone__project=project).select_related(
        "milestone", "member__resident", "answered_by").order_by("-raised_at", "-pk"))


def costs_of(project: Project) -> tuple[list[CostEntry], dict]:
    rows = list(project.costs.select_related("created_by"))
    budget = sum((c.amount for c in rows if c.kind == CostKind.BUDGET), start=0)
    spent = sum((c.amount for c in rows if c.kind == CostKind.SPENDING), start=0)
    return rows, {"budget": budget, "spent": spent, "left": budget - spent}


def members_of(community, *, history: bool = True) -> QuerySet[SupervisionMember]:
    qs = SupervisionMember.objects.filter(community=community).select_related("resident")
    return qs if history else qs.filter(ended_on__isnull=True)


def waiting_for(user, scope: Scope, today: dt.date | None = None) -> QuerySet[Milestone]:
    """Milestones marked done in the communities where `user` serves on the supervision committee now."""
    today = today or timezone.localdate()
    resident_id = getattr(user, "resident_id", None)
    if resident_id is None:
        return Milestone.objects.none()
    serving = SupervisionMember.objects.filter(resident_id=resident_id, started_on__lte=today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today)).values("community_id")
    return Milestone.objects.filter(project__in=projects_in(scope), project__community_id__in=serving,
                                    project__state=ProjectState.ACTIVE, state=MilestoneState.DONE) \
        .select_related("project", "project__community").order_by("done_at", "pk")


def public_projects(community: Place) -> QuerySet[Project]:
    """What the public page shows: the community's projects that are not stopped, newest first."""
    return with_figures(Project.objects.filter(community=community).exclude(state=ProjectState.STOPPED)) \
        .order_by("-created_at", "-pk")


def unopened_results(communities, limit: int = 30) -> list[dict]:
    """What the committee may turn into a project: topics answered 转入协商, decisions adopted by a
    residents' meeting and deliberations with a recorded result, that no running or finished project carries out."""
    from gongzhi.governance.models import Outcome, ResidentMeeting, Session, SessionState, Topic, TopicState
    live = Project.objects.exclude(state=ProjectState.STOPPED)
    rows = []
    for m in ResidentMeeting.objects.filter(community__in=communities, outcome=Outcome.ADOPTED).exclude(
            pk__in=live.filter(source_meeting__isnull=False).values("source_meeting")).order_by("-held_on")[:limit]:
        rows.append({"kind": "决定", "param": "meeting", "pk": m.pk, "title": m.title, "on": m.held_on})
    for s in Session.objects.filter(community__in=communities, state=SessionState.HELD).exclude(outcome="").exclude(
            pk__in=live.filter(source_session__isnull=False).values("source_session")).order_by("-starts_at")[:limit]:
        rows.append({"kind": "协商成果", "param": "session", "pk": s.pk, "title": s.title, "on": s.held_on})
    for t in Topic.objects.filter(community__in=communities, state=TopicState.DELIBERATION).exclude(
            pk__in=live.filter(source_topic__isnull=False).values("source_topic")).order_by("-answered_at")[:limit]:
        rows.append({"kind": "议题", "param": "topic", "pk": t.pk, "title": t.title,
                     "on": t.answered_at.date() if t.answered_at else None})
    return rows
