"""The volunteers' figures for the standards engine, read from the service records themselves
(registered under extras["metrics"]; see gongzhi/core/metrics.py). P-VOL-1: registered volunteers
as a share of residents and activities held a year; P-VOL-2: service records, confirmed hours and
certificates (服务记录与证明出具); P-VOL-3: points earned in the neighbourly time bank.
Aggregates in the database: one grouped query per figure for all communities of a run."""
from __future__ import annotations

from django.db.models import Count, Q, Sum

from gongzhi.core.metrics import Context, Metric, Ratio, counts, evidence, grouped, ratio
from gongzhi.people.models import PersonStatus
from gongzhi.volunteers.models import Certificate, EntryKind, PointEntry, SignUp, Volunteer

REPORT = evidence("志愿服务时长年报", "volunteers:report", year="{year}")
ROSTER = evidence("志愿者名册", "volunteers:roster")


def volunteers_registered(ctx: Context):
    """The roster's volunteers who are active residents. A closed period's run (`registry_as_of`) counts them by
    their own dates (注册日期 ≤ the day < 退出日期): the roster keeps no history, so a resident's status is
    today's, and the run says so (ctx.registry["volunteer_roster"])."""
    day = ctx.registry_as_of
    if day is None:
        return counts(Volunteer.objects.filter(ctx.scope, left_on__isnull=True, resident__status=PersonStatus.ACTIVE))
    ctx.registry["volunteer_roster"] = "today"
    serving = Q(registered_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))
    return counts(Volunteer.objects.filter(ctx.scope, serving, resident__status=PersonStatus.ACTIVE))


def volunteers_registered_rate(ctx: Context):
    return ratio(ctx.get("volunteers_registered"), ctx.get("residents"), ctx.ids, 100)


def _served(ctx: Context) -> dict:
    return ctx.once("volunteers.served", lambda: grouped(
        SignUp.objects.filter(ctx.scope, served_on__year=ctx.year, hours__isnull=False, hours__gt=0),
        "community_id", n_activities=Count("activity_id", distinct=True), n_people=Count("volunteer_id", distinct=True),
        n_hours=Sum("hours")))


def volunteer_activities_held(ctx: Context):
    served = _served(ctx)
    return {cid: served.get(cid, {}).get("n_activities", 0) for cid in ctx.ids}


def volunteer_hours_confirmed(ctx: Context):
    served = _served(ctx)
    return {cid: float(served.get(cid, {}).get("n_hours") or 0) for cid in ctx.ids}


def volunteers_serving(ctx: Context):
    served = _served(ctx)
    return {cid: served.get(cid, {}).get("n_people", 0) for cid in ctx.ids}


def volunteers_serving_rate(ctx: Context):
    return ratio(ctx.get("volunteers_serving"), ctx.get("volunteers_registered"), ctx.ids, 100)


def volunteer_hours_per_volunteer(ctx: Context):
    return ratio(ctx.get("volunteer_hours_confirmed"), ctx.get("volunteers_registered"), ctx.ids, 1)


def volunteer_certificates_issued(ctx: Context):
    return counts(Certificate.objects.filter(ctx.scope, voided="", issued_at__year=ctx.year))


def time_bank_points_earned(ctx: Context):
    rows = grouped(PointEntry.objects.filter(kind=EntryKind.EARN, created_at__year=ctx.year,
                                             debit__community_id__in=ctx.communities.values("id")),
                   "debit__community_id", n=Sum("amount"))
    return {cid: rows.get(cid, {}).get("n") or 0 for cid in ctx.ids}


METRICS = (
    Metric("volunteers_registered", "注册志愿者(志愿服务记录)", "人", compute=volunteers_registered, evidence=ROSTER),
    Metric("volunteers_registered_rate", "注册志愿者占居民比例(志愿服务记录)", "%", compute=volunteers_registered_rate,
           evidence=ROSTER, ratio=Ratio("volunteers_registered", "人", "residents", "人"),
           note="P-VOL-1:注册志愿者不少于居民的 10%", history=("volunteer_roster", "residents")),
    Metric("volunteer_activities_held", "开展志愿活动(有确认时长)", "次", period=True,
           compute=volunteer_activities_held, evidence=REPORT, note="P-VOL-1:每年不少于 6 次"),
    Metric("volunteer_hours_confirmed", "经确认的志愿服务时长", "小时", period=True,
           compute=volunteer_hours_confirmed, evidence=REPORT),
    Metric("volunteers_serving", "年内有服务记录的志愿者", "人", period=True, compute=volunteers_serving,
           evidence=REPORT),
    Metric("volunteers_serving_rate", "有服务记录的志愿者比例", "%", period=True, compute=volunteers_serving_rate,
           evidence=REPORT, ratio=Ratio("volunteers_serving", "人", "volunteers_registered", "人"),
           note="P-VOL-2:服务记录"),
    Metric("volunteer_hours_per_volunteer", "志愿者人均服务时长", "小时", period=True,
           compute=volunteer_hours_per_volunteer, evidence=REPORT,
           ratio=Ratio("volunteer_hours_confirmed", "小时", "volunteers_registered", "人")),
    Metric("volunteer_certificates_issued", "出具志愿服务证明", "份", period=True,
           compute=volunteer_certificates_issued, evidence=ROSTER, note="P-VOL-2:服务记录与证明出具"),
    Metric("time_bank_points_earned", "时间银行发放积分", "分", period=True, compute=time_bank_points_earned,
           evidence=REPORT, note="P-VOL-3:道德银行、邻里互助"),
)
