"""The caller's data scope.

A user's role assignments (posts) name places; a post sees its place and
everything under it, nothing beside or above. What a request may read is
always narrowed to one capability: `scope.for_capability(cap)` keeps only the
posts whose role grants `cap`, so a community worker who also holds a
department post elsewhere reads no residents there. Views get that narrowed
scope from `core.permissions.requires`; selectors take a `Scope` and apply it;
views never build querysets of people or places themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.module_loading import import_string

from gongzhi.accounts.models import Role
from gongzhi.core import modules
from gongzhi.core.modules import Capability
from gongzhi.places.models import Level, Place


class ScopeNotNarrowed(RuntimeError):
    """A read asked for places of a scope that was not narrowed to a capability (a bug)."""


@dataclass
class Scope:
    user: object
    assignments: list = field(default_factory=list)
    # the capability this scope was narrowed to (None: every post, e.g. for the header)
    capability: Capability | None = None
    # every post of the user, whatever the narrowing: `can` and the header read these
    all_assignments: list | None = None

    def __post_init__(self):
        if self.all_assignments is None:
            self.all_assignments = list(self.assignments)

    @classmethod
    def for_user(cls, user) -> "Scope":
        if user is None or not user.is_authenticated:
            return cls(user=user, assignments=[])
        assignments = list(user.assignments.filter(active=True).select_related("place"))
        return cls(user=user, assignments=assignments)

    @classmethod
    def for_user_capability(cls, user, capability: Capability) -> "Scope":
        """What a command or service acting for `user` may touch with `capability`."""
        return cls.for_user(user).for_capability(capability)

    def for_capability(self, capability: Capability) -> "Scope":
        """Only the posts whose role grants `capability`; empty when none does."""
        return Scope(user=self.user, capability=capability, all_assignments=self.all_assignments,
                     assignments=[a for a in self.all_assignments if capability.granted_to(a.role)])

    def __bool__(self) -> bool:
        return bool(self.assignments)

    # -- who ------------------------------------------------------------
    @cached_property
    def roles(self) -> set[str]:
        return {a.role for a in self.assignments}

    @cached_property
    def staff_places(self) -> list[Place]:
        """Places of this scope's posts that are not the resident role. Only a scope
        narrowed to a capability has places: reading through the whole user would
        let one post's role widen another's (see the module docstring)."""
        if self.capability is None:
            raise ScopeNotNarrowed("先用 for_capability 把数据范围收窄到页面所需的权限")
        return [a.place for a in self.assignments if a.role != Role.RESIDENT]

    @cached_property
    def is_staff(self) -> bool:
        """Holds any staff post at all (the header and the home page ask this)."""
        return any(a.role != Role.RESIDENT for a in self.all_assignments)

    @cached_property
    def is_resident(self) -> bool:
        """A resident: an account bound to a registry record, or holding a resident post. An account
        with neither (a relative living elsewhere, see `link_grants`) sees no resident pages."""
        return bool(getattr(self.user, "resident_id", None)) or any(
            a.role == Role.RESIDENT for a in self.all_assignments)

    @cached_property
    def link_grants(self) -> list:
        """The modules' link grants (core.modules.LinkGrant) this account holds; none for staff, whose
        pages come from their posts (asked once per request: each grant is one query)."""
        if self.user is None or not self.user.is_authenticated or self.is_staff:
            return []
        return [g for g in modules.link_grants() if import_string(g.holds)(self.user)]

    def can(self, capability: Capability, place: Place | None = None) -> bool:
        """Does any post whose role grants `capability` cover `place` (or exist, without a place)?"""
        return any(capability.granted_to(a.role) and (place is None or place.is_within(a.place))
                   for a in self.all_assignments)

    @cached_property
    def role_labels(self) -> list[str]:
        """Every role the user holds, widest first (the header names them all: a user of two posts is both)."""
        roles = {a.role for a in self.all_assignments}
        return [r.label for r in (Role.ADMIN, Role.SECURITY, Role.AUDITOR, Role.STREET, Role.DEPARTMENT,
                                  Role.COMMUNITY, Role.GRID, Role.RESIDENT) if r in roles]

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
