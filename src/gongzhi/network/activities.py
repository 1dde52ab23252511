"""Community activities of a service project, run by its provider (服务活动): announced in advance with the
place, the time and the places, seen by the residents of the project's community, who sign up while places
are left (a conditional update: two residents for the last place, one gets it). Announcing tells the
project's beneficiaries and organisation (network.notices). Every write one transaction; a refusal changes
nothing."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.network import notices
from gongzhi.network.models import (
    ActivitySignup, ActivityState, ProjectActivity, ProjectEvent, ProjectState, ServiceProject,
)
from gongzhi.network.projects import RUNNING, _mine
from gongzhi.network.services import number, text
from gongzhi.people.models import PersonStatus

ERR_WHEN = "{what}不是有效时间,请按 2026-03-01 14:30 的格式填写"
ERR_PAST = "开始时间须晚于现在:活动要提前发布"
ERR_ENDS = "结束时间须晚于开始时间,且同一天内结束(不超过 12 小时)"
ERR_PERIOD = "活动日期 {on} 不在项目周期({starts} 至 {ends})内"
ERR_CAPACITY = "名额须为 1 至 1000 的整数"
ERR_NOT_RUNNING = "项目当前为“{state}”,只有签约实施中的项目可以发布活动"
ERR_FULL = "名额已满,不能再报名"
ERR_CLOSED = "活动已开始或已取消,不能报名"
ERR_TWICE = "您已报名该活动"
ERR_OTHER_COMMUNITY = "该活动面向{community}居民,您不能报名"
ERR_NO_RESIDENT = "您的账号没有关联居民档案,不能报名"
ERR_CANCELLED = "活动已取消"
MAX_HOURS = 12


def _when(value, what: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        at = value
    else:
        raw = (value or "").strip().replace("T", " ")
        if not raw:
            raise RuleError(f"请填写{what}")
        try:
            at = dt.datetime.fromisoformat(raw[:19])
        except ValueError:
            raise RuleError(ERR_WHEN.format(what=what)) from None
        if not 2000 <= at.year <= 2100:
            raise RuleError(ERR_WHEN.format(what=what))
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at


@transaction.atomic
def activity_announce(*, project: ServiceProject, title: str, venue: str, starts_at, ends_at, capacity,
                      note: str = "", by, now=None) -> ProjectActivity:
    """A provider of the project's organisation announces an activity (its place, time and places)."""
    now = now or timezone.now()
    p = ServiceProject.objects.select_for_update().select_related("community").get(pk=project.pk)
    if p.state not in RUNNING:
        raise RuleError(ERR_NOT_RUNNING.format(state=p.get_state_display()))
    _mine(p, by, "发布活动")
    title = text(title, "活动名称", max_len=100)
    venue = text(venue, "活动地点", max_len=100)
    starts, ends = _when(starts_at, "开始时间"), _when(ends_at, "结束时间")
    if starts <= now:
        raise RuleError(ERR_PAST)
    if not starts < ends <= starts + dt.timedelta(hours=MAX_HOURS):
        raise RuleError(ERR_ENDS)
    day = timezone.localtime(starts).date()
    if not p.starts_on <= day <= p.ends_on:
        raise RuleError(ERR_PERIOD.format(on=day.isoformat(), starts=p.starts_on.isoformat(),
                                          ends=p.ends_on.isoformat()))
    places = number(capacity, "名额", places=0, max_digits=5)
    if not 1 <= places <= 1000:
        raise RuleError(ERR_CAPACITY)
    a = ProjectActivity.objects.create(project=p, title=title, venue=venue, starts_at=starts, ends_at=ends,
                                       capacity=int(places), note=text(note, "活动说明", max_len=300, required=False),
                                       by=by)
    ProjectEvent.objects.create(project=p, action="activity", note=f"{timezone.localtime(starts):%Y-%m-%d %H:%M} {title}"[:300],
                                by=by)
    told = notices.beneficiary_accounts(p) | notices.staff_of([p.organisation_id])
    notices.send_once(p, f"activity:{a.pk}", told - {by.pk}, kind=notices.ACTIVITY_KIND,
                      text=f"社区服务活动:{title},{timezone.localtime(starts):%Y-%m-%d %H:%M} 在{venue},"
                           f"名额 {a.capacity} 个,欢迎报名({p.community.name})")
    return a


@transaction.atomic
def activity_cancel(*, activity: ProjectActivity, by) -> ProjectActivity:
    a = ProjectActivity.objects.select_for_update().select_related("project").get(pk=activity.pk)
    _mine(a.project, by, "取消活动")
    if a.state == ActivityState.CANCELLED:
        raise RuleError(ERR_CANCELLED)
    a.state = ActivityState.CANCELLED
    a.save(update_fields=["state"])
    ProjectEvent.objects.create(project=a.project, action="activity_cancel", note=a.title, by=by)
    return a


@transaction.atomic
def activity_signup(*, activity: ProjectActivity, resident, now=None) -> ActivitySignup:
    """A resident of the project's community takes one place; the last place goes to one of two at once."""
    now = now or timezone.now()
    if resident is None:
        raise RuleError(ERR_NO_RESIDENT)
    a = ProjectActivity.objects.select_related("project__community").get(pk=activity.pk)
    if resident.community_id != a.project.community_id or resident.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_OTHER_COMMUNITY.format(community=a.project.community.name))
    if ActivitySignup.objects.filter(activity=a, resident=resident).exists():
        raise RuleError(ERR_TWICE)
    taken = ProjectActivity.objects.filter(pk=a.pk, state=ActivityState.ANNOUNCED, starts_at__gt=now,
                                           project__state__in=RUNNING,
                                           signed_up__lt=F("capacity")).update(signed_up=F("signed_up") + 1)
    if not taken:
        fresh = ProjectActivity.objects.get(pk=a.pk)
        if fresh.state != ActivityState.ANNOUNCED or fresh.starts_at <= now:
            raise RuleError(ERR_CLOSED)
        raise RuleError(ERR_FULL)
    try:
        with transaction.atomic():
            return ActivitySignup.objects.create(activity=a, resident=resident)
    except IntegrityError:
        raise RuleError(ERR_TWICE) from None  # the outer transaction rolls the place back


def evaluations_due(*, today: dt.date | None = None) -> int:
    """The sweep: tell the community's workers once when a running project's mid-term evaluation is due
    (half its period has passed) or its final one (its period has ended). Returns the notices' projects."""
    today = today or timezone.localdate()
    sent = 0
    running = ServiceProject.objects.filter(state__in=RUNNING).select_related("community").only(
        "pk", "title", "state", "starts_on", "ends_on", "community__name", "community__path")
    for p in running.iterator(chunk_size=500):
        if p.state == ProjectState.CONTRACTED and p.starts_on + (p.ends_on - p.starts_on) / 2 <= today:
            key, label = "due:midterm", "中期评估"
        elif p.state == ProjectState.MIDTERM and p.ends_on <= today:
            key, label = "due:final", "终期评估"
        else:
            continue
        with transaction.atomic():
            if notices.send_once(p, key, notices.community_workers(p.community),
                                 text=f"服务项目“{p.title}”应做{label}了({p.community.name})"):
                sent += 1
    return sent
