"""Demo books for the standards engine: each community's committee and
workers with certificates and trainings, meetings, disclosures, volunteers
and activities, elections; street centres; satisfaction and security surveys
answered by a sample of residents; and assessments of last year and this year
so that the pages show results and a trend. Spread around the thresholds so
that some communities pass, some fall short, and the gaps have reasons."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from gongzhi.ledgers.models import (
    Activity, ActivityKind, Certificate, CommitteePost, Disclosure, DisclosureKind, Election, ElectionMethod, Meeting,
    MeetingKind, PartyPost, Training, Volunteer, Worker,
)
from gongzhi.people.models import Household, HouseholdStatus, OrgKind, Organisation, PersonStatus, Resident
from gongzhi.places.models import AreaKind, Facility, Level, Place
from gongzhi.standards.models import Survey, SurveyKind, SurveyResponse, SurveyState

HISTORY_REASON = "演示数据"
DEMO_PACKS = ["yixing-2019", "wuhan-2011"]


def _day(rng: random.Random, year: int, today: dt.date, month_from: int = 1, month_to: int = 12) -> dt.date | None:
    start = dt.date(year, month_from, 1)
    end = min(dt.date(year, month_to, 28), today)
    if end < start:
        return None
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def build(*, name_maker, seed: int = 4004, today: dt.date | None = None, assess_years=True) -> dict:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    years = [today.year - 1, today.year]
    district = Place.objects.filter(level=Level.DISTRICT).order_by("code").first()
    communities = list(Place.objects.filter(level=Level.COMMUNITY, path__startswith=district.path).order_by("code"))
    households = dict(Household.objects.filter(status=HouseholdStatus.ACTIVE).values_list("community_id")
                      .annotate(n=Count("id")).order_by())
    Organisation.objects.filter(kind=OrgKind.SOCIAL_ORG, name__contains="志愿服务队").update(volunteer_team=True)

    workers, trainings, meetings, disclosures, activities, elections = [], [], [], [], [], []
    for i, c in enumerate(communities):
        n = households.get(c.pk, 0)
        rural = c.area_kind == AreaKind.RURAL
        weak = i % 6 == 4  # every sixth community keeps thin books: the gaps the assessment finds
        committee = rng.randint(5, 7) if not weak else rng.randint(3, 4)
        full_time_target = max(1, round(n / rng.uniform(300, 420 if not weak else 700)))
        certified_share = rng.uniform(0.55, 0.85) if not rural else rng.uniform(0.3, 0.6)
        cw = []
        for k in range(committee):
            post = CommitteePost.DIRECTOR if k == 0 else (CommitteePost.DEPUTY if k == 1 else CommitteePost.MEMBER)
            party = PartyPost.SECRETARY if k == 0 and rng.random() < 0.8 else (
                PartyPost.MEMBER if k in (1, 2) and rng.random() < 0.85 else "")
            cw.append(Worker(community=c, name=name_maker(), committee_post=post, party_post=party,
                             full_time=k < committee - (1 if rng.random() < 0.4 else 0)))
        if not any(w.party_post == PartyPost.SECRETARY for w in cw):
            cw.append(Worker(community=c, name=name_maker(), party_post=PartyPost.SECRETARY, full_time=True))
        staff = max(0, full_time_target - sum(w.full_time for w in cw))
        cw += [Worker(community=c, name=name_maker(), full_time=True) for _ in range(staff)]
        for w in cw:
            w.since = dt.date(rng.randint(2015, years[0]), rng.randint(1, 12), 1)
            if rng.random() < certified_share:
                w.certificate = rng.choice([Certificate.ASSISTANT, Certificate.ASSISTANT, Certificate.SOCIAL_WORKER])
        workers += cw
        for year in years:
            for kind, low, high in [(MeetingKind.RESIDENTS, 1 if weak else 2, 3), (MeetingKind.DELIBERATION, 0, 6),
                                    (MeetingKind.MONTHLY, 10, 12), (MeetingKind.HEARING, 0, 1)]:
                for _ in range(rng.randint(low, high)):
                    day = _day(rng, year, today)
                    if day:
                        meetings.append(Meeting(community=c, kind=kind, held_on=day, attendees=rng.randint(20, 180),
                                                title={MeetingKind.RESIDENTS: "居民会议:年度工作计划和民生实事项目",
                                                       MeetingKind.DELIBERATION: "议事协商:小区停车与加装电梯",
                                                       MeetingKind.MONTHLY: "矛盾纠纷排查调处月例会",
                                                       MeetingKind.HEARING: "听证会:老旧小区改造方案"}[kind]))
            for quarter in range(4):
                if weak and quarter in (1, 2) or rng.random() < 0.08:
                    continue
                day = _day(rng, year, today, quarter * 3 + 1, quarter * 3 + 3)
                if day:
                    kind = [DisclosureKind.PLAN, DisclosureKind.FINANCE, DisclosureKind.RESULTS, DisclosureKind.MAJOR][quarter]
                    disclosures.append(Disclosure(community=c, kind=kind, published_on=day,
                                                  title=f"{year} 年第 {quarter + 1} 季度{kind.label}公开"))
            for _ in range(rng.randint(2 if weak else 5, 12)):
                day = _day(rng, year, today)
                if day:
                    activities.append(Activity(community=c, kind=rng.choice(list(ActivityKind)), held_on=day,
                                               title=rng.choice(["义剪进社区", "助老送餐", "环境清洁日", "邻里节",
                                                                 "反诈宣传", "关爱留守儿童"]),
                                               participants=rng.randint(8, 60), hours=Decimal(rng.randint(2, 40))))
        for year, method in ((2021, ElectionMethod.REPRESENTATIVE), (2024, None)):
            elections.append(Election(community=c, held_on=dt.date(year, 5, rng.randint(1, 28)),
                                      method=method or (ElectionMethod.DIRECT if rng.random() < 0.7
                                                        else ElectionMethod.HOUSEHOLD),
                                      voters=n * 2, turnout=int(n * 2 * rng.uniform(0.8, 0.97))))
    bulk_create_with_history(workers, Worker, batch_size=2000, default_change_reason=HISTORY_REASON)
    workers = list(Worker.objects.filter(community__in=communities))
    for w in workers:
        if not (w.committee_post or w.party_post):
            continue
        leader = w.is_leader
        for year in years:
            for _ in range(rng.randint(1, 2) if leader else rng.randint(1 if rng.random() < 0.8 else 0, 3)):
                day = _day(rng, year, today)
                if day:
                    trainings.append(Training(worker=w, community_id=w.community_id, held_on=day,
                                              days=Decimal(rng.choice([1, 2, 3, 4, 5] if leader else [0.5, 1, 2])),
                                              title="社区工作者能力提升培训", organiser="宜兴市民政局"))
    for model, rows in ((Training, trainings), (Meeting, meetings), (Disclosure, disclosures),
                        (Activity, activities), (Election, elections)):
        bulk_create_with_history(rows, model, batch_size=2000, default_change_reason=HISTORY_REASON)

    # volunteers: 4–16 % of each community's residents, with the community's volunteer team
    teams = {o.community_id: o for o in Organisation.objects.filter(volunteer_team=True, active=True)}
    volunteers = []
    residents = list(Resident.objects.filter(status=PersonStatus.ACTIVE, community__in=communities)
                     .order_by("pk").values_list("pk", "community_id"))
    share = {c.pk: rng.uniform(0.04, 0.16) for c in communities}
    for pk, cid in residents:
        if rng.random() < share[cid]:
            volunteers.append(Volunteer(community_id=cid, resident_id=pk, team=teams.get(cid),
                                        registered_on=dt.date(rng.randint(2019, years[0]), rng.randint(1, 12), 1)))
    bulk_create_with_history(volunteers, Volunteer, batch_size=2000, default_change_reason=HISTORY_REASON)

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
    return {"workers": len(workers), "meetings": len(meetings), "volunteers": len(volunteers),
            "responses": responses, "runs": len(runs)}


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
    """DemoPart 60: `build` above for the demo district, its names drawn from the
    district's shared generator (`ctx` is a core.demo.DemoContext)."""
    rng = ctx.rng
    made = build(name_maker=lambda: ctx.full_name(rng.choice("MF"), rng.randint(1960, 1995)))
    ctx.say(f"社区台账: {made['workers']} 名社区工作者, {made['meetings']} 次会议, {made['volunteers']} 名志愿者; "
            f"问卷答卷 {made['responses']} 份; 评估 {made['runs']} 次")
