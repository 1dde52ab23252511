"""The demo's share (DemoPart 59, after the elections and the books): one village of the demo district
whose villagers' committee came out of the elections (its cadres are registered villagers), with a year of
cadre supervision dated from today: the two half-years last ended each with a closed democratic review
(one cadre under the line), the 经管站's audits and the town's talks of last year and this (one talk overdue,
one audit's follow-up open), two public pledges with their follow-up, and two party-activist reviews, one
refused at exactly 60 %. The ratings are paper ballots entered by the district account (the demo has no
town account). Everything goes through the services, with this part's own random generator."""
from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.cadres import services
from gongzhi.cadres.models import (
    CheckKind, FollowUp, Oversight, PledgeState, ReviewRound, RoundState, Verdict,
)
from gongzhi.ledgers.models import Worker
from gongzhi.people.models import PersonStatus, Resident
from gongzhi.places.models import AreaKind, Level, Place

SEED = 5801
SUMMARY = {"cadre_rounds": "村干部民主评议 cadre reviews", "cadre_checks": "审计与谈话 audits and talks"}


def _ended_halves(today: dt.date) -> list[tuple[int, int]]:
    """The two half-years that ended last, oldest first."""
    if today.month > 6:
        return [(today.year - 1, 2), (today.year, 1)]
    return [(today.year - 1, 1), (today.year - 1, 2)]


def _village(first_open: dt.date) -> Place | None:
    """A village whose serving “两委” members include at least three elected seats, all in office by
    `first_open`; else any village with cadres then."""
    serving = Q(left_on__isnull=True) & (Q(since__isnull=True) | Q(since__lte=first_open))
    elected = (Worker.objects.filter(serving, source="elections.seat", community__area_kind=AreaKind.RURAL)
               .values("community_id").annotate(n=Count("pk")).filter(n__gte=3).order_by("community__code"))
    for row in elected:
        village = Place.objects.get(pk=row["community_id"])
        if services.cadres_of(village, first_open).exists() and not services.cadres_of(village, first_open) \
                .filter(Q(since__gt=first_open)).exists():
            try:
                [services.resident_of(w) for w in services.cadres_of(village, first_open)]
            except services.RuleError:
                continue
            return village
    return (Place.objects.filter(level=Level.COMMUNITY, area_kind=AreaKind.RURAL, workers__since__lte=first_open)
            .order_by("code").first())


def build(ctx) -> None:
    rng = random.Random(SEED)
    today = timezone.localdate()
    by = ctx.accounts.get("admin")
    halves = _ended_halves(today)
    windows = []
    for year, half in halves:
        last = services.half_bounds(year, half)[1]
        windows.append((year, half, last - dt.timedelta(days=20), last - dt.timedelta(days=6)))
    village = _village(windows[0][2])
    if village is None or by is None:
        ctx.say("村干部监督: 演示区没有有干部的村,跳过")
        return
    flagged_name = None
    for i, (year, half, opens, closes) in enumerate(windows):
        rnd = services.round_open(village=village, year=year, half=half, opens_on=opens, closes_on=closes,
                                  note="村“两委”干部逐一述职后评议", by=by)
        subjects = list(rnd.subjects.order_by("pk"))
        weak = subjects[-1]  # the last cadre of the list falls under the line in the second round
        flagged_name = weak.name
        at = timezone.make_aware(dt.datetime.combine(opens + dt.timedelta(days=2), dt.time(19, 30)))
        for entry in rnd.roll.select_related("resident").order_by("pk"):
            if rng.random() < 0.12:
                continue  # did not come
            for s in subjects:
                if s.resident_id == entry.resident_id:
                    continue
                low = s.pk == weak.pk and i == len(windows) - 1
                r = rng.random()
                verdict = (Verdict.SATISFIED if r < (0.2 if low else 0.7) else
                           Verdict.BASIC if r < (0.4 if low else 0.93) else Verdict.UNSATISFIED)
                comment = ""
                if verdict == Verdict.UNSATISFIED and rng.random() < 0.5:
                    comment = rng.choice(["村务公开不及时", "办事拖拉,群众反映的问题答复慢", "工作作风需改进"])
                services.rate(subject=s, resident=entry.resident, by=by, verdict=verdict, comment=comment, now=at)
        services.round_close(rnd=rnd, version=rnd.version, by=by, today=today)
    checks = _checks(rng, village, by, today)
    _pledges(village, by, today)
    _activists(rng, village, by, today)
    flagged = ReviewRound.objects.filter(community=village, subjects__flagged=True).count()
    ctx.summary.add(SUMMARY, cadre_rounds=len(windows), cadre_checks=checks)
    ctx.say(f"村干部监督: {village.name} 民主评议 {len(windows)} 次(标记 {flagged} 人次,{flagged_name}),"
            f"审计与谈话 {checks} 项")


