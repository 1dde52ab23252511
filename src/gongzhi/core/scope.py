"""The caller's data scope.

A user's role assignments name places; the user sees each of those places and
everything under it, nothing beside or above. Selectors take a `Scope` and
apply it; views never build querysets of people or places themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q, QuerySet
from django.http import Http404

from gongzhi.accounts.models import ROLE_CAPABILITIES, Role
from gongzhi.places.models import Level, Place


@dataclass
class Scope:
    user: object
    assignments: list = field(default_factory=list)

    @classmethod
    def for_user(cls, user) -> "Scope":
        if user is None or not user.is_authenticated:
            return cls(user=user, assignments=[])
        assignments = list(user.assignments.filter(active=True).select_related("place"))
        return cls(user=user, assignments=assignments)

    # -- who ------------------------------------------------------------
    @cached_property
    def roles(self) -> set[str]:
        return {a.role for a in self.assignments}

    @cached_property
    def staff_places(self) -> list[Place]:
        """Places where the user holds a staff role (not the resident role)."""
        return [a.place for a in self.assignments if a.role != Role.RESIDENT]

    def can(self, capability: str, place: Place | None = None) -> bool:
        for a in self.assignments:
            if capability in ROLE_CAPABILITIES[a.role] and (place is None or place.is_within(a.place)):
                return True
        return False

    def without(self, *roles: str) -> "Scope":
        """The same user with some roles set aside, e.g. a department officer who is
        also a community worker reads community books as the community worker only."""
        return Scope(user=self.user, assignments=[a for a in self.assignments if a.role not in roles])

    @property
    def is_department_only(self) -> bool:
        return bool(self.assignments) and self.roles == {Role.DEPARTMENT}

    @property
    def is_resident_only(self) -> bool:
        return bool(self.assignments) and self.roles == {Role.RESIDENT}

    @cached_property
    def primary_role(self) -> str | None:
        order = [Role.ADMIN, Role.STREET, Role.DEPARTMENT, Role.COMMUNITY, Role.GRID, Role.RESIDENT]
        for r in order:
            if r in self.roles:
                return r
        return None

    # -- places ---------------------------------------------------------
    def _path_q(self, prefix: str = "") -> Q:
        q = Q(pk__in=[])
        for place in self.staff_places:
            q |= Q(**{f"{prefix}path__startswith": place.path})
        return q

    def places(self) -> QuerySet[Place]:
        return Place.objects.filter(self._path_q())

    def contains(self, place: Place) -> bool:
        return any(place.is_within(p) for p in self.staff_places)

    # -- anything tied to a community and a grid --------------------------
    def people_q(self, prefix: str = "") -> Q:
        """Q for rows that carry `community` and `grid` foreign keys."""
        q = Q(pk__in=[])
        community_paths = []
        for place in self.staff_places:
            if place.level == Level.GRID:
                q |= Q(**{f"{prefix}grid_id": place.id})
            elif place.level == Level.COMMUNITY:
                q |= Q(**{f"{prefix}community_id": place.id})
            else:
                community_paths.append(place.path)
        if community_paths:
            path_q = Q(pk__in=[])
            for path in community_paths:
                path_q |= Q(path__startswith=path)
            communities = Place.objects.filter(path_q, level=Level.COMMUNITY).values("id")
            q |= Q(**{f"{prefix}community_id__in": communities})
        return q

    def filter_people(self, qs: QuerySet) -> QuerySet:
        return qs.filter(self.people_q())


def get_in_scope_or_404(qs: QuerySet, scope: Scope, **lookup):
    """Fetch one row through the scope; out-of-scope looks exactly like absent,
    so guessing ids reveals nothing."""
    obj = scope.filter_people(qs).filter(**lookup).first()
    if obj is None:
        raise Http404("未找到或无权访问")
    return obj
