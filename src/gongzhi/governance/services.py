"""Every write of the topics: raise, support, withdraw, answer, and the community's rules.
Plain functions, one transaction each; a rule broken raises `RuleError` with a Chinese message
and writes nothing; a concurrent answer raises `ConflictError`."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.core import uploads
from gongzhi.digests import services as follows
from gongzhi.core.errors import ConflictError, RuleError, lock_version
from gongzhi.core.validators import has_control_characters
from gongzhi.governance.models import (
    TEXT_MAX, TITLE_MAX, RaisedAs, Support, Topic, TopicAction, TopicCategory, TopicEvent, TopicPhoto, TopicRules,
    TopicState,
)
from gongzhi.people.models import PersonStatus
from gongzhi.places.models import Level, Place
from gongzhi.workorders import notify
from gongzhi.workorders.calendar import add_working_days

ERR_TITLE = "请填写议题标题(不超过 {n} 个字)"
ERR_TEXT = "请填写议题内容"
ERR_TEXT_LONG = "议题内容不能超过 {n} 个字(现有 {m} 个字)"
ERR_CONTROL = "{field}含有不可见的控制字符,请删除后重新输入"
ERR_CATEGORY = "请选择议题类别"
ERR_RAISED_AS = "您不能以「{label}」的身份提出议题"
ERR_PLACE = "议题必须属于一个社区或网格"
ERR_NOT_COLLECTING = "该议题已不在征集附议阶段"
ERR_TWICE = "您已经附议过这个议题,每位居民只能附议一次"
ERR_NOT_SUPPORTED = "您没有附议过这个议题"
ERR_NOT_RESIDENT = "只有本社区登记在册的居民可以附议"
ERR_ANSWERED = "该议题已经答复,不能再次答复"
ERR_CONFLICT = "该议题刚被他人答复或修改,请刷新页面后查看"
ERR_ANSWER_KIND = "请选择答复方式"
ERR_REASON = "不予采纳必须写明理由,提出人和附议居民都会看到"
ERR_MERGE_TARGET = "请选择要合并到的议题(同一社区、尚未答复或已转入协商的其他议题)"
ERR_ORDER_CATEGORY = "转为工单请选择工单类别"
ERR_ANSWER_LONG = "答复不能超过 {n} 个字"
ERR_RULES = "附议人数须在 1 至 10000 之间,答复时限须在 1 至 60 个工作日之间"
ERR_RULES_CONFLICT = "该社区的议题规则刚被他人修改,请刷新后重试"

ANSWER_KINDS = {"deliberation": TopicState.DELIBERATION, "merge": TopicState.MERGED,
                "order": TopicState.ORDERED, "decline": TopicState.DECLINED}
_ANSWER_ACTIONS = {TopicState.DELIBERATION: TopicAction.DELIBERATION, TopicState.MERGED: TopicAction.MERGE,
                   TopicState.ORDERED: TopicAction.ORDER, TopicState.DECLINED: TopicAction.DECLINE}
# who may say they raise a topic as what, by the role of the post they raise it through
RAISED_AS_BY_ROLE = {Role.RESIDENT: (RaisedAs.RESIDENT,), Role.GRID: (RaisedAs.GRID,),
                     Role.COMMUNITY: (RaisedAs.COMMITTEE, RaisedAs.GROUP, RaisedAs.UNIT)}


def rules_for(community: Place) -> TopicRules:
    """The community's rules (unsaved defaults when it set none)."""
    return TopicRules.objects.filter(community=community).first() or TopicRules(community=community)


def _clean_text(value: str, field: str, *, required: str, limit: int, too_long: str) -> str:
    value = (value or "").strip()
    if not value:
        raise RuleError(required)
    if len(value) > limit:
        raise RuleError(too_long)
    if has_control_characters(value):
        raise RuleError(ERR_CONTROL.format(field=field))
    return value


# the steps residents following a topic hear of (digests); the proposer and supporters hear of the answer anyway
FOLLOWED_STEPS = (TopicAction.TO_DESK, TopicAction.DELIBERATION, TopicAction.MERGE, TopicAction.ORDER,
                  TopicAction.DECLINE, TopicAction.ESCALATE)


def _event(topic, action, *, by, now, from_state, note="") -> TopicEvent:
    event = TopicEvent.objects.create(topic=topic, action=action, from_state=from_state, to_state=topic.state,
                                      actor=by, actor_name=str(by) if by is not None else "系统", at=now, note=note)
    if action in FOLLOWED_STEPS:
        told = people_to_tell(topic) if action != TopicAction.TO_DESK else ()
        follows.tell_followers(topic, text=f"您关注的议题「{topic.title}」:{TopicAction(action).label}。", now=now,
                               exclude=told)
    return event


