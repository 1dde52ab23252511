"""The demo's share: Yixing's 2025 term elections of its residents' and villagers' committees, in
every state. Most were held in late 2025 and are counted and published (mostly direct elections,
some by household or residents' representatives); one went to a run-off (另行选举) and waits for its
second count; one was invalid for low turnout. Those still running are dated from today, so their
next step can be taken on the pages: 东虹社区 (the demo resident's) has published its candidates, a
second community of 宜城街道 (the street account's) has built its roll and waits for the street to
publish it, others have published their roll or are voting. Some villages' party branches were
elected two weeks before their villagers' committee; their new members' year of probation has run for
most, and the town has decided on a few.

Everything goes through the services, with this part's own random generator."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random

from django.utils import timezone

from gongzhi.core.demo import ACCOUNT_COMMUNITY
from gongzhi.elections import services
from gongzhi.elections.models import (
    Body, CommitteeRole, Election, Nomination, Post, ProbationOutcome, State, StationKind, Voter,
)
from gongzhi.people.models import Resident
from gongzhi.places.models import AreaKind, Level

SEED = 5502
TERM = 2025
SUMMARY = {"elections": "换届选举 elections", "voters": "登记选民 voters"}
STREET_CODE = "320282001"  # 宜城街道: the street account's


def _plan(rng, ctx, communities):
    """(community, target state) for every community; the special ones first."""
    states = {}
    own = [c for c in communities if c.code == ACCOUNT_COMMUNITY]
    for c in own:
        states[c.pk] = State.CANDIDATES_PUBLISHED
    street = [c for c in communities if c.code.startswith(STREET_CODE) and c.pk not in states]
    if street:
        states[street[0].pk] = State.PLANNING
    rest = [c for c in communities if c.pk not in states]
    mix = [State.DONE] * 14 + [State.PLANNING, State.ROLL_PUBLISHED, State.CANDIDATES_PUBLISHED, State.VOTING]
    for i, c in enumerate(rest):
        states[c.pk] = State.RUNOFF if i == 1 else State.INVALID if i == 2 else rng.choice(mix)
    return states


def _dates(rng, state, today):
    """(committee_on, roll_on, candidates_on, election_day, roll published on, candidates published on)."""
    if state in (State.DONE, State.RUNOFF, State.INVALID):
        day = dt.date(2025, 11, 8) + dt.timedelta(days=rng.randrange(0, 50))
    elif state == State.PLANNING:
        day = today + dt.timedelta(days=rng.randrange(35, 60))
    elif state == State.ROLL_PUBLISHED:
        day = today + dt.timedelta(days=rng.randrange(8, 20))
    elif state == State.CANDIDATES_PUBLISHED:
        day = today + dt.timedelta(days=rng.randrange(3, 6))
    else:  # voting: opened today, the notice having run
        day = today
    roll_on = day - dt.timedelta(days=rng.randrange(21, 28))
    candidates_on = day - dt.timedelta(days=rng.randrange(6, 9))
    return roll_on - dt.timedelta(days=7), roll_on, candidates_on, day


def _committee(rng, ctx, e, voters):
    """A chair (the party secretary, who does not stand), four members from the roll, two reserves."""
    names = [ctx.full_name(rng.choice("MF"), rng.randint(1960, 1990)) for _ in range(7)]
    services.committee_add(election=e, name=names[0], role=CommitteeRole.CHAIR, chosen_by="居民会议推选",
                           joined_on=e.committee_on)
    members = []
    for resident in voters[:4]:
        members.append(services.committee_add(election=e, name=resident.name, resident=resident,
                                              chosen_by="居民小组推选", joined_on=e.committee_on))
    for name in names[5:]:
        services.committee_add(election=e, name=name, role=CommitteeRole.RESERVE, chosen_by="居民会议推选",
                               joined_on=e.committee_on)
    return members


def _nominate(rng, e, pool, members, on):
    """Seats + margin candidates per post, from voters who have lived here a year; the first committee
    member who is nominated leaves the committee (the reserve steps in)."""
    made = []
    member_residents = [m.resident for m in members]
    for post in Post.values:
        for _ in range(e.seats_for(post) + e.margin if e.seats_for(post) else 0):
            if not pool:
                return made
            resident = pool.pop()
            how = rng.choice([Nomination.JOINT, Nomination.JOINT, Nomination.GROUP, Nomination.PARTY])
            leave = resident in member_residents
            made.append(services.candidate_nominate(
                election=e, resident=resident, post=post, nomination=how,
                nominators=rng.randint(e.joint_nominators, 40) if how == Nomination.JOINT else 0,
                leave_committee=leave, on=on))
    return made


def _vote(rng, e, candidates, turnout_share, short_member=False):
    """Sign voters at a polling station and a mobile box, then type each station's count."""
    ids = list(e.roll.filter(active=True).values_list("pk", flat=True))
    rng.shuffle(ids)
    voting = ids[:int(len(ids) * turnout_share)]
    box = voting[:max(1, len(voting) // 12)]
    main, mobile = [services.station_add(election=e, kind=k, name=n) for k, n in (
        (StationKind.CENTRAL, "中心会场"), (StationKind.MOBILE, "流动票箱"))]
    services.voting_open(election=e, on=e.election_day)
    services.turnout_bulk(election=e, station=main, voter_ids=voting[len(box):])
    services.turnout_bulk(election=e, station=mobile, voter_ids=box)
    e.refresh_from_db()
    shares = {}
    for post in Post.values:
        mine = [c for c in candidates if c.post == post and c.round == e.round]
        seats = e.seats_for(post)
        winners, losers = mine[:seats], mine[seats:]
        for i, c in enumerate(winners):
            low = 0.3 if short_member and post == Post.MEMBER and i == len(winners) - 1 else 0.6
            shares[c.pk] = rng.uniform(low, low + 0.12 if low < 0.5 else 0.92)
        room = max(0.0, seats - sum(shares[c.pk] for c in winners))
        for c in losers:
            shares[c.pk] = rng.uniform(0, min(0.45, room / max(1, len(losers))))
    for station, signed in ((main, len(voting) - len(box)), (mobile, len(box))):
        invalid = min(signed, rng.randint(0, max(0, signed // 60)))
        valid = signed - invalid
        services.tally_enter(election=e, station=station, ballots=signed, invalid=invalid,
                             votes={pk: int(share * valid) for pk, share in shares.items()},
                             # a stray written-in name, too few votes to need the committee's decision
                             write_ins=[(rng.choice(["张建国", "李秀英"]), Post.MEMBER, 1)] if valid >= 10 else [])


PARTY_BRANCHES = 8  # villages whose party branch's election is in the demo


def _party_branches(rng, village_elections, street_user, today) -> int:
    """The party branches of some villages elected two weeks before their villagers' committee (the
    candidates published 7 days ahead, P-GOV-9): counted and published, so the newly elected serve a
    year's probation, which has run for most by now; the town has decided on a few."""
    made = 0
    for v in village_elections[:PARTY_BRANCHES]:
        v.refresh_from_db()
        day = v.election_day - dt.timedelta(days=14)
        (e,) = services.election_open(street=v.street, communities=[v.community], term=TERM, body=Body.PARTY,
                                      committee_on=day - dt.timedelta(days=32), roll_on=day - dt.timedelta(days=25),
                                      candidates_on=day - dt.timedelta(days=8), election_day=day, by=street_user)
        made += 1
        if not services.roll_build(election=e, by=street_user):
            continue
        services.roll_publish(election=e, on=e.roll_on, by=street_user)
        e.refresh_from_db()
        cutoff = day - dt.timedelta(days=e.residence_days)
        pool = [x.resident for x in Voter.objects.filter(election=e, active=True).select_related("resident")
                .order_by("id")[:200] if x.resident.moved_in_on is None or x.resident.moved_in_on <= cutoff]
        rng.shuffle(pool)
        candidates = _nominate(rng, e, pool, [], e.candidates_on)
        try:
            services.candidates_publish(election=e, on=e.candidates_on, by=street_user)
        except services.ElectionError:  # too few party members for the margin
            continue
        _vote(rng, e, candidates, rng.uniform(0.85, 0.97))
        e = services.count(election=e, by=street_user)
        if e.state == State.DONE:
            services.result_publish(election=e, by=street_user)
            for probation in e.probations.filter(ends_on__lte=today - dt.timedelta(days=3))[:1]:
                services.probation_decide(probation=probation, outcome=ProbationOutcome.CONFIRMED,
                                          note="期满考察:履职认真,群众评价好", on=probation.ends_on + dt.timedelta(days=3),
                                          by=street_user)
    return made


def build(ctx) -> None:
    rng = random.Random(SEED)
    names = dataclasses.replace(ctx, rng=rng)  # names from this part's own generator
    today = timezone.localdate()
    street_user = ctx.accounts.get("street")
    communities = sorted(ctx.places_at(Level.COMMUNITY), key=lambda c: c.code)
    states = _plan(rng, ctx, communities)
    elections = []
    for community in communities:
        state = states[community.pk]
        committee_on, roll_on, candidates_on, day = _dates(rng, state, today)
        body = Body.VILLAGERS if community.area_kind == AreaKind.RURAL else Body.RESIDENTS
        roll = rng.random()
        method = "direct" if roll < 0.8 or state != State.DONE else "household" if roll < 0.9 else "representative"
        street = next(p for p in ctx.places.values() if p.pk == community.parent_id)
        (e,) = services.election_open(street=street, communities=[community], term=TERM, body=body, method=method,
                                      committee_on=committee_on, roll_on=roll_on, candidates_on=candidates_on,
                                      election_day=day, by=street_user)
        elections.append((e, state))
    # every roll in one statement, the registry as it stands
    services.rolls_build(elections=[e for e, _ in elections], by=street_user)
    made = 0
    for e, state in elections:
        e.refresh_from_db()
        made += 1
        if state == State.PLANNING or not e.voters:
            continue
        if e.method == "direct":
            voters = [v.resident for v in Voter.objects.filter(election=e, active=True).select_related("resident")
                      .order_by("id")[:300]]
        else:  # a household or representatives' election: any elector of the community may serve and stand
            voters = list(Resident.objects.filter(community=e.community, status="active", residence_status="registered",
                                                  birth_date__lte=e.born_by).order_by("id")[:300])
        members = _committee(rng, names, e, voters)
        services.roll_publish(election=e, on=e.roll_on, by=street_user)
        if state == State.ROLL_PUBLISHED:
            continue
        cutoff = e.election_day - dt.timedelta(days=e.residence_days)
        pool = [r for r in voters if r.moved_in_on is None or r.moved_in_on <= cutoff]
        rng.shuffle(pool)
        candidates = _nominate(rng, e, pool, members, e.candidates_on)
        try:
            services.candidates_publish(election=e, on=e.candidates_on, by=street_user)
        except services.ElectionError:  # too few people for the margin (a tiny community at a small scale)
            continue
        if state == State.CANDIDATES_PUBLISHED:
            continue
        if state == State.VOTING:
            for k, n in ((StationKind.STATION, "第一投票站"), (StationKind.MOBILE, "流动票箱")):
                services.station_add(election=e, kind=k, name=n)
            services.voting_open(election=e, on=e.election_day)
            continue
        _vote(rng, e, candidates, 0.4 if state == State.INVALID else rng.uniform(0.72, 0.93),
              short_member=state == State.RUNOFF)
        e = services.count(election=e, by=street_user)
        if e.state in (State.DONE, State.INVALID):
            services.result_publish(election=e, by=street_user)
    branches = _party_branches(rng, [e for e, state in elections if state == State.DONE and e.body == Body.VILLAGERS],
                               street_user, today)
    voters = Voter.objects.filter(election__term=TERM, active=True).count()
    ctx.summary.add(SUMMARY, elections=made + branches, voters=voters)
    ctx.say(f"换届选举:{made} 个社区(村),另有村党支部 {branches} 个,登记选民 {voters} 人")


def count_existing(summary, district) -> None:
    elections = Election.objects.filter(community__path__startswith=district.path)
    summary.add(SUMMARY, elections=elections.count(),
                voters=Voter.objects.filter(election__in=elections, active=True).count())
