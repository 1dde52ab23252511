"""The topics of the demo district (DemoPart 45): a year of 议题 in every community, in every
state — collecting supports, on the committee's desk (some overdue), and answered each of the
four ways, one of them handed to the work-order engine — with supports from the residents of
each community. The demo resident raised one topic and supports another.

The rows are written in bulk, as the services would have left them (the states, deadlines from
the working calendar, the events); a topic handed to a work order goes through the real
`order_report`. Its own random generator, so the parts after it stay as they were.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import random

from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.governance.models import (
    RaisedAs, Support, Topic, TopicAction, TopicCategory, TopicEvent, TopicRules, TopicState,
)
from gongzhi.people.models import PersonStatus, Resident
from gongzhi.places.models import Level, Place
from gongzhi.workorders.calendar import add_working_days

SUMMARY = {"topics": "议题 topics", "supports": "附议 supports"}
TOPICS_PER_COMMUNITY_AT_FULL_SCALE = 30
SEED = 4512

_TITLES = {
    TopicCategory.ENVIRONMENT: ["小区垃圾分类投放点设置", "绿化带改建为口袋公园", "楼道小广告集中清理", "河道边增设垃圾桶"],
    TopicCategory.FACILITIES: ["老旧小区加装电梯", "增设电动车集中充电桩", "健身器材更新", "增设无障碍坡道", "活动室开放时间延长"],
    TopicCategory.PROPERTY: ["物业费公示收支明细", "更换物业服务企业", "地下车库照明改造", "小区停车位分配办法"],
    TopicCategory.NEIGHBOURS: ["广场舞时间和音量约定", "楼道公共空间使用公约", "宠物文明饲养公约"],
    TopicCategory.SERVICES: ["开设老年助餐点", "暑期青少年托管班", "增设便民理发服务", "周末社区图书角"],
    TopicCategory.SAFETY: ["小区出入口增设监控", "消防通道划线管理", "高空抛物防范措施"],
    TopicCategory.OTHER: ["社区议事会成员增补", "居民公约修订"],
}
_TEXT = "{title}。居民反映已有一段时间,希望居委会组织大家商量办法,尽快形成方案。"
_ANSWERS = {
    TopicState.DELIBERATION: ["下月议事协商会议专题商议,请相关楼栋居民代表参加", "已列入本季度议事协商议程"],
    TopicState.MERGED: ["与同类议题合并办理"],
    TopicState.ORDERED: ["属于日常维修事项,已转工单由物业限期处理", "已转工单,由网格员跟进落实"],
    TopicState.DECLINED: ["涉及业主共有部分改造,需业主大会表决,已告知居民程序", "不属于社区自治事项,已转告对口部门并答复居民"],
}
# (state, share): what a year of topics ends up as
_MIX = [(TopicState.COLLECTING, 0.25), (TopicState.WAITING, 0.15), (TopicState.DELIBERATION, 0.25),
        (TopicState.MERGED, 0.07), (TopicState.ORDERED, 0.13), (TopicState.DECLINED, 0.15)]


def _actor(role: str, place: Place, name) -> User:
    """Who acts for `place` in the history: the work-order history's account there, or a new one
    (named by `name()`, drawn only then) that cannot log in."""
    existing = User.objects.filter(assignments__role=role, assignments__place=place).order_by("pk").first()
    if existing is None:
        existing = User(username=f"{role}-{place.code}", display_name=name())
        existing.set_unusable_password()  # acts in the history only; cannot log in
        existing.save()
        RoleAssignment.objects.create(user=existing, role=role, place=place)
    return existing


def build(ctx) -> None:
    rng = random.Random(SEED)
    # names come from this part's own generator: the shared one stays where the parts before left it
    names = dataclasses.replace(ctx, rng=rng)
    now = timezone.now()
    per_community = max(6, round(TOPICS_PER_COMMUNITY_AT_FULL_SCALE * ctx.scale))
    communities = [p for p in ctx.places_at(Level.COMMUNITY)]
    resident_user = (User.objects.filter(assignments__role=Role.RESIDENT, resident__isnull=False)
                     .select_related("resident").order_by("pk").first())
    topics_made = supports_made = 0
    handed: list[Topic] = []
    for community in communities:
        grids = ctx.children(community)
        committee = _actor(Role.COMMUNITY, community,
                           lambda: names.full_name(rng.choice("MF"), rng.randint(1965, 1995)))
        residents = list(Resident.objects.filter(community=community, status=PersonStatus.ACTIVE)
                         .order_by("pk").values_list("pk", flat=True)[:400])
        rules = TopicRules.objects.create(community=community, threshold=rng.choice([5, 8, 10]),
                                          answer_days=rng.choice([5, 7, 10]))
        topics, plans = [], []
        for i in range(per_community):
            state = rng.choices([s for s, _ in _MIX], weights=[w for _, w in _MIX])[0]
            category = rng.choice(list(_TITLES))
            title = rng.choice(_TITLES[category])
            grid = rng.choice(grids) if grids and rng.random() < 0.6 else None
            created = now - dt.timedelta(days=rng.uniform(1 if state == TopicState.COLLECTING else 12, 360))
            if state == TopicState.COLLECTING:
                created = now - dt.timedelta(days=rng.uniform(0.5, 40))
            raised_as = rng.choice([RaisedAs.GRID, RaisedAs.COMMITTEE, RaisedAs.GROUP, RaisedAs.UNIT])
            by = _actor(Role.GRID, grid, lambda: names.full_name(rng.choice("MF"), rng.randint(1970, 1998))) \
                if raised_as == RaisedAs.GRID and grid is not None else committee
            if by is committee and raised_as == RaisedAs.GRID:
                raised_as = RaisedAs.COMMITTEE
            n_support = rng.randint(0, rules.threshold - 1) if state == TopicState.COLLECTING \
                else rng.randint(rules.threshold, rules.threshold * 3)
            n_support = min(n_support, len(residents))
            t = Topic(community=community, grid=grid, category=category, title=title,
                      text=_TEXT.format(title=title), raised_by=by, raised_as=raised_as, state=state,
                      support_count=n_support, created_at=created)
            if state != TopicState.COLLECTING:
                t.waiting_since = created + dt.timedelta(days=rng.uniform(1, 8))
                t.answer_due_at = add_working_days(t.waiting_since, rules.answer_days)
                if state == TopicState.WAITING:
                    if rng.random() < 0.4:  # overdue: on the committee's desk past its deadline
                        t.waiting_since = now - dt.timedelta(days=rng.uniform(12, 30))
                    else:
                        t.waiting_since = now - dt.timedelta(days=rng.uniform(0.2, 2))
                    t.answer_due_at = add_working_days(t.waiting_since, rules.answer_days)
                    t.created_at = t.waiting_since - dt.timedelta(days=rng.uniform(1, 20))
                elif state == TopicState.ORDERED:  # recent: its order is still in the engine's hands
                    t.created_at = now - dt.timedelta(days=rng.uniform(8, 25))
                    t.waiting_since = t.created_at + dt.timedelta(days=rng.uniform(1, 3))
                    t.answer_due_at = add_working_days(t.waiting_since, rules.answer_days)
                    t.answered_at = now - dt.timedelta(days=rng.uniform(0.3, 5))
                if state not in (TopicState.WAITING, TopicState.COLLECTING):
                    if state != TopicState.ORDERED:
                        t.answered_at = min(now, t.waiting_since + dt.timedelta(days=rng.uniform(1, 9)))
                    t.answered_by = committee
                    t.answer = rng.choice(_ANSWERS[state])
                    t.version = 2
            topics.append(t)
            plans.append(rng.sample(residents, n_support))
        if resident_user is not None and resident_user.resident.community_id == community.pk:
            mine = Topic(community=community, grid=resident_user.resident.grid, category=TopicCategory.FACILITIES,
                         title="单元门口增设雨棚", text="下雨天进出单元门淋雨,老人容易滑倒,希望加装雨棚。",
                         raised_by=resident_user, raised_as=RaisedAs.RESIDENT, state=TopicState.COLLECTING,
                         created_at=now - dt.timedelta(days=3))
            topics.append(mine)
            others = [r for r in residents if r != resident_user.resident_id]
            plans.append(rng.sample(others, min(2, len(others))))
        Topic.objects.bulk_create(topics)
        # the demo resident supports the first topic still collecting that they did not raise
        if resident_user is not None and resident_user.resident.community_id == community.pk:
            for t, plan in zip(topics, plans):
                if t.state == TopicState.COLLECTING and t.raised_by_id != resident_user.pk:
                    if resident_user.resident_id not in plan:
                        plan.append(resident_user.resident_id)
                    break
        merge_targets = [t for t in topics if t.state in (TopicState.DELIBERATION, TopicState.WAITING)]
        supports, events = [], []
        for t, plan in zip(topics, plans):
            t.support_count = len(plan)
            for r in plan:
                supports.append(Support(topic=t, resident_id=r, created_at=t.created_at + dt.timedelta(
                    hours=rng.uniform(1, 48)), user=resident_user if resident_user and
                    r == resident_user.resident_id else None))
            events.append(TopicEvent(topic=t, action=TopicAction.RAISE, to_state=TopicState.COLLECTING, actor=t.raised_by,
                                     actor_name=str(t.raised_by), at=t.created_at))
            if t.waiting_since:
                events.append(TopicEvent(topic=t, action=TopicAction.TO_DESK, from_state=TopicState.COLLECTING,
                                         to_state=TopicState.WAITING, actor_name="系统", at=t.waiting_since,
                                         note=f"附议 {t.support_count} 人,达到 {rules.threshold} 人"))
            if t.answered_at:
                if t.state == TopicState.MERGED:
                    targets = [m for m in merge_targets if m.pk != t.pk]
                    if targets:
                        t.merged_into = rng.choice(targets)
                    else:
                        t.state = TopicState.DELIBERATION
                action = {TopicState.DELIBERATION: TopicAction.DELIBERATION, TopicState.MERGED: TopicAction.MERGE,
                          TopicState.ORDERED: TopicAction.ORDER, TopicState.DECLINED: TopicAction.DECLINE}[t.state]
                events.append(TopicEvent(topic=t, action=action, from_state=TopicState.WAITING, to_state=t.state,
                                         actor=committee, actor_name=str(committee), at=t.answered_at, note=t.answer))
                if t.state == TopicState.ORDERED:
                    handed.append(t)
        Support.objects.bulk_create(supports, batch_size=2000)
        TopicEvent.objects.bulk_create(events, batch_size=2000)
        Topic.objects.bulk_update(topics, ["support_count", "merged_into", "state"], batch_size=500)
        topics_made += len(topics)
        supports_made += len(supports)
    _hand_to_orders(handed, rng)
    ctx.summary.add(SUMMARY, topics=topics_made, supports=supports_made)
    ctx.say(f"议题: {topics_made},附议: {supports_made}")


def _hand_to_orders(topics: list[Topic], rng) -> None:
    """The topics answered 转为工单 get their work order through the real intake (the recent ones
    stay open in the engine; the history's own sweep is not re-run for them)."""
    from gongzhi.workorders import notify, services
    from gongzhi.workorders.models import Category, Channel
    categories = {c.code: c for c in Category.objects.filter(code__in=["property", "sanitation", "safety"])}
    if not categories:
        return
    by_topic = {TopicCategory.ENVIRONMENT: "sanitation", TopicCategory.SAFETY: "safety"}
    with notify.muted():
        for t in topics:
            category = categories.get(by_topic.get(t.category, "property")) or next(iter(categories.values()))
            order = services.order_report(
                category=category, description=f"{t.text}\n\n(由居民议题「{t.title}」转来)", title=t.title,
                channel=Channel.GRID, by=t.answered_by, grid=t.grid,
                community=t.community if t.grid is None else None, now=t.answered_at)
            Topic.objects.filter(pk=t.pk).update(handed_order=order)


def count_existing(summary, district) -> None:
    topics = Topic.objects.filter(community__path__startswith=district.path)
    summary.add(SUMMARY, topics=topics.count(), supports=Support.objects.filter(topic__in=topics).count())
