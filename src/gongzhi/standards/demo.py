"""The standards engine's part of the demo, after the community books (ledgers.demo):
street centres around the P-FAC-2 line, satisfaction and security surveys answered
by a sample of residents, and assessments of last year and this year so that the
pages show results and a trend."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from gongzhi.places.models import Facility, Level, Place
from gongzhi.standards.models import Survey, SurveyKind, SurveyResponse, SurveyState

DEMO_PACKS = ["yixing-2019", "wuhan-2011"]


def build(*, rng: random.Random, district, communities, residents, years, today, assess_years=True) -> dict:
    """Street centres, surveys and assessments after the books (ledgers.demo), continuing their generator."""
    # street and town centres around the P-FAC-2 line of 2000 m²
    for j, street in enumerate(Place.objects.filter(level=Level.STREET, parent=district).order_by("code")):
        Facility.objects.get_or_create(community=street, defaults={
            "service_area_m2": Decimal(rng.randint(1400, 1900) if j % 4 == 3 else rng.randint(2000, 3600))})

    responses = _surveys(rng, district, communities, residents, years, today)
    cases_made = _cases(district, today)
    # its own generator: the books' one goes on to the parts after this one unchanged
    reviews = _worker_reviews(random.Random(6003), district, today)
    runs = []
    if assess_years:
        from gongzhi.standards import assess, packs
        for pack_id in DEMO_PACKS:
            pack = packs.load(pack_id)
            for year in years:
                runs.append(assess.run(assess.start(pack=pack, period=year, scope=district), pack))
        # last year's Yixing results are on the public page (P-EVAL-2)
        last_year = next(r for r in runs if r.pack_id == DEMO_PACKS[0] and r.period == years[0])
        type(last_year).objects.filter(pk=last_year.pk).update(published_at=timezone.now())
    return {"responses": responses, "runs": len(runs), "cases": cases_made, "reviews": reviews}


def _surveys(rng, district, communities, residents, years, today) -> int:
    """A satisfaction and a security survey each year, answered by about 3 % of
    residents; most communities are content, a few are not."""
    mood = {c.pk: rng.uniform(0.6, 0.98) for c in communities}
    for c in communities[3::9]:
        mood[c.pk] = rng.uniform(0.45, 0.7)
    rows = []
    for year in years:
        for kind, questions in ((SurveyKind.SATISFACTION, ["您对社区服务总体是否满意?", "您对社区环境卫生是否满意?",
                                                           "您对居务公开和民主协商是否满意?"]),
                                (SurveyKind.SECURITY, ["您在本社区生活感到安全吗?", "夜间独自出行感到安全吗?"])):
            opens = dt.date(year, 3, 1)
            closes = min(dt.date(year, 11, 30), today)
            state = SurveyState.CLOSED if closes < today else SurveyState.OPEN
            survey = Survey.objects.create(place=district, kind=kind, questions=questions, opens_on=opens,
                                           closes_on=max(closes, opens), state=state,
                                           title=f"{year} 年宜兴市{dict(SurveyKind.choices)[kind]}调查")
            span = max(1, (min(closes, today) - opens).days)
            for pk, cid in residents:
                if rng.random() >= 0.03:
                    continue
                good = rng.random() < mood[cid] + (0.05 if kind == SurveyKind.SECURITY else 0)
                answers = [rng.choice([3, 4, 4, 5, 5]) if good else rng.choice([1, 2, 2, 3]) for _ in questions]
                score = sum(answers) / len(answers)
                when = dt.datetime.combine(opens + dt.timedelta(days=rng.randrange(span)), dt.time(10),
                                           tzinfo=timezone.get_current_timezone())
                rows.append(SurveyResponse(survey=survey, resident_id=pk, community_id=cid, answers=answers,
                                           score=round(score, 3), positive=score >= 3, submitted_at=when))
    SurveyResponse.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


_CASES = [
    ("社区协商", "“小区事、大家议”:老旧小区加装电梯协商", [
        "小区建于上世纪九十年代,六层无电梯,六十岁以上居民占四成,加装电梯呼声高,但低层住户担心采光和噪音。",
        "社区搭建“小区议事会”,由楼栋长、居民代表、物业和设计单位参加,先后召开协商会七次。",
        "议事会商定按楼层分摊费用、低层住户给予补偿,并把方案在居务公开栏公示十天,无异议后签订协议。",
        "全年完成加装电梯九部,协商过程全程留痕,形成的议事规则被街道推广到其他小区。",
    ]),
    ("网格化服务", "网格员“民情日记”让诉求件件有回音", [
        "社区划分四个网格,每个网格配网格长和专职网格员,网格员每周入户走访,记民情日记。",
        "走访中发现的问题当场能办的当场办,办不了的转为工单,由社区派遣并跟踪到结案。",
        "一年来网格员记录走访一千余次,转办工单一百二十件,群众满意率达百分之九十六。",
    ]),
    ("为老服务", "独居老人“一键呼”与邻里守望", [
        "社区为八十岁以上独居老人安装一键呼叫设备,并组织低龄老人与高龄老人结对。",
        "志愿者每周上门探访,网格员每月走访一次,发现异常立即联系家属和社区卫生服务站。",
        "项目开展以来,及时处置老人突发情况十一起,老人和家属的安全感明显提高。",
    ]),
]


def _cases(district, today) -> int:
    """An open call for case studies (P-EVAL-8) by the district, with the demo street's cases in it."""
    from gongzhi.accounts.models import Role, User
    from gongzhi.core.scope import Scope
    from gongzhi.standards import cases

    admin = User.objects.filter(assignments__role=Role.ADMIN, assignments__place=district).order_by("pk").first()
    # the first street account is the demo's own (the history's actors come later)
    officer = User.objects.filter(assignments__role=Role.STREET, assignments__place__parent=district) \
        .order_by("pk").first()
    if admin is None or officer is None:
        return 0
    call = cases.call_create(place=district, title=f"{today.year} 年城乡社区治理和服务创新优秀案例征集",
                             deadline=today + dt.timedelta(days=30), topics=[t for t, _, _ in _CASES],
                             notice="各街道(镇)结合实际,每个街道报送 1—3 个案例,2000 字左右,可附照片。",
                             experts=[admin], by=admin)
    scope = Scope.for_user(officer)
    street = next(a.place for a in scope.assignments if a.role == Role.STREET)
    places = [street] + list(Place.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code")[:2])
    for (topic, title, paragraphs), place in zip(_CASES, places):
        cases.case_submit(call=call, scope=scope, place=place, title=title, topic=topic,
                          text="\n\n".join(paragraphs), by=officer, today=today)
    return len(_CASES)


_REVIEW_COMMENTS = ["入户走访扎实,居民反映的问题跟进及时", "工单办理规范,台账清楚", "协商议事组织得好,需加强政策宣传",
                    "网格情况熟悉,矛盾纠纷化解有成效", "服务热情,部分事项办理时限偏长"]


def _worker_reviews(rng, district, today) -> int:
    """Last year's community-worker reviews (P-EVAL-3) of the demo street: the street's score for each
    worker post, two of every three finalised (residents' score, n and weights stored), the rest drafts."""
    from gongzhi.accounts.models import Role, User
    from gongzhi.standards import worker_review as wr

    officer = User.objects.filter(assignments__role=Role.STREET, assignments__place__parent=district) \
        .order_by("pk").first()
    if officer is None:
        return 0
    street = officer.assignments.filter(role=Role.STREET).select_related("place").first().place
    weights = wr.weights_for(wr.local_pack(street))
    year = today.year - 1
    made = 0
    for i, post in enumerate(wr.worker_posts(street)[:40]):
        review = wr.review_save(year=year, worker=post.user, place=post.place, street_score=str(rng.randint(68, 96)),
                                comment=rng.choice(_REVIEW_COMMENTS), version=0, by=officer)
        if i % 3 != 2:
            wr.review_finalise(review_id=review.pk, version=review.version, weights=weights, by=officer)
        made += 1
    return made


def build_part(ctx) -> None:
    """DemoPart 60: after the books (ledgers.demo hands on their generator and what they made;
    `ctx` is a core.demo.DemoContext)."""
    books = ctx.handed["books"]
    made = build(rng=books["rng"], district=books["district"], communities=books["communities"],
                 residents=books["residents"], years=books["years"], today=books["today"])
    ctx.say(f"问卷答卷 {made['responses']} 份; 评估 {made['runs']} 次; 征集案例 {made['cases']} 篇; "
            f"社区工作者年度评价 {made['reviews']} 条")
