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
    return {"responses": responses, "runs": len(runs)}


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


def build_part(ctx) -> None:
    """DemoPart 60: after the books (ledgers.demo hands on their generator and what they made;
    `ctx` is a core.demo.DemoContext)."""
    books = ctx.handed["books"]
    made = build(rng=books["rng"], district=books["district"], communities=books["communities"],
                 residents=books["residents"], years=books["years"], today=books["today"])
    ctx.say(f"问卷答卷 {made['responses']} 份; 评估 {made['runs']} 次")