def topic_raise(*, place: Place, category: str, title: str, text: str, by, raised_as: str, building: str = "",
                files=(), source_visit=None, source_order=None, now: dt.datetime | None = None) -> Topic:
    """A new topic in `place` (a community, or one of its grids), collecting supports."""
    now = now or timezone.now()
    title = _clean_text(title, "标题", required=ERR_TITLE.format(n=TITLE_MAX), limit=TITLE_MAX,
                        too_long=ERR_TITLE.format(n=TITLE_MAX))
    text = (text or "").strip()
    if not text:
        raise RuleError(ERR_TEXT)
    if len(text) > TEXT_MAX:
        raise RuleError(ERR_TEXT_LONG.format(n=TEXT_MAX, m=len(text)))
    if has_control_characters(text):
        raise RuleError(ERR_CONTROL.format(field="内容"))
    building = (building or "").strip()[:60]
    if has_control_characters(building):
        raise RuleError(ERR_CONTROL.format(field="小区 / 楼栋"))
    if category not in TopicCategory.values:
        raise RuleError(ERR_CATEGORY)
    if raised_as not in RaisedAs.values:
        raise RuleError(ERR_RAISED_AS.format(label=raised_as))
    if place is None or place.level not in (Level.COMMUNITY, Level.GRID):
        raise RuleError(ERR_PLACE)
    try:
        checked = uploads.check_files(files, max_count=6)
    except uploads.UploadError as exc:
        raise RuleError(str(exc)) from None
    grid = place if place.level == Level.GRID else None
    community = place.parent if grid is not None else place
    with transaction.atomic():
        topic = Topic.objects.create(
            community=community, grid=grid, building=building, category=category, title=title, text=text,
            raised_by=by, raised_as=raised_as, source_visit=source_visit, source_order=source_order,
            created_at=now)
        for f, content_type in checked:
            TopicPhoto.objects.create(topic=topic, file=f, name=f.name[:120], content_type=content_type, size=f.size)
        _event(topic, TopicAction.RAISE, by=by, now=now, from_state="")
    return topic


def _move_to_desk_if_due(topic_id: int, *, now) -> bool:
    """征集中 → 待答复 when the supports reached the threshold: one conditional UPDATE, so of
    two supports arriving at once exactly one moves it and writes the event."""
    topic = Topic.objects.select_related("community").get(pk=topic_id)
    rules = rules_for(topic.community)
    due = add_working_days(now, rules.answer_days)
    moved = Topic.objects.filter(pk=topic_id, state=TopicState.COLLECTING,
                                 support_count__gte=rules.threshold).update(
        state=TopicState.WAITING, waiting_since=now, answer_due_at=due, version=F("version") + 1)
    if moved:
        topic.refresh_from_db()
        _event(topic, TopicAction.TO_DESK, by=None, now=now, from_state=TopicState.COLLECTING,
               note=f"附议 {topic.support_count} 人,达到 {rules.threshold} 人;"
                    f"答复时限 {timezone.localtime(due):%Y-%m-%d}")
    return bool(moved)


def supporter_resident(user, topic: Topic):
    """The registered, living resident `user` is, when they live in the topic's community; else None."""
    resident = getattr(user, "resident", None)
    if resident is None or resident.community_id != topic.community_id or resident.status != PersonStatus.ACTIVE:
        return None
    return resident


def support(*, topic: Topic, by, now: dt.datetime | None = None) -> Topic:
    """`by` (a resident of the topic's community) supports the topic once."""
    now = now or timezone.now()
    resident = supporter_resident(by, topic)
    if resident is None:
        raise PermissionDenied(ERR_NOT_RESIDENT)
    with transaction.atomic():
        if not Topic.objects.filter(pk=topic.pk, state=TopicState.COLLECTING).exists():
            raise RuleError(ERR_NOT_COLLECTING)
        try:
            with transaction.atomic():
                Support.objects.create(topic=topic, resident=resident, user=by, created_at=now)
        except IntegrityError:
            raise RuleError(ERR_TWICE) from None
        Topic.objects.filter(pk=topic.pk).update(support_count=F("support_count") + 1)
        _move_to_desk_if_due(topic.pk, now=now)
    topic.refresh_from_db()
    return topic


def withdraw(*, topic: Topic, by) -> Topic:
    """Take one's support back while the topic still collects."""
    resident = getattr(by, "resident", None)
    with transaction.atomic():
        if not Topic.objects.filter(pk=topic.pk, state=TopicState.COLLECTING).exists():
            raise RuleError(ERR_NOT_COLLECTING)
        deleted, _ = Support.objects.filter(topic=topic, resident=resident).delete() if resident else (0, {})
        if not deleted:
            raise RuleError(ERR_NOT_SUPPORTED)
        Topic.objects.filter(pk=topic.pk).update(support_count=F("support_count") - 1)
    topic.refresh_from_db()
    return topic


def _recount(topic_id: int) -> int:
    count = Support.objects.filter(topic_id=topic_id).count()
    Topic.objects.filter(pk=topic_id).update(support_count=count)
    return count


