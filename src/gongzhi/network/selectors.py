"""Every read of the service network, through the caller's scope (narrowed to the page's capability).

A community post sees its community's records, a street or district post every community under it.
A provider post (Role.PROVIDER) sees, within its place, only what concerns the organisations its account
is bound to (ProviderStaff): their profiles and their projects, plus the projects open for application
(without the beneficiaries). `organisations_of(user)` is the binding care and estates reuse."""
from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.core.scope import Scope
from gongzhi.network.models import (
    Commitment, EvaluationStage, Need, ProjectEvaluation, ProjectState, ProviderStaff, ServiceProject,
    ServiceSession,
)
from gongzhi.people.models import Organisation, OrgKind
from gongzhi.places.models import Level, Place

NOT_FOUND = "未找到或无权访问"


def _pk(value) -> int:
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    if not 0 < value < 2**31:
        raise Http404(NOT_FOUND)
    return value


# -- the provider binding -------------------------------------------------------------------
def organisations_of(user, on: dt.date | None = None) -> QuerySet[Organisation]:
    """The organisations a provider account works for today (its current ProviderStaff rows).
    care and estates call this to bind their provider pages to the same organisations."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    on = on or timezone.localdate()
    bound = ProviderStaff.objects.filter(user=user, started_on__lte=on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on)).values("organisation_id")
    return Organisation.objects.filter(pk__in=bound, active=True)


def _place_q(place: Place, column: str) -> Q:
    """Rows whose `column` (a community foreign key) lies at or under `place`."""
    if place.level == Level.COMMUNITY:
        return Q(**{f"{column}_id": place.pk})
    if place.level == Level.GRID:
        return Q(**{f"{column}_id": place.parent_id})
    return Q(**{f"{column}__path__startswith": place.path})


def _scoped(scope: Scope, column: str, provider_q) -> Q:
    """Staff posts: the rows of their communities; provider posts: those rows narrowed by `provider_q`."""
    if scope.capability is None:
        raise RuntimeError("scope not narrowed")
    q = Q(pk__in=[])
    for a in scope.assignments:
        if a.role == Role.RESIDENT:
            continue
        here = _place_q(a.place, column)
        if a.role == Role.PROVIDER:
            here &= provider_q
        q |= here
    return q


def is_provider(scope: Scope) -> bool:
    """Every post of this narrowed scope is a provider's (a provider sees its organisations only)."""
    return bool(scope.assignments) and all(a.role == Role.PROVIDER for a in scope.assignments)


def communities_in(scope: Scope) -> QuerySet[Place]:
    q = Q(pk__in=[])
    for a in scope.assignments:
        if a.role == Role.RESIDENT:
            continue
        if a.place.level == Level.GRID:
            q |= Q(pk=a.place.parent_id)
        else:
            q |= Q(path__startswith=a.place.path)
    return Place.objects.filter(q, level=Level.COMMUNITY).order_by("path")


# -- organisations ---------------------------------------------------------------------------
def organisations_in(scope: Scope, kind: str = OrgKind.SOCIAL_ORG) -> QuerySet[Organisation]:
    mine = Q(pk__in=organisations_of(scope.user).values("pk"))
    return Organisation.objects.filter(_scoped(scope, "community", mine), kind=kind)


def access_organisation(scope: Scope, pk, kind: str = OrgKind.SOCIAL_ORG) -> Organisation:
    org = organisations_in(scope, kind).filter(pk=_pk(pk)).select_related("community__parent").first()
    if org is None:
        raise Http404(NOT_FOUND)
    return org


def org_counts(scope: Scope) -> list[dict]:
    """Per community: social organisations registered, filed, unregistered, and residents (P-ORG-1/2)."""
    from gongzhi.people.models import PersonStatus, Resident
    communities = list(communities_in(scope)[:300])
    ids = [c.pk for c in communities]
    rows = {r["community_id"]: r for r in Organisation.objects.filter(
        community_id__in=ids, kind=OrgKind.SOCIAL_ORG, active=True).values("community_id").annotate(
        registered=Count("pk", filter=Q(registration="registered")),
        filed=Count("pk", filter=Q(registration="filed")),
        none=Count("pk", filter=Q(registration="none"))).order_by()}
    people = dict(Resident.objects.filter(community_id__in=ids, status=PersonStatus.ACTIVE).values(
        "community_id").annotate(n=Count("pk")).order_by().values_list("community_id", "n"))
    out = []
    for c in communities:
        r = rows.get(c.pk, {"registered": 0, "filed": 0, "none": 0})
        counted = r["registered"] + r["filed"]
        n = people.get(c.pk, 0)
        out.append({"community": c, "registered": r["registered"], "filed": r["filed"], "none": r["none"],
                    "counted": counted, "residents": n,
                    "per_10k": round(counted * 10_000 / n, 1) if n else None})
    return out


