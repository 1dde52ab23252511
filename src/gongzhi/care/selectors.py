"""Every read of care goes through the caller's scope (narrowed by the view to its capability)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, When
from django.http import Http404

from gongzhi.care.groups import GROUPS, annotate_groups, any_group_q, registry_residents
from gongzhi.care.models import GroupReview
from gongzhi.core.scope import Scope
from gongzhi.people.models import Absence, Resident
from gongzhi.places.models import Level, Place


def communities_in(scope: Scope) -> list[Place]:
    """The communities the scope reaches (a grid worker's: their grid's community)."""
    places = scope.staff_places
    codes = set()
    for p in places:
        if p.level == Level.GRID:
            codes.add(p.parent_id)
    q = Q(pk__in=codes)
    for p in places:
        if p.level != Level.GRID:
            q |= Q(path__startswith=p.path)
    return list(Place.objects.filter(q, level=Level.COMMUNITY).order_by("code"))


def care_people(scope: Scope, today: dt.date, *, community: Place | None = None, group: str = "") -> QuerySet:
    """The residents in a care group that the scope reaches, with `g_`/`r_`/`e_` per group."""
    qs = scope.filter_people(registry_residents())
    if community is not None:
        qs = qs.filter(community=community)
    qs = annotate_groups(qs, today).filter(any_group_q())
    if group in GROUPS:
        qs = qs.filter(**{f"e_{group}": True})
    return qs


def group_counts(qs: QuerySet) -> dict[str, int]:
    """How many people of `qs` (annotated) count in each group, and in any."""
    sums = qs.aggregate(total=Count("pk"), **{g: Sum(Case(When(**{f"e_{g}": True}, then=1), default=0,
                                                         output_field=IntegerField())) for g in GROUPS})
    return {k: v or 0 for k, v in sums.items()}


def counts_per_community(scope: Scope, today: dt.date) -> list[dict]:
    """The counts per community for the street's and district's overview (no person named)."""
    qs = annotate_groups(scope.filter_people(registry_residents()), today).filter(any_group_q())
    rows = (qs.order_by().values("community_id")
            .annotate(total=Count("pk"), **{g: Sum(Case(When(**{f"e_{g}": True}, then=1), default=0,
                                                        output_field=IntegerField())) for g in GROUPS}))
    by_id = {r["community_id"]: r for r in rows}
    result = []
    for c in communities_in(scope):
        row = by_id.get(c.pk, {})
        result.append({"community": c, "total": row.get("total", 0), **{g: row.get(g) or 0 for g in GROUPS}})
    return result


def access_person(scope: Scope, pk: int) -> Resident:
    """A resident of the scope (any status), or 404 that looks like absent."""
    person = scope.filter_people(Resident.objects.select_related("household", "grid", "community")).filter(pk=pk).first()
    if person is None:
        raise Http404("未找到或无权访问")
    return person


def access_absence(scope: Scope, pk: int) -> Absence:
    absence = scope.filter_people(Absence.objects.select_related("resident")).filter(pk=pk).first()
    if absence is None:
        raise Http404("未找到或无权访问")
    return absence


def person_reviews(person: Resident) -> QuerySet:
    return GroupReview.objects.filter(resident=person).select_related("by")


def person_absences(person: Resident) -> QuerySet:
    """The absences of the person's household (whoever is away matters for the groups)."""
    return Absence.objects.filter(household_id=person.household_id).select_related("resident")


def scope_filter(scope: Scope, qs: QuerySet) -> QuerySet:
    """Rows carrying `community` and `grid` within the scope."""
    return scope.filter_people(qs)