def _checks(rng, village, by, today) -> int:
    """Last year's and this year's audits and talks; all held that fell due, but the latest talk due
    (overdue on the town's list); one audit's follow-up still open."""
    for year in (today.year - 1, today.year):
        services.checks_plan_year(village=village, year=year, by=by)
    due = list(Oversight.objects.filter(community=village, due_on__lt=today).order_by("due_on", "pk"))
    late_talk = max((c for c in due if c.kind == CheckKind.TALK), key=lambda c: c.due_on, default=None)
    leaders = [w.pk for w in services.cadres_of(village, today) if w.is_leader] or \
        [services.cadres_of(village, today).first().pk]
    open_follow_up = False
    for c in due:
        if c is late_talk:
            continue
        held = c.due_on - dt.timedelta(days=rng.randint(3, 25))
        ids = [w for w in leaders if services.cadres_of(village, held).filter(pk=w).exists()] or \
            [services.cadres_of(village, held).first().pk]
        if c.kind == CheckKind.AUDIT:
            pending = not open_follow_up and c.due_on.year == today.year
            open_follow_up = open_follow_up or pending
            services.check_record(
                check=c, version=c.version, held_on=held, by_whom="镇农村经济经营管理站", cadre_ids=ids,
                findings="村级财务收支凭证齐全;发现 2 笔招待费无审批签字。" if pending else "账目清楚,未发现问题。",
                conclusion="账目基本规范,个别票据审批手续不全,已要求整改。" if pending else "账目清楚,收支合规。",
                follow_up=FollowUp.PENDING if pending else "",
                follow_up_note="补齐招待费审批签字,建立事前审批制度。" if pending else "",
                follow_up_due=held + dt.timedelta(days=30) if pending else None, by=by, today=today)
        else:
            services.check_record(check=c, version=c.version, held_on=held, by_whom="镇党委书记", cadre_ids=ids,
                                  findings="听取村“两委”工作情况汇报,提醒落实村务公开和民主评议意见。", by=by,
                                  today=today)
    return Oversight.objects.filter(community=village).count()


def _pledges(village, by, today) -> None:
    made_on = dt.date(today.year, 1, 15)
    cadres = list(services.cadres_of(village, made_on))
    if not cadres:
        return
    principal = next((w for w in cadres if w.is_leader), cadres[0])
    other = next((w for w in cadres if w.pk != principal.pk), None)
    p = services.pledge_add(worker=principal, year=today.year, made_on=made_on, by=by, today=today,
                            text="年内完成村内主干道硬化 1.2 公里,村集体经营性收入增长 10%")
    services.pledge_follow_up(pledge=p, version=p.version, state=PledgeState.IN_PROGRESS,
                              note="道路硬化已完成 0.8 公里,其余在施工", checked_on=today - dt.timedelta(days=10), by=by,
                              today=today)
    if other is not None:
        q = services.pledge_add(worker=other, year=today.year, made_on=made_on, by=by, today=today,
                                text="每季度公开一次村务和财务,群众质询 5 个工作日内答复")
        services.pledge_follow_up(pledge=q, version=q.version, state=PledgeState.KEPT,
                                  note="四个季度均按时公开,质询均已答复", checked_on=today - dt.timedelta(days=5), by=by,
                                  today=today)


def _activists(rng, village, by, today) -> None:
    """Two candidates from the “两推”: one refused at exactly 60 % (9 of 15), one confirmed (15 of 20)."""
    candidates = list(Resident.objects.filter(community=village, status=PersonStatus.ACTIVE, party_member=False,
                                              birth_date__gte=dt.date(today.year - 55, 1, 1),
                                              birth_date__lte=dt.date(today.year - 20, 1, 1)).order_by("pk")[:2])
    held = today - dt.timedelta(days=40)
    for resident, votes in zip(candidates, [(15, 9, 4, 2), (20, 15, 3, 2)]):
        services.activist_review(village=village, resident=resident, recommended_by="both", held_on=held,
                                 attendees=votes[0], votes_for=votes[1], votes_against=votes[2],
                                 abstentions=votes[3], by=by, today=today)


def count_existing(summary, district) -> None:
    inside = Q(community__path__startswith=district.path)
    summary.add(SUMMARY, cadre_rounds=ReviewRound.objects.filter(inside).exclude(state=RoundState.VOIDED).count(),
                cadre_checks=Oversight.objects.filter(inside).count())



