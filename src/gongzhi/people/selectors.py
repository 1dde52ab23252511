"""Every read of residents and households goes through the caller's scope."""
from __future__ import annotations

import re

from django.db.models import Count, Q, QuerySet

from gongzhi.core import crypto, idcard
from gongzhi.core.scope import Scope, get_in_scope_or_404
from gongzhi.people.models import CareTag, Household, PersonStatus, ResidenceStatus, Resident

_LETTERS = re.compile(r"^[a-zA-Z]+$")
_DIGITS = re.compile(r"^[0-9xX]+$")


def resident_search_q(q: str) -> Q:
    """Name, pinyin initials ("zs" finds 张三), full pinyin, last digits of the
    ID number, a whole ID number (by keyed hash), household number or address."""
    q = idcard.normalise(q) if _DIGITS.match(idcard.normalise(q or "")) else (q or "").strip()
    if not q:
        return Q()
    if _DIGITS.match(q):
        if len(q) == 18:
            return Q(id_number_hash=crypto.keyed_hash(q))
        if len(q) <= 4:
            return Q(id_tail__endswith=q) | Q(household__number__endswith=q)
        return Q(household__number__contains=q) | Q(phone_hash=crypto.keyed_hash(q))
    if _LETTERS.match(q):
        q = q.lower()
        return Q(name_initials__startswith=q) | Q(name_pinyin__startswith=q)
    return Q(name__contains=q) | Q(dwelling__address__contains=q) | Q(household__number__contains=q)


def resident_list(*, scope: Scope, q: str = "", status: str = PersonStatus.ACTIVE, grid_id: int | None = None,
                  tag: str = "", residence_status: str = "") -> QuerySet[Resident]:
    qs = scope.filter_people(Resident.objects.all())
    if status:
        qs = qs.filter(status=status)
    if grid_id:
        qs = qs.filter(grid_id=grid_id)
    if tag:
        qs = qs.filter(care_tags__code=tag)
    if residence_status:
        qs = qs.filter(residence_status=residence_status)
    if q:
        qs = qs.filter(resident_search_q(q))
    return qs.select_related("household", "grid", "community", "dwelling").order_by("name", "id")


def access_resident(scope: Scope, resident_id: int) -> Resident:
    return get_in_scope_or_404(
        Resident.objects.select_related("household", "grid", "community", "dwelling").prefetch_related("care_tags"),
        scope, pk=resident_id)


def access_household(scope: Scope, household_id: int) -> Household:
    return get_in_scope_or_404(Household.objects.select_related("grid", "community", "dwelling"), scope,
                               pk=household_id)


def household_members(household: Household) -> QuerySet[Resident]:
    return household.members.prefetch_related("care_tags").order_by("status", "relation", "id")


def households_in(scope: Scope) -> QuerySet[Household]:
    return scope.filter_people(Household.objects.all())


def scope_counts(scope: Scope) -> dict:
    """Dashboard figures, each one aggregate query."""
    residents = scope.filter_people(Resident.objects.filter(status=PersonStatus.ACTIVE))
    by_status = dict(residents.values_list("residence_status").annotate(n=Count("id")).order_by())
    tag_counts = dict(
        CareTag.objects.filter(residents__in=residents).values_list("code").annotate(n=Count("residents")).order_by())
    return {
        "households": households_in(scope).filter(status="active").count(),
        "residents": sum(by_status.values()),
        "by_status": [(label, by_status.get(value, 0)) for value, label in ResidenceStatus.choices],
        "care_groups": [(t, tag_counts.get(t.code, 0)) for t in CareTag.objects.all()],
        "party_members": residents.filter(party_member=True).count(),
    }
