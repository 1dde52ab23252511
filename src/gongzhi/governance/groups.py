"""Residents' groups against their size rule (P-SIZE-5, 002(2) 二(一)2(4)(5)): a group is set up for
about 200–300 households, has a leader chosen by the group, and one building head (门栋长) for every
20–30 of its households. Read on a day, from the groups and posts open that day (both keep history),
by the database: the posts page shows each group's gaps, and the standards engine counts them."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from gongzhi.governance.models import PostKind, ResidentGroup, ResidentPost

GROUP_HOUSEHOLDS = (200, 300)     # 居民小组原则上按 200—300 户的规模设立
HOUSEHOLDS_PER_HEAD = (20, 30)    # 按 20—30 户规模选配 1 名门栋长


def _open_on(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}since__lte": on}) & (Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gt": on}))


def _posts(kind: str, on: dt.date) -> Subquery:
    rows = (ResidentPost.objects.filter(group=OuterRef("pk"), kind=kind).filter(_open_on(on))
            .order_by().values("group").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def groups_on(on: dt.date) -> QuerySet[ResidentGroup]:
    """Groups open on `on`, each with `leaders` and `heads` (posts open that day) and the flags
    `off_size` (households outside 200–300), `short_of_heads` (more than 30 households per head)
    and `no_leader`."""
    low, high = GROUP_HOUSEHOLDS
    return (ResidentGroup.objects.filter(_open_on(on))
            .annotate(leaders=_posts(PostKind.GROUP_LEADER, on), heads=_posts(PostKind.BUILDING_HEAD, on))
            .annotate(off_size=Q(households__lt=low) | Q(households__gt=high),
                      short_of_heads=Q(households__gt=F("heads") * HOUSEHOLDS_PER_HEAD[1]),
                      no_leader=Q(leaders=0)))


def heads_needed(households: int) -> tuple[int, int]:
    """How many building heads a group of `households` should have: one per 30 at least, one per 20 at most."""
    low, high = HOUSEHOLDS_PER_HEAD
    return -(-households // high), max(1, households // low) if households else 0


def gaps(group) -> list[str]:
    """What a group annotated by `groups_on` lacks, in words for the committee."""
    out = []
    low, high = GROUP_HOUSEHOLDS
    if group.off_size:
        out.append(f"{group.households} 户,不在 {low}—{high} 户的规模内")
    if group.no_leader:
        out.append("没有在任的居民小组长")
    if group.short_of_heads:
        least, _ = heads_needed(group.households)
        out.append(f"门栋长 {group.heads} 名,按每 {HOUSEHOLDS_PER_HEAD[0]}—{HOUSEHOLDS_PER_HEAD[1]} 户一名至少应有 "
                   f"{least} 名")
    return out


def counts_by_community(scope: Q, on: dt.date) -> dict[int, dict]:
    """Per community with groups open on `on`: groups, and how many are off size, short of heads,
    without a leader. One grouped query."""
    return {row.pop("community_id"): row for row in
            groups_on(on).filter(scope).values("community_id").order_by().annotate(
                groups=Count("pk"), off_size_n=Count("pk", filter=Q(off_size=True)),
                short_n=Count("pk", filter=Q(short_of_heads=True)), no_leader_n=Count("pk", filter=Q(no_leader=True)))}
