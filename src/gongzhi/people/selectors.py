"""Every read of residents and households goes through the caller's scope."""
from __future__ import annotations

import re

from django.db.models import Count, Q, QuerySet

from gongzhi.core import crypto, idcard
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.scope import Scope, get_in_scope_or_404
from gongzhi.core.validators import has_control_characters
from gongzhi.people.manifest import UNMASK
from gongzhi.people.models import CareTag, Household, PersonStatus, ResidenceStatus, Resident
from gongzhi.places.models import Dwelling

_LETTERS = re.compile(r"^[a-zA-Z]+$")
_DIGITS = re.compile(r"^[0-9xX]+$")
# No name, number or address is longer; a longer query is cut (SQLite refuses LIKE patterns over 50 kB).
MAX_SEARCH = 200


def resident_search_q(q: str, scope: Scope) -> Q:
    """Name, pinyin initials ("zs" finds 张三), full pinyin, last digits of the
    ID number, a whole ID number (by keyed hash), household number or address.

    Address and household-number matches are looked up first (small tables,
    within the scope) and passed as id lists: an OR across joined tables would
    make the database join every resident of the community."""
    q = (q or "")[:MAX_SEARCH]
    if has_control_characters(q):
        return Q(pk__in=[])  # no name, number or address holds one (nor can PostgreSQL look for a NUL)
    normalised = idcard.normalise(q)
    q = normalised if _DIGITS.match(normalised) else (q or "").strip()
    if not q:
        return Q()
    if _DIGITS.match(q):
        if len(q) == 18:
            return Q(id_number_hash=crypto.keyed_hash(q))
        # The last character is the check digit, which masks hide: matching it would let anyone
        # who may not unmask try the eleven values and complete a mask. They match the sequence digits.
        full_tail = may_unmask_everywhere(scope)
        if len(q) == 4:
            tail = Q(id_tail=q) if full_tail else Q(id_tail__startswith=q[:3])
            return tail | Q(household_id__in=_household_ids(scope, number__endswith=q))
        if len(q) < 4:
            return Q(id_tail__endswith=q) if full_tail else Q(household_id__in=_household_ids(
                scope, number__endswith=q))
        return Q(household_id__in=_household_ids(scope, number__contains=q)) | Q(phone_hash=crypto.keyed_hash(q))
    if _LETTERS.match(q):
        q = q.lower()
        return Q(name_initials__startswith=q) | Q(name_pinyin__startswith=q)
    dwelling_ids = list(scope.filter_people(Dwelling.objects.filter(address__contains=q))
                        .values_list("id", flat=True)[:_MATCH_LIMIT])
    return (Q(name__contains=q) | Q(dwelling_id__in=dwelling_ids)
            | Q(household_id__in=_household_ids(scope, number__contains=q)))


_MATCH_LIMIT = 5000


def may_unmask_everywhere(scope: Scope) -> bool:
    """May the caller unmask at every place of this scope?"""
    places = scope.staff_places
    return bool(places) and all(scope.can(UNMASK, p) for p in places)


def is_exact_lookup(q: str) -> bool:
    """A whole ID number or a phone number: an exact-match search, logged like an unmasked view."""
    digits = idcard.normalise(q or "")
    return bool(_DIGITS.match(digits)) and (len(digits) == 18 or len(digits) >= 7)


def _household_ids(scope: Scope, **lookup) -> list[int]:
    return list(households_in(scope).filter(**lookup).values_list("id", flat=True)[:_MATCH_LIMIT])


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
        qs = qs.filter(resident_search_q(q, scope))
    return qs.order_by("name", "id")


def residents_from_query(*, scope: Scope, params) -> QuerySet[Resident]:
    """The resident list's filters, read from its query string (`request.GET`): the list page
    and its Excel export both build their rows here, so the file holds what the list shows."""
    return resident_list(scope=scope, q=(params.get("q") or "").strip(),
                         status=params.get("status", PersonStatus.ACTIVE), tag=params.get("tag") or "",
                         residence_status=params.get("residence") or "")


def resident_filter_text(params) -> str:
    """The filter as the access log names it; a whole ID or phone number is not written out."""
    from gongzhi.core.exports import describe_filter

    params = {**{k: params.get(k) or "" for k in ("q", "residence", "tag")},
              "status": params.get("status", PersonStatus.ACTIVE) or "全部"}
    if is_exact_lookup(params["q"]):
        params["q"] = f"完整号码({len(idcard.normalise(params['q']))} 位)"
    return describe_filter(params, {"q": "查询", "status": "状态", "residence": "居住状态", "tag": "人员标签"},
                           {"status": dict(PersonStatus.choices), "residence": dict(ResidenceStatus.choices),
                            "tag": dict(CareTag.objects.values_list("code", "name"))})


RESIDENT_ROW_RELATED = ("household", "grid", "community", "dwelling")


def resident_page(qs: QuerySet[Resident], number, per_page: int = 30, *, with_tags: bool = False):
    return paginate_by_ids(qs, number, per_page, related=RESIDENT_ROW_RELATED,
                           prefetch=("care_tags",) if with_tags else ())


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


def active_resident_by_id_number(raw: str, residents: QuerySet | None = None) -> tuple[str, Resident | None]:
    """(the checked, normalised number; the active resident holding it, or None),
    found through the keyed hash so the number itself is never searched.
    `residents` narrows where to look (e.g. one community); idcard errors propagate."""
    number = idcard.parse(raw).value
    qs = (residents if residents is not None else Resident.objects.all()).select_related("community", "grid")
    return number, qs.filter(id_number_hash=crypto.keyed_hash(number), status=PersonStatus.ACTIVE).first()
