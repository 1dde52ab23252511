"""Figures the policy packs need (issue 16) that the modules owning the data do not count yet:
posts that count toward 职数 (P-STAFF-1), the secretary who is also director (P-STAFF-6), staff
posts for pay (P-FUND-4), the parts of city-wide ratios (P-EVAL-4), hearings (P-GOV-3), months with
a monthly dispute meeting (P-GRID-4), grids drawn as 综合/专属网格 (P-GRID-2). Each is one grouped
query over the books, like every metric (gongzhi/core/metrics.py).

They belong with their data (ledgers/metrics.py, places/metrics.py); they are kept here, in the
standards module, because those modules were not open to this change. Moving one is moving its
entry: packs name metrics, not modules. Registered in the manifest under extras["metrics"].
"""
from __future__ import annotations

from django.db.models import Count, Q

from gongzhi.core.metrics import Metric, counts, evidence, grouped
from gongzhi.ledgers.metrics import WORKERS_HISTORY, worker_rows
from gongzhi.ledgers.models import CommitteePost, Meeting, MeetingKind, PartyPost
from gongzhi.places.models import Level, Place

LEDGER = "ledgers:ledger"
WORKERS = evidence("班子与工作者", LEDGER, "{code}", tab="workers")
MEETINGS = evidence("会议记录", LEDGER, "{code}", tab="meetings", year="{year}")
GRIDS = evidence("网格", "places:detail", "{code}")


def _posts(ctx) -> dict:
    """Serving workers by post, one grouped query (voided rows are not workers: they have left)."""
    secretary, director = Q(party_post=PartyPost.SECRETARY), Q(committee_post=CommitteePost.DIRECTOR)
    return ctx.once("standards.posts", lambda: grouped(
        worker_rows(ctx), "community_id",
        n_counted=Count("id", filter=~Q(committee_post="") & Q(full_time=True)),
        n_both=Count("id", filter=secretary & director),
        n_one=Count("id", filter=(secretary & ~director) | (director & ~secretary)),
        n_deputy=Count("id", filter=Q(committee_post=CommitteePost.DEPUTY)),
        n_secretary=Count("id", filter=secretary),
        n_certified=Count("id", filter=~Q(certificate="")), n_all=Count("id")))


def _post(ctx, key: str) -> dict:
    return {cid: row[f"n_{key}"] for cid, row in _posts(ctx).items()}


def committee_posts_counted(ctx):
    """Committee members who count toward 职数: the full-time ones (002(2) 二(二)1(2):
    兼职的社区居委会成员可不占社区居委会职数)."""
    return _post(ctx, "counted")


def secretary_is_director(ctx):
    """100 when the party secretary is also the committee's director (一人兼), 0 when not, None without a secretary."""
    both, secretaries = _post(ctx, "both"), _post(ctx, "secretary")
    return {cid: (None if not secretaries.get(cid) else (100.0 if both.get(cid) else 0.0)) for cid in ctx.ids}


def posts_one_shoulder(ctx):
    return _post(ctx, "both")


def posts_secretary_or_director(ctx):
    return _post(ctx, "one")


def posts_deputy_director(ctx):
    return _post(ctx, "deputy")


def certified_workers(ctx):
    return _post(ctx, "certified")


def serving_workers(ctx):
    return _post(ctx, "all")


def hearings_per_year(ctx):
    return counts(Meeting.objects.filter(ctx.scope, ctx.in_year("held_on"), voided="", kind=MeetingKind.HEARING))


def dispute_meeting_months(ctx):
    """Months of the year with a monthly dispute meeting (月例会) on record: 12 when every month has one."""
    rows = (Meeting.objects.filter(ctx.scope, ctx.in_year("held_on"), voided="", kind=MeetingKind.MONTHLY)
            .values("community_id").annotate(n=Count("held_on__month", distinct=True)).order_by())
    return {r["community_id"]: r["n"] for r in rows}


def grid_kind_share(ctx):
    """Share of the community's grids drawn as 综合网格 or 专属网格 (P-GRID-2); no grids: no value."""
    rows = grouped(Place.objects.filter(level=Level.GRID, parent_id__in=ctx.ids), "parent_id",
                   total=Count("id"), kinded=Count("id", filter=~Q(grid_kind="")))
    return {cid: (round(100.0 * rows[cid]["kinded"] / rows[cid]["total"], 2) if cid in rows else None)
            for cid in ctx.ids}


RULE_METRICS = (
    Metric("committee_posts_counted", "占居委会职数的成员(专职成员)", "人", compute=committee_posts_counted,
           note="兼职成员可不占职数,不计", evidence=WORKERS, history=WORKERS_HISTORY),
    Metric("secretary_is_director", "党组织书记兼任居(村)委会主任", "%", compute=secretary_is_director,
           note="一人兼为 100,否则为 0;用于计算达标村的比例", evidence=WORKERS, history=WORKERS_HISTORY),
    Metric("posts_one_shoulder", "书记、主任一肩挑的人数", "人", compute=posts_one_shoulder, evidence=WORKERS,
           history=WORKERS_HISTORY),
    Metric("posts_secretary_or_director", "只任书记或只任主任的人数", "人", compute=posts_secretary_or_director,
           evidence=WORKERS, history=WORKERS_HISTORY),
    Metric("posts_deputy_director", "副主任人数", "人", compute=posts_deputy_director, evidence=WORKERS,
           history=WORKERS_HISTORY),
    Metric("certified_workers", "持证社会工作者", "人", compute=certified_workers, evidence=WORKERS, history=WORKERS_HISTORY),
    Metric("serving_workers", "在岗社区工作者", "人", compute=serving_workers, evidence=WORKERS, history=WORKERS_HISTORY),
    Metric("hearings_per_year", "社区社会事务听证会(每年)", "次", period=True, compute=hearings_per_year,
           evidence=MEETINGS),
    Metric("dispute_meeting_months", "开过矛盾纠纷月例会的月份数", "个", period=True, compute=dispute_meeting_months,
           evidence=MEETINGS),
    Metric("grid_kind_share", "划定为综合网格或专属网格的网格比例", "%", compute=grid_kind_share, evidence=GRIDS),
)

