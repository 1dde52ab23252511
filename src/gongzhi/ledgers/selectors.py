"""Reads of a community's ledgers, always through the caller's scope narrowed
to VIEW_LEDGERS (or EDIT_LEDGERS for the pages that change them): departments
get no ledgers from communities (P-DUTY-5: fewer ledgers demanded of them),
and a department or resident post held beside another role widens nothing."""
from __future__ import annotations

from django.http import Http404

from gongzhi.core.scope import Scope
from gongzhi.ledgers import kinds
from gongzhi.ledgers.kinds import LEAVE, Figure, LedgerKind
from gongzhi.ledgers.manifest import EDIT_LEDGERS
from gongzhi.places.models import Level
from gongzhi.places.selectors import access_place


def may_edit(scope: Scope, community, kind: LedgerKind | None = None) -> bool:
    """A post that may keep ledgers covers the community (whatever `scope` was narrowed to),
    and, for one kind, a post granting the kind's capability."""
    return scope.can(EDIT_LEDGERS, community) and (kind is None or scope.can(kind.capability, community))


def access_community(scope: Scope, code: str, *, edit: bool = False, kind: LedgerKind | None = None):
    """The community if the caller's (narrowed) scope holds it, and, with `edit`,
    a post that may keep its ledgers (of `kind`) covers it; otherwise 404, so
    guessing codes reveals nothing."""
    place = access_place(scope, code)
    if place.level != Level.COMMUNITY or (edit and not may_edit(scope, place, kind)):
        raise Http404("未找到或无权访问")
    return place


def rows(kind: LedgerKind, community, *, year: int | None = None, include_left: bool = False):
    """A kind's rows in the community: of `year` when the kind is dated; for a kind
    whose rows end by leaving, those still serving unless `include_left`."""
    qs = kind.queryset(community)
    if kind.date_field and year:
        qs = qs.filter(**{f"{kind.date_field}__year": year})
    if kind.ends == LEAVE and not include_left:
        qs = qs.filter(kind.live())
    return qs


def year_from(params) -> int:
    """The year a ledger page asks for (?year=), kept between 2000 and this year."""
    from django.utils import timezone

    this_year = timezone.localdate().year
    try:
        year = int(params.get("year") or this_year)
    except ValueError:
        return this_year
    return min(max(year, 2000), this_year)


def rows_from_query(community, params) -> tuple[LedgerKind, int, bool, object]:
    """(kind, year, include_left, rows) of a ledger page's query string (?tab=&year=&left=1):
    the page and its Excel export both read the rows here. An unknown tab is a 404."""
    tabs = kinds.registered()
    kind = kinds.get(params.get("tab") or (tabs[0].code if tabs else ""))
    if kind is None:
        raise Http404("没有这个台账")
    year = year_from(params)
    include_left = params.get("left") == "1"
    return kind, year, include_left, rows(kind, community, year=year, include_left=include_left)


def year_summary(community, year: int) -> list[tuple[LedgerKind, list[tuple[Figure, object]]]]:
    """Each kind's figures (in summary order): one aggregate query per kind over the rows
    that count (voided ones and those who left are out), of `year` for a dated kind."""
    out = []
    for kind in sorted(kinds.registered(), key=lambda k: (k.order if k.summary_order is None else k.summary_order)):
        if not kind.summary:
            continue
        qs = kind.model.objects.filter(kind.live(), community=community)
        if kind.date_field:
            qs = qs.filter(**{f"{kind.date_field}__year": year})
        values = qs.aggregate(**{f.key: f.aggregate for f in kind.summary})
        out.append((kind, [(f, values[f.key] if values[f.key] is not None else 0) for f in kind.summary]))
    return out
