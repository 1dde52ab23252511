"""Care figures for the standards engine (P-CARE-1..6), registered in the manifest under extras["metrics"];
see gongzhi/core/metrics.py for what a metric is. Registry figures read the registry as it stands (the care
groups are derived on read); period figures count the assessed year's visits and reports. A closed period's
run (`registry_as_of`, issue 16) reads the elders of P-CARE-3 as they stood at its end (the residents' history,
standards/asof.py); the derived groups stay today's and the run says so (`DERIVED_TODAY`)."""
from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q

from gongzhi.care import stations, visits
from gongzhi.care.groups import annotate_groups, registry_residents
from gongzhi.care.models import (
    CareVisit, Group, GroupReview, HardshipReport, HardshipState, HomeEnrolment, JobHelp,
)
from gongzhi.core.metrics import Context, Metric, Ratio, counts, evidence, grouped
from gongzhi.standards import asof

GROUPS = evidence("关爱对象", "care:groups")
OVERVIEW = evidence("关爱统计", "care:overview")
STATIONS = evidence("养老服务站点和覆盖率", "care:stations")
# P-CARE-3's figures over the elders: a closed period's run reads them together (_coverage), notes each
CIRCLE = ("care_elders", "care_elders_within_circle", "care_circle_coverage")
HARDSHIPS = evidence("困难上报", "care:hardships")
HOMES = evidence("残疾人之家", "care:disabled")


# the care figures derived from the registry as it stands, also in a closed period's run (no history of the
# absences, tags, certificates and reviews they read): noted as read from today's registry
DERIVED_TODAY = ("care_left_behind", "care_disabled", "care_on_visit_lists", "care_visits_not_overdue",
                 "care_disabled_enrolled", "care_disabled_enrolled_share")


def _from_today(ctx: Context, *names: str) -> None:
    if ctx.registry_as_of is not None:
        for name in names:
            ctx.registry[name] = asof.FROM_TODAY


def _coverage(ctx: Context):
    """P-CARE-3's figures per community. In a closed period's run (`registry_as_of`) the elders are those of
    the registry at its end: today's, corrected per grid from the residents' history (asof.elder_corrections,
    the residents' tail pass); `ctx.registry["care_elders"]` says whether the history reached back that far."""
    def build():
        fixes = None
        if ctx.registry_as_of is not None:
            fixes = asof.elder_corrections(ctx, ctx.registry_as_of)
            # the figures over those elders come from the history too; the stations, like every facility, are
            # read as they stand (the run's note says so), so a snapshot taken late may keep these figures
            for name in CIRCLE:
                ctx.registry[name] = asof.FROM_TODAY if fixes is None else asof.FROM_HISTORY
        return {r["community"].pk: r for r in stations.coverage(list(ctx.communities), ctx.as_of, fixes)}
    return ctx.once("care.coverage", build)


def _stations(ctx: Context):
    """The station figures alone: no elder read (a closed period's run does not pay the residents' history for them)."""
    return ctx.once("care.stations", lambda: stations.station_counts(list(ctx.communities), ctx.as_of))


def has_station(ctx):
    c = _stations(ctx)
    return {cid: 1 if c.get(cid, {}).get("station") else 0 for cid in ctx.ids}


def elders(ctx):
    c = _coverage(ctx)
    return {cid: c.get(cid, {}).get("elders", 0) for cid in ctx.ids}


def elders_within_circle(ctx):
    c = _coverage(ctx)
    return {cid: c.get(cid, {}).get("inside", 0) for cid in ctx.ids}


def circle_share(ctx):
    c = _coverage(ctx)
    return {cid: (round(100 * c[cid]["share"], 1) if c.get(cid, {}).get("share") is not None else None)
            for cid in ctx.ids}


def stations_online_share(ctx):
    c = _stations(ctx)
    return {cid: (round(100 * c[cid]["online"] / c[cid]["stations"], 1) if c.get(cid, {}).get("stations") else None)
            for cid in ctx.ids}