def org_rating(org: Organisation) -> dict:
    """The organisation's rating: the mean score and satisfaction of its projects' final evaluations."""
    r = ProjectEvaluation.objects.filter(project__organisation=org, stage=EvaluationStage.FINAL).aggregate(
        score=Avg("score"), satisfaction=Avg("satisfaction"), n=Count("pk"))
    return r


def training_figures(org: Organisation) -> dict:
    """The organisation's social workers (named team members of its projects, by name), their trainings and
    training hours, and the latest trainings: counted by the database."""
    from gongzhi.network.models import TeamWorker, WorkerTraining
    trainings = WorkerTraining.objects.filter(worker__project__organisation=org)
    r = trainings.aggregate(n=Count("pk"), hours=Sum("hours"), trained=Count("worker__name", distinct=True))
    return {"workers": TeamWorker.objects.filter(project__organisation=org).values("name").distinct().count(),
            "trainings": r["n"], "hours": r["hours"] or 0, "trained": r["trained"],
            "latest": list(trainings.select_related("worker").order_by("-taken_on", "-pk")[:20])}


def ratings(org_ids) -> dict[int, dict]:
    return {r["project__organisation_id"]: r for r in ProjectEvaluation.objects.filter(
        project__organisation_id__in=org_ids, stage=EvaluationStage.FINAL).values(
        "project__organisation_id").annotate(score=Avg("score"), n=Count("pk")).order_by()}


# -- needs and projects ----------------------------------------------------------------------
def needs_in(scope: Scope) -> QuerySet[Need]:
    return Need.objects.filter(_scoped(scope, "community", Q(pk__in=[])))


def source_url(source: str, pk: int, visited_on: dt.date | None = None) -> str:
    """The page of a need's source: the topic, the work order, the survey, or the visit log on the day of
    the visit (the log has no page per visit)."""
    from django.urls import reverse

    from gongzhi.network.models import NeedSource
    if source == NeedSource.TOPIC:
        return reverse("governance:topic", args=[pk])
    if source == NeedSource.ORDER:
        return reverse("workorders:detail", args=[pk])
    if source == NeedSource.SURVEY:
        return reverse("standards:survey", args=[pk])
    if source == NeedSource.VISIT and visited_on is not None:
        day = visited_on.isoformat()
        return f"{reverse('workorders:visits')}?start={day}&end={day}"
    return ""


def attach_source_urls(needs) -> None:
    """Sets `need.source_url` on each need (one query for the visits' days, none for the others)."""
    from gongzhi.network.models import NeedSource
    from gongzhi.workorders.models import VisitLog
    needs = list(needs)
    visit_ids = [n.source_pk for n in needs if n.source == NeedSource.VISIT]
    days = dict(VisitLog.objects.filter(pk__in=visit_ids).values_list("pk", "visited_on")) if visit_ids else {}
    for n in needs:
        n.source_url = "" if n.source_pk is None else source_url(n.source, n.source_pk, days.get(n.source_pk))


def projects_in(scope: Scope) -> QuerySet[ServiceProject]:
    mine = Q(organisation__in=organisations_of(scope.user).values("pk")) | Q(state=ProjectState.PUBLISHED)
    return ServiceProject.objects.filter(_scoped(scope, "community", mine))


def access_project(scope: Scope, pk) -> ServiceProject:
    project = projects_in(scope).filter(pk=_pk(pk)).select_related("community", "organisation").first()
    if project is None:
        raise Http404(NOT_FOUND)
    return project


def money() -> DecimalField:
    return DecimalField(max_digits=14, decimal_places=2)


