"""The boards of the demo district (DemoPart 48): a year of items in every community, published
through the real service (so each writes its ledger row), one per category and quarter, with gaps:
every fifth community has let one or two categories go stale, so the committee's and the street's
alerts show. Its own random generator, so the parts after it stay as they were."""
from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gongzhi.accounts.models import Role, User
from gongzhi.disclosure import freshness, services
from gongzhi.disclosure.models import Category, Item
from gongzhi.places.models import Level, Place

SUMMARY = {"disclosure_items": "居务公开事项 disclosure items"}
SEED = 4848
QUARTERS = 4

_TITLES = {
    Category.PLAN: ("{period}工作计划", "{period}民生实事项目安排", "{period}为民服务重点工作"),
    Category.RESULTS: ("{period}工作完成情况", "{period}民生实事项目进展", "{period}居民议题办理结果"),
    Category.FINANCE: ("{period}财务收支情况", "{period}社区服务经费使用情况", "{period}公益金收支明细"),
    Category.MAJOR: ("老旧小区改造方案公示", "社区用房维修项目公示", "加装电梯补贴名额分配办法", "社区换届工作安排"),
}
_BODIES = {
    Category.PLAN: "一、开展环境整治和垃圾分类督导;二、组织居民议事协商会议;三、做好困难群众走访慰问;"
                   "四、推进平安社区建设。欢迎居民提出意见建议。",
    Category.RESULTS: "本期共受理居民诉求并办结,组织志愿服务活动,完成楼道照明和健身器材维修,"
                      "具体情况详见附表。",
    Category.FINANCE: "本期收入:上级拨付社区服务经费、公益金;支出:办公经费、活动经费、维修费用。"
                      "收支明细已经社区监督委员会审核。",
    Category.MAJOR: "经居民代表会议讨论通过,现将方案予以公示,公示期 7 天。如有异议,请在公示期内向社区居委会或监督委员会反映。",
}


def _publisher(community: Place) -> User | None:
    return User.objects.filter(assignments__role=Role.COMMUNITY, assignments__place=community,
                               assignments__active=True).order_by("pk").first()


def build(ctx) -> None:
    rng = random.Random(SEED)
    now = timezone.now()
    today = timezone.localdate(now)
    current = freshness.period_start(today, 3)
    communities = ctx.places_at(Level.COMMUNITY)
    fallback = User.objects.filter(assignments__role=Role.ADMIN).order_by("pk").first()
    made = 0
    for i, community in enumerate(communities):
        by = _publisher(community) or fallback
        if by is None:
            continue
        # every fifth community lets one or two categories lapse (no item for the last two quarters)
        stale = set(rng.sample(Category.values, rng.choice([1, 2]))) if i % 5 == 2 else set()
        for back in range(QUARTERS - 1, -1, -1):
            start = freshness.shift_months(current, -3 * back)
            end = freshness.shift_months(start, 3) - dt.timedelta(days=1)
            period = freshness.period_label(start, 3)
            for category in Category.values:
                if category in stale and back <= 1:
                    continue
                if category == Category.MAJOR and rng.random() < 0.4:
                    continue  # major matters come when they come
                if back == 0 and rng.random() < 0.35:
                    continue  # not yet this quarter: due, still in time
                last_day = min(end, today)
                day = start + dt.timedelta(days=rng.randint(0, max(0, (last_day - start).days)))
                when = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59))))
                when = min(when, now)
                services.publish(community=community, category=category,
                                 title=rng.choice(_TITLES[category]).format(period=period),
                                 body=_BODIES[category], by=by, period_start=start, period_end=end, now=when)
                made += 1
    ctx.summary.add(SUMMARY, disclosure_items=made)
    ctx.say(f"居务公开: {made} 项")


def count_existing(summary, district) -> None:
    summary.add(SUMMARY, disclosure_items=Item.objects.filter(community__path__startswith=district.path).count())
