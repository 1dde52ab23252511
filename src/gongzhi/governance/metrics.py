"""Self-governance figures for the standards engine and the street's table (registered in
manifest.py under extras["metrics"]; see gongzhi/core/metrics.py): topics raised and answered in
time, deliberation sessions held, residents' (villagers') meetings and the decisions they passed.
Each family is one grouped query per run (`ctx.once`)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from gongzhi.core.metrics import Context, Metric, Ratio, evidence, grouped, ratio
from gongzhi.governance.models import (
    HearingMatter, MeetingState, Outcome, ResidentMeeting, Session, SessionForm, SessionState, Topic, TopicState,
)

TOPICS = evidence("议题", "governance:topics", community="{code}")
SESSIONS = evidence("协商会议", "governance:sessions")
MEETINGS = evidence("居民会议表决", "governance:meetings")
MATTERS = evidence("转为工单的议题", "governance:topics", community="{code}", state="ordered")
GROUPS = evidence("居民小组和门栋长", "governance:posts", community="{code}")


def _topics(ctx: Context) -> dict:
    def build():
        end = dt.datetime.combine(ctx.as_of + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())
        due_in_year = Q(answer_due_at__year=ctx.year, answer_due_at__lt=end)
        return grouped(
            Topic.objects.filter(ctx.scope), "community_id",
            raised=Count("pk", filter=Q(created_at__year=ctx.year)),
            due=Count("pk", filter=due_in_year),
            on_time=Count("pk", filter=due_in_year & Q(answered_at__isnull=False, answered_at__lte=F("answer_due_at"))),
            overdue_now=Count("pk", filter=Q(state=TopicState.WAITING, answer_due_at__lt=end)))
    return ctx.once("governance.topics", build)


def _meetings(ctx: Context) -> dict:
    def build():
        year = Q(held_on__year=ctx.year, held_on__lte=ctx.as_of)
        sessions = grouped(Session.objects.filter(ctx.scope), "community_id",
                           held=Count("pk", filter=year & Q(state=SessionState.HELD)))
        meetings = grouped(ResidentMeeting.objects.filter(ctx.scope), "community_id",
                           closed=Count("pk", filter=year & Q(state=MeetingState.CLOSED)),
                           adopted=Count("pk", filter=year & Q(state=MeetingState.CLOSED, outcome=Outcome.ADOPTED)),
                           no_quorum=Count("pk", filter=year & Q(state=MeetingState.CLOSED,
                                                                 outcome=Outcome.NO_QUORUM)))
        return {"sessions": sessions, "meetings": meetings}
    return ctx.once("governance.meetings", build)


def _pick(rows: dict, name: str) -> dict:
    return {cid: row[name] for cid, row in rows.items()}


def topics_raised(ctx):
    return _pick(_topics(ctx), "raised")


def topics_due(ctx):
    return _pick(_topics(ctx), "due")


def topics_answered_on_time(ctx):
    return _pick(_topics(ctx), "on_time")


def topics_answered_on_time_rate(ctx):
    return ratio(topics_answered_on_time(ctx), topics_due(ctx), ctx.ids, 100)


def topics_overdue(ctx):
    return _pick(_topics(ctx), "overdue_now")


def sessions_held(ctx):
    return _pick(_meetings(ctx)["sessions"], "held")


def decisions_voted(ctx):
    return _pick(_meetings(ctx)["meetings"], "closed")


def decisions_adopted(ctx):
    return _pick(_meetings(ctx)["meetings"], "adopted")


def decisions_without_quorum(ctx):
    return _pick(_meetings(ctx)["meetings"], "no_quorum")


def _matters(ctx: Context) -> dict:
    """P-GOV-3 (002(2) 二(三)2(4): 对涉及政府部门解决的事项,及时召开社区社会事务听证会,向政府部门反馈居民意见).
    A matter that needs the government: a topic handed to a work order (转为工单) in the year, by the
    assessment day, whose order a government department handles (handling_department set). It is heard
    when a hearing (听证会) that names it was held on or after the day it was handed and by the
    assessment day, and fed back to the department handling its order (same unit, same department).
    One grouped query with an EXISTS per topic."""
    def build():
        tz = timezone.get_current_timezone()
        end = dt.datetime.combine(ctx.as_of + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        heard = HearingMatter.objects.filter(
            topic_id=OuterRef("pk"), session__form=SessionForm.HEARING, session__state=SessionState.HELD,
            session__held_on__gte=OuterRef("handed_on"), session__held_on__lte=ctx.as_of,
            session__department_place_id=OuterRef("handed_order__handling_place_id"),
            session__department=OuterRef("handed_order__handling_department"))
        matters = (Topic.objects.filter(ctx.scope, state=TopicState.ORDERED, handed_order__isnull=False,
                                        answered_at__year=ctx.year, answered_at__lt=end)
                   .exclude(handed_order__handling_department="")
                   .annotate(handed_on=TruncDate("answered_at", tzinfo=tz)))
        return grouped(matters, "community_id", matters=Count("pk"), heard=Count("pk", filter=Q(Exists(heard))))
    return ctx.once("governance.matters", build)


def government_matters(ctx):
    return _pick(_matters(ctx), "matters")


def government_matters_heard(ctx):
    return _pick(_matters(ctx), "heard")


def government_matters_heard_share(ctx):
    """Heard ÷ matters, %; None (no such matter: nothing to hear) for a community without one."""
    return ratio(government_matters_heard(ctx), government_matters(ctx), ctx.ids, 100)


def _groups(ctx: Context) -> dict:
    from gongzhi.governance.groups import counts_by_community
    return ctx.once("governance.groups", lambda: counts_by_community(ctx.scope, ctx.as_of))


def _of_groups(ctx, name: str) -> dict:
    """A count over the community's residents' groups; None (no data) where it has none registered."""
    rows = _groups(ctx)
    return {cid: rows[cid][name] if cid in rows else None for cid in ctx.ids}


def resident_groups(ctx):
    return {cid: row["groups"] for cid, row in _groups(ctx).items()}


def resident_groups_off_size(ctx):
    return _of_groups(ctx, "off_size_n")


def resident_groups_short_of_heads(ctx):
    return _of_groups(ctx, "short_n")


def resident_groups_without_leader(ctx):
    return _of_groups(ctx, "no_leader_n")


METRICS = (
    Metric("topics_raised", "年度居民议题", "个", period=True, compute=topics_raised, evidence=TOPICS),
    Metric("topics_due", "年度应答复的议题", "个", period=True, compute=topics_due, evidence=TOPICS),
    Metric("topics_answered_on_time", "按时答复的议题", "个", period=True, compute=topics_answered_on_time,
           evidence=TOPICS),
    Metric("topics_answered_on_time_rate", "议题按时答复率", "%", period=True, compute=topics_answered_on_time_rate,
           evidence=TOPICS, ratio=Ratio("topics_answered_on_time", "个", "topics_due", "个"),
           note="答复时限在本年内的议题中,在时限前答复的比例"),
    Metric("topics_overdue", "超时未答复的议题", "个", compute=topics_overdue, evidence=TOPICS),
    Metric("sessions_held", "年度召开的协商会议", "次", period=True, compute=sessions_held, evidence=SESSIONS,
           note="议事协商会议、民情恳谈、听证会、社区论坛、居民评议"),
    Metric("decisions_voted", "年度居民(村民)会议表决事项", "项", period=True, compute=decisions_voted,
           evidence=MEETINGS),
    Metric("decisions_adopted", "表决通过的事项", "项", period=True, compute=decisions_adopted, evidence=MEETINGS),
    Metric("decisions_without_quorum", "不足法定人数的表决", "项", period=True, compute=decisions_without_quorum,
           evidence=MEETINGS),
    Metric("government_matters", "涉及政府部门解决的事项(转为工单并派给政府部门的议题)", "项", period=True,
           compute=government_matters, evidence=MATTERS),
    Metric("government_matters_heard", "召开了听证会的涉及政府部门解决的事项", "项", period=True,
           compute=government_matters_heard, evidence=MATTERS),
    Metric("government_matters_heard_share", "涉及政府部门解决的事项召开听证会的比例", "%", period=True,
           compute=government_matters_heard_share, evidence=MATTERS,
           ratio=Ratio("government_matters_heard", "项已听证", "government_matters", "项事项"),
           note="当年转为工单、由政府部门承办的议题中,召开了听证会(召开日期不早于转办日、向承办部门反馈)的比例;"
                "没有这类事项的社区为无数据"),
    Metric("resident_groups", "居民小组", "个", compute=resident_groups, evidence=GROUPS),
    Metric("resident_groups_off_size", "户数不在 200—300 户的居民小组", "个", compute=resident_groups_off_size,
           evidence=GROUPS, note="按居民小组登记的户数;没有登记居民小组的社区为无数据"),
    Metric("resident_groups_short_of_heads", "门栋长不足(每名超过 30 户)的居民小组", "个",
           compute=resident_groups_short_of_heads, evidence=GROUPS, note="门栋长按所属居民小组统计"),
    Metric("resident_groups_without_leader", "没有居民小组长的居民小组", "个", compute=resident_groups_without_leader,
           evidence=GROUPS),
)