def people_to_tell(topic: Topic) -> list[int]:
    """The proposer and every supporter with an account."""
    ids = set(Support.objects.filter(topic=topic, user__isnull=False).values_list("user_id", flat=True))
    ids.add(topic.raised_by_id)
    return sorted(ids)


_NOTICE = {TopicState.DELIBERATION: "您提出或附议的议题「{title}」已转入协商,居委会将组织议事协商。{answer}",
           TopicState.MERGED: "您提出或附议的议题「{title}」已合并到议题「{target}」,您的附议已一并转入。{answer}",
           TopicState.ORDERED: "您提出或附议的议题「{title}」已转为工单办理。{answer}",
           TopicState.DECLINED: "您提出或附议的议题「{title}」不予采纳,理由:{answer}"}


def answer(*, topic_id: int, version: int, kind: str, text: str, by, merge_into: Topic | None = None,
           order_category=None, now: dt.datetime | None = None) -> Topic:
    """The committee's answer. `merge_into` and `order_category` are read by the caller through
    its scope (the target topic) and the catalogue (the order's category)."""
    now = now or timezone.now()
    state = ANSWER_KINDS.get(kind)
    if state is None:
        raise RuleError(ERR_ANSWER_KIND)
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise RuleError(ERR_ANSWER_LONG.format(n=TEXT_MAX))
    if has_control_characters(text):
        raise RuleError(ERR_CONTROL.format(field="答复"))
    if state == TopicState.DECLINED and not text:
        raise RuleError(ERR_REASON)
    if state == TopicState.ORDERED and order_category is None:
        raise RuleError(ERR_ORDER_CATEGORY)
    with transaction.atomic():
        topic = lock_version(Topic.objects.all(), topic_id, version, ERR_CONFLICT)  # no outer join: PostgreSQL locks
        if topic.state not in (TopicState.COLLECTING, TopicState.WAITING):
            raise ConflictError(ERR_ANSWERED)
        if state == TopicState.MERGED:
            if merge_into is None or merge_into.pk == topic.pk or merge_into.community_id != topic.community_id \
                    or merge_into.state not in (TopicState.COLLECTING, TopicState.WAITING, TopicState.DELIBERATION):
                raise RuleError(ERR_MERGE_TARGET)
        from_state = topic.state
        topic.state = state
        topic.answered_at, topic.answered_by, topic.answer = now, by, text
        topic.version += 1
        if state == TopicState.MERGED:
            topic.merged_into = merge_into
            # the supporters follow; a resident who supported both keeps one support (the unique constraint)
            carried = [Support(topic=merge_into, resident_id=r, user_id=u, created_at=now)
                       for r, u in Support.objects.filter(topic=topic)
                       .exclude(resident_id__in=Support.objects.filter(topic=merge_into).values("resident_id"))
                       .values_list("resident_id", "user_id")]
            Support.objects.bulk_create(carried, ignore_conflicts=True)
        if state == TopicState.ORDERED:
            from gongzhi.workorders import services as orders
            from gongzhi.workorders.models import Channel
            topic.handed_order = orders.order_report(
                category=order_category, description=f"{topic.text}\n\n(由居民议题「{topic.title}」转来)",
                title=topic.title, channel=Channel.GRID, by=by, grid=topic.grid,
                community=topic.community if topic.grid is None else None, now=now)
        topic.save()
        _event(topic, _ANSWER_ACTIONS[state], by=by, now=now, from_state=from_state, note=text)
        if state == TopicState.MERGED:
            _recount(merge_into.pk)
            merge_into.refresh_from_db()
            _event(merge_into, TopicAction.ABSORB, by=by, now=now, from_state=merge_into.state,
                   note=f"并入议题「{topic.title}」,附议人数现为 {merge_into.support_count}")
            _move_to_desk_if_due(merge_into.pk, now=now)
        notify.notify(people_to_tell(topic), order=topic.handed_order, kind="topic", now=now, subject=topic,
                      text=_NOTICE[state].format(title=topic.title, answer=text,
                                                 target=merge_into.title if merge_into else ""))
    return topic


def rules_set(*, community: Place, threshold: int, answer_days: int, version: int, by,
              letter_days: int | None = None) -> TopicRules:
    """Set a community's topic rules (and the mailbox's time limit; None keeps it)."""
    if not (1 <= int(threshold) <= 10000 and 1 <= int(answer_days) <= 60):
        raise RuleError(ERR_RULES)
    if letter_days is not None and not 1 <= int(letter_days) <= 60:
        raise RuleError(ERR_RULES)
    with transaction.atomic():
        rules, created = TopicRules.objects.select_for_update().get_or_create(community=community)
        if not created and rules.version != version:
            raise ConflictError(ERR_RULES_CONFLICT)
        rules.threshold, rules.answer_days = int(threshold), int(answer_days)
        if letter_days is not None:
            rules.letter_days = int(letter_days)
        rules.version = rules.version + (0 if created else 1)
        rules.updated_by, rules.updated_at = by, timezone.now()
        rules.save()
    return rules