def with_figures(qs: QuerySet[ServiceProject]) -> QuerySet[ServiceProject]:
    """Each project with its sessions, hours, people served (session rows), money spent (latest evaluation)."""
    sessions = ServiceSession.objects.filter(project=OuterRef("pk")).order_by().values("project")
    # "final" < "midterm" alphabetically: a final evaluation's figure wins over the midterm's
    spent = ProjectEvaluation.objects.filter(project=OuterRef("pk")).order_by("stage").values("spent")[:1]
    return qs.annotate(
        session_count=Coalesce(Subquery(sessions.annotate(n=Count("pk")).values("n")), Value(0)),
        hours=Coalesce(Subquery(sessions.annotate(h=Sum("hours")).values("h")), Value(0),
                       output_field=DecimalField(max_digits=10, decimal_places=1)),
        spent=Coalesce(Subquery(spent, output_field=money()), Value(0), output_field=money()),
        contract_amount=Coalesce("contract__amount", Value(0), output_field=money()),
        beneficiary_count=Count("beneficiaries", filter=Q(beneficiaries__removed_on__isnull=True), distinct=True),
    )


def projects_from_query(scope: Scope, params) -> tuple[QuerySet[ServiceProject], dict]:
    f = {"state": params.get("state", "") or "", "community": params.get("community", "") or "",
         "field": params.get("field", "") or "", "year": params.get("year", "") or ""}
    qs = projects_in(scope)
    if f["state"] in ProjectState.values:
        qs = qs.filter(state=f["state"])
    if f["community"]:
        qs = qs.filter(community__code=f["community"][:20])
    if f["field"]:
        qs = qs.filter(field=f["field"][:16])
    if f["year"].isdigit() and 2000 <= int(f["year"]) <= 2100:
        qs = qs.filter(starts_on__year=int(f["year"]))
    return qs.order_by("-starts_on", "-pk"), f


def overview(qs: QuerySet[ServiceProject]) -> list[dict]:
    """The street's table: per community, projects by state, budget, contracted money and money spent,
    all computed by the database (one grouped query plus one for the money spent)."""
    rows = list(qs.values("community_id", "community__name", "community__code").annotate(
        total=Count("pk"),
        running=Count("pk", filter=Q(state__in=[ProjectState.CONTRACTED, ProjectState.MIDTERM])),
        open=Count("pk", filter=Q(state__in=[ProjectState.DRAFT, ProjectState.PUBLISHED, ProjectState.ASSIGNED])),
        closed=Count("pk", filter=Q(state=ProjectState.CLOSED)),
        budget=Coalesce(Sum("budget", filter=~Q(state=ProjectState.CANCELLED)), Value(0), output_field=money()),
        contracted=Coalesce(Sum("contract__amount"), Value(0), output_field=money()),
    ).order_by("community__code"))
    spent = dict(ProjectEvaluation.objects.filter(
        project__in=qs.values("pk"), stage=EvaluationStage.FINAL).values("project__community_id").annotate(
        s=Sum("spent")).order_by().values_list("project__community_id", "s"))
    mid = dict(ProjectEvaluation.objects.filter(
        project__in=qs.filter(state=ProjectState.MIDTERM).values("pk"), stage=EvaluationStage.MIDTERM).values(
        "project__community_id").annotate(s=Sum("spent")).order_by().values_list("project__community_id", "s"))
    for r in rows:
        r["spent"] = (spent.get(r["community_id"]) or 0) + (mid.get(r["community_id"]) or 0)
    return rows


def open_for(scope: Scope) -> QuerySet[ServiceProject]:
    return projects_in(scope).filter(state=ProjectState.PUBLISHED)


# -- co-resident units -------------------------------------------------------------------------
def units_in(scope: Scope) -> QuerySet[Organisation]:
    return organisations_in(scope, OrgKind.RESIDENT_UNIT)


def access_unit(scope: Scope, pk) -> Organisation:
    return access_organisation(scope, pk, OrgKind.RESIDENT_UNIT)


def fulfilment(unit: Organisation, year: int) -> float | None:
    """The share of the year's commitments met (each commitment counts done/target, capped at 100 %)."""
    items = list(Commitment.objects.filter(unit=unit, year=year).values_list("target", "done"))
    if not items:
        return None
    return round(sum(min(float(d) / float(t), 1.0) if t else 1.0 for t, d in items) * 100 / len(items), 1)


def has_evaluations(project_qs) -> Exists:
    return Exists(ProjectEvaluation.objects.filter(project=OuterRef("pk")))