def _groups(ctx: Context):
    """Left-behind and disabled residents per community: the derived flags counted by one grouped statement
    without the workers' reviews (no latest-review sub-query per resident), corrected by a second one over the
    reviewed residents only (what counts for them, less what their derived flags counted). The groups' inner
    queries are narrowed to the run's communities (`communities`: PostgreSQL hash-joins their rows)."""
    _from_today(ctx, "care_left_behind", "care_disabled")

    def count(qs, prefix):
        return grouped(qs, "community_id",
                       left_behind=Count("pk", filter=Q(**{f"{prefix}left_behind_child": True})
                                         | Q(**{f"{prefix}left_behind_elder": True})),
                       disabled=Count("pk", filter=Q(**{f"{prefix}disabled": True})))

    def build():
        base = registry_residents().filter(community_id__in=ctx.ids)
        out = count(annotate_groups(base, ctx.as_of, reviews=False, communities=ctx.ids), "g_")
        reviewed = annotate_groups(base.filter(pk__in=GroupReview.objects.filter(group__in=(
            Group.LEFT_BEHIND_CHILD, Group.LEFT_BEHIND_ELDER, Group.DISABLED)).values("resident_id")),
            ctx.as_of, communities=ctx.ids)
        for sign, prefix in ((1, "e_"), (-1, "g_")):
            for cid, row in count(reviewed, prefix).items():
                mine = out.setdefault(cid, {"left_behind": 0, "disabled": 0})
                for key in ("left_behind", "disabled"):
                    mine[key] += sign * row[key]
        return out
    return ctx.once("care.groups", build)


def left_behind(ctx):
    g = _groups(ctx)
    return {cid: g.get(cid, {}).get("left_behind", 0) for cid in ctx.ids}


def disabled(ctx):
    g = _groups(ctx)
    return {cid: g.get(cid, {}).get("disabled", 0) for cid in ctx.ids}


def _visit_status(ctx: Context):
    """{community id: {visit status: people}} of the visit lists, counted by the database (visits.status_counts)."""
    _from_today(ctx, "care_on_visit_lists", "care_visits_not_overdue")
    return ctx.once("care.visits", lambda: visits.status_counts(list(ctx.communities), ctx.as_of))


def on_visit_lists(ctx):
    v = _visit_status(ctx)
    return {cid: sum(v[cid].values()) if cid in v else 0 for cid in ctx.ids}


def visits_not_overdue_share(ctx):
    v = _visit_status(ctx)
    out = {}
    for cid in ctx.ids:
        total = sum(v[cid].values()) if cid in v else 0
        out[cid] = round(100 * (total - v[cid].get(visits.OVERDUE, 0)) / total, 1) if total else None
    return out


def care_visits(ctx):
    n = counts(CareVisit.objects.filter(ctx.scope, visited_on__year=ctx.year))
    return {cid: n.get(cid, 0) for cid in ctx.ids}


def hardships_reported(ctx):
    n = counts(HardshipReport.objects.filter(ctx.scope, reported_at__year=ctx.year))
    return {cid: n.get(cid, 0) for cid in ctx.ids}


def hardships_decided_in_time_share(ctx):
    rows = grouped(HardshipReport.objects.filter(ctx.scope, reported_at__year=ctx.year,
                                                 state__in=(HardshipState.DECIDED, HardshipState.DECLINED)),
                   "community_id", n=Count("*"),
                   on_time=Count("pk", filter=Q(decided_at__date__lte=F("due_on"))))
    return {cid: (round(100 * rows[cid]["on_time"] / rows[cid]["n"], 1) if cid in rows else None) for cid in ctx.ids}


