"""Demo books (台账) for each community of the demo district: the committee and workers
with certificates and trainings, meetings, disclosures, volunteers and activities,
elections — the past typed in, as a community that starts using gongzhi would. Spread around the policy packs' thresholds so that some communities pass,
some fall short, and the gaps have reasons (every sixth community keeps thin books).

The books and the standards part after them draw from one generator of their own
(seed 4004), handed on in the demo context, so the data are the same whichever
part runs them."""
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
from gongzhi.places.models import AreaKind, Level, Place

HISTORY_REASON = "演示数据"
SEED = 4004  # the books' and the standards part's own generator
# This year's residents' meetings, deliberations and hearings are held through the meetings module
# (DemoPart 46) and its disclosures published through the board (DemoPart 48): each writes its own
# ledger row, so the books type them for past years only (the generator is drawn as before, so the
# rest of the books stay the same).
WRITTEN_BY_THE_WORK = (MeetingKind.RESIDENTS, MeetingKind.DELIBERATION, MeetingKind.HEARING)


def _day(rng: random.Random, year: int, today: dt.date, month_from: int = 1, month_to: int = 12) -> dt.date | None:
    start = dt.date(year, month_from, 1)
    end = min(dt.date(year, month_to, 28), today)
    if end < start:
        return None
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def build_books(*, rng: random.Random, name_maker, today: dt.date | None = None) -> dict:
    """Each community's books for last year and this year, drawn from `rng` (consumed in a fixed
    order, so the same books come out every time); returns what later parts count and reuse."""
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
                    if day and not (year == today.year and kind in WRITTEN_BY_THE_WORK):
                        meetings.append(Meeting(community=c, kind=kind, held_on=day, attendees=rng.randint(20, 180),
                                                title={MeetingKind.RESIDENTS: "居民会议:年度工作计划和民生实事项目",
                                                       MeetingKind.DELIBERATION: "议事协商:小区停车与加装电梯",
                                                       MeetingKind.MONTHLY: "矛盾纠纷排查调处月例会",
                                                       MeetingKind.HEARING: "听证会:老旧小区改造方案"}[kind]))
            for quarter in range(4):
                if weak and quarter in (1, 2) or rng.random() < 0.08:
                    continue
                day = _day(rng, year, today, quarter * 3 + 1, quarter * 3 + 3)
                if day and year < today.year:  # this year's are published through the disclosure board
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
    return {"workers": len(workers), "meetings": len(meetings), "volunteers": len(volunteers),
            "residents": residents, "communities": communities, "district": district, "years": years,
            "today": today}


def build(ctx) -> None:
    """DemoPart 50: the books, their names from the district's shared generator; the books'
    own generator and what they made are handed on to the standards part (`ctx.handed`)."""
    rng, names = random.Random(SEED), ctx.rng
    made = build_books(rng=rng, name_maker=lambda: ctx.full_name(names.choice("MF"), names.randint(1960, 1995)))
    ctx.handed["books"] = {"rng": rng, **made}
    ctx.say(f"社区台账: {made['workers']} 名社区工作者, {made['meetings']} 次会议, {made['volunteers']} 名志愿者")
