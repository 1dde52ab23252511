"""Every read of the board, through the caller's scope (narrowed to the page's capability), and
the public board's reads (live items only, no personal data).

A community or grid post reaches its community's items; a street or district post those of every
community under it; a resident post its own community's board."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.core import modules
from gongzhi.core.scope import Scope
from gongzhi.disclosure.models import Category, Item
from gongzhi.places.models import Level, Place

NOT_FOUND = "未找到或无权访问"
BOARD_DAYS = 365  # the public board shows what was published in the last 12 months
BOARD_PER_CATEGORY = 6
SECTIONS = "disclosure_sections"  # the extension point other modules add board sections under


def _community_of(place: Place) -> int | None:
    if place.level == Level.COMMUNITY:
        return place.pk
    if place.level == Level.GRID:
        return place.parent_id
    return None


def communities_in(scope: Scope) -> QuerySet[Place]:
    """The communities the scope's posts reach (never wider than the narrowed capability)."""
    if scope.capability is None:
        raise RuntimeError("scope not narrowed")
    q = Q(pk__in=[])
    for a in scope.assignments:
        community = _community_of(a.place)
        if community is not None:
            q |= Q(pk=community)
        elif a.place.level in (Level.STREET, Level.DISTRICT):
            q |= Q(path__startswith=a.place.path)
    return Place.objects.filter(q, level=Level.COMMUNITY).order_by("path")


def publish_communities(scope: Scope) -> list[Place]:
    """Where the caller may publish: the communities of their community posts."""
    return [a.place for a in scope.assignments if a.place.level == Level.COMMUNITY]


def items_in(scope: Scope) -> QuerySet[Item]:
    return Item.objects.filter(community_id__in=communities_in(scope).values("pk"))


def access_item(scope: Scope, pk) -> Item:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
    item = items_in(scope).filter(pk=pk).select_related("community", "published_by", "withdrawn_by").first()
    if item is None:
        raise Http404(NOT_FOUND)
    return item


def items_from_query(scope: Scope, params) -> tuple[QuerySet[Item], dict]:
    """The staff list from its query string: community code, category, state (live / withdrawn)."""
    qs = items_in(scope)
    f = {"community": (params.get("community") or "")[:20], "category": params.get("category") or "",
         "state": params.get("state") or ""}
    if f["community"]:
        qs = qs.filter(community__code=f["community"])
    if f["category"] in Category.values:
        qs = qs.filter(category=f["category"])
    else:
        f["category"] = ""
    if f["state"] == "live":
        qs = qs.filter(withdrawn_at__isnull=True)
    elif f["state"] == "withdrawn":
        qs = qs.filter(withdrawn_at__isnull=False)
    else:
        f["state"] = ""
    return qs.order_by("-published_at", "-pk"), f


# -- the public board ----------------------------------------------------------------------
@dataclass
class Section:
    """A part of the board another module adds (extras["disclosure_sections"]): a title, rows of
    (title, date, text) with no personal data, and optionally a link for more."""
    title: str
    rows: list[tuple[str, dt.date | None, str]] = field(default_factory=list)
    more_url: str = ""
    order: int = 100


def board_community(code: str) -> Place:
    community = Place.objects.select_related("parent").filter(code=(code or "")[:20], level=Level.COMMUNITY).first()
    if community is None:
        raise Http404("没有这个社区")
    return community


def board(community: Place, *, now: dt.datetime | None = None) -> list[dict]:
    """The board's columns: each category with its live items of the last 12 months, newest first
    (at most BOARD_PER_CATEGORY each), and the date of the latest."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=BOARD_DAYS)
    items = list(Item.objects.live().filter(community=community, published_at__gte=since)
                 .only("pk", "category", "title", "body", "period_start", "period_end", "published_at",
                       "attachment", "attachment_name", "attachment_type")
                 .order_by("category", "-published_at", "-pk"))
    by_category = {value: [] for value in Category.values}
    for item in items:
        by_category[item.category].append(item)
    return [{"category": value, "label": label, "items": by_category[value][:BOARD_PER_CATEGORY],
             "count": len(by_category[value]),
             "latest": by_category[value][0].published_at if by_category[value] else None}
            for value, label in Category.choices]


def sections(community: Place, *, now: dt.datetime | None = None) -> list[Section]:
    """What other modules add to the board (each a dotted path of f(community, *, now) -> Section | None)."""
    now = now or timezone.now()
    out = []
    for entry in modules.extras(SECTIONS):
        func = import_string(entry) if isinstance(entry, str) else entry
        section = func(community, now=now)
        if section is not None:
            out.append(section)
    return sorted(out, key=lambda s: s.order)


def latest(community_ids, *, limit: int = 5) -> QuerySet[Item]:
    """The newest live items of these communities (the resident's panel)."""
    return Item.objects.live().filter(community_id__in=community_ids).select_related("community") \
        .order_by("-published_at", "-pk")[:limit]


def board_communities() -> QuerySet[Place]:
    """Every community, with its street: the public picker (the territory is not personal)."""
    return Place.objects.filter(level=Level.COMMUNITY).select_related("parent").order_by("path")