def _enrolled(ctx: Context):
    """Per community: the residents counted in the `disabled` care group on `as_of` who were enrolled at a
    残疾人之家 that day (day care or rehabilitation; one person enrolled for both counts once)."""
    _from_today(ctx, "care_disabled_enrolled", "care_disabled_enrolled_share")

    def build():
        day = ctx.as_of
        at_home = HomeEnrolment.objects.filter(resident_id=OuterRef("pk"), starts_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        qs = (annotate_groups(registry_residents().filter(community_id__in=ctx.ids), day, communities=ctx.ids)
              .filter(e_disabled=True)
              .filter(Exists(at_home)))
        return counts(qs)
    return ctx.once("care.enrolled", build)


def disabled_enrolled(ctx):
    n = _enrolled(ctx)
    return {cid: n.get(cid, 0) for cid in ctx.ids}


def disabled_enrolled_share(ctx):
    n, of = _enrolled(ctx), ctx.get("care_disabled")
    return {cid: (round(100 * n.get(cid, 0) / of[cid], 1) if of.get(cid) else None) for cid in ctx.ids}


def disabled_job_help(ctx):
    """Residents (not entries) given job help in the year: one person helped three times counts once."""
    rows = grouped(JobHelp.objects.filter(ctx.scope, given_on__year=ctx.year), "community_id",
                   n=Count("resident_id", distinct=True))
    return {cid: rows[cid]["n"] if cid in rows else 0 for cid in ctx.ids}


METRICS = (
    Metric("care_community_station", "社区居家养老服务站", "个", compute=has_station, evidence=STATIONS,
           note="有社区级居家养老服务站计 1(P-CARE-1、P-CARE-3)"),
    Metric("care_elders", "60 岁以上老人", "人", compute=elders, evidence=STATIONS, history=CIRCLE),
    Metric("care_elders_within_circle", "步行 30 分钟内有服务站点的老人", "人", compute=elders_within_circle,
           evidence=STATIONS, history=CIRCLE),
    Metric("care_circle_coverage", "居家养老服务覆盖率", "%", compute=circle_share, evidence=STATIONS,
           ratio=Ratio("care_elders_within_circle", "人", "care_elders", "人"),
           note="按网格中心定位老人;步行速度和时间按本地规则", history=CIRCLE),
    Metric("care_stations_online", "居家养老服务信息化率", "%", compute=stations_online_share, evidence=STATIONS,
           note="近 90 天在本平台记录服务工单的社区服务站占比"),
    Metric("care_on_visit_lists", "关爱走访对象", "人", compute=on_visit_lists, evidence=OVERVIEW),
    Metric("care_visits_not_overdue", "关爱走访按时率", "%", compute=visits_not_overdue_share, evidence=OVERVIEW,
           note="走访名单中未逾期的人所占比例(P-CARE-2)"),
    Metric("care_visits", "关爱走访次数", "次", period=True, compute=care_visits, evidence=OVERVIEW),
    Metric("care_left_behind", "留守儿童和留守老人", "人", compute=left_behind, evidence=GROUPS,
           note="由人口信息推算并经核实(P-CARE-4)"),
    Metric("care_hardships_reported", "困难上报", "件", period=True, compute=hardships_reported, evidence=HARDSHIPS),
    Metric("care_hardships_in_time", "困难上报按时办结率", "%", period=True,
           compute=hardships_decided_in_time_share, evidence=HARDSHIPS),
    Metric("care_disabled", "残疾人", "人", compute=disabled, evidence=GROUPS, note="P-CARE-6"),
    Metric("care_disabled_enrolled", "在残疾人之家入托的残疾人", "人", compute=disabled_enrolled, evidence=HOMES,
           note="日间照料或康复训练,入托两项的计一人(P-CARE-6)"),
    Metric("care_disabled_enrolled_share", "残疾人入托残疾人之家比例", "%", compute=disabled_enrolled_share,
           evidence=HOMES, ratio=Ratio("care_disabled_enrolled", "人", "care_disabled", "人"),
           note="本社区残疾人关爱对象中在残疾人之家日间照料或康复训练的比例(P-CARE-6)"),
    Metric("care_disabled_job_help", "受到就业帮扶的残疾人", "人", period=True, compute=disabled_job_help,
           evidence=HOMES, note="当年登记过就业帮扶的残疾人,每人计一次(P-CARE-6)"),
)
