"""Candidates, voting, tallies and the result: steps 4-6 and their Chinese refusals."""
import datetime as dt

import pytest

from gongzhi.core.errors import ConflictError
from gongzhi.elections import services
from gongzhi.elections.models import Candidate, Nomination, Post, State, Tally, Voter
from gongzhi.elections.services import ElectionError
from gongzhi.ledgers.models import Election as LedgerElection, Worker
from tests.elections.helpers import DAY, TODAY, nominated, published, voter, voting
from tests.factories import household, id_number, resident

pytestmark = pytest.mark.django_db


def test_candidate_not_on_the_roll_is_refused(world):
    e = published(world)
    with pytest.raises(ElectionError, match="王五 不在本次选举的选民名单上"):
        services.candidate_nominate(election=e, resident=world.res_b1, post=Post.DIRECTOR,
                                    nomination=Nomination.JOINT, nominators=10)
    assert not Candidate.objects.exists()


def test_candidate_with_less_than_a_year_is_refused(world):
    e = published(world)
    hh = household(world.grid_a1)
    r = resident(hh, "新迁入", relation="20", id_number=id_number(dt.date(1980, 1, 1)),
                 moved_in_on=DAY - dt.timedelta(days=200))
    services.voter_add(election=e, resident=r, reason="户籍迁入")
    with pytest.raises(ElectionError, match="新迁入 在本社区居住不满 365 天"):
        services.candidate_nominate(election=e, resident=r, post=Post.MEMBER, nomination=Nomination.JOINT,
                                    nominators=10)
    assert not Candidate.objects.exists()


def test_joint_nomination_needs_enough_voters_and_the_list_needs_its_margin(world):
    e = published(world)
    with pytest.raises(ElectionError, match="10 人以上联名"):
        services.candidate_nominate(election=e, resident=world.adults[0], post=Post.DIRECTOR,
                                    nomination=Nomination.JOINT, nominators=3)
    services.candidate_nominate(election=e, resident=world.adults[0], post=Post.DIRECTOR,
                                nomination=Nomination.PARTY)
    with pytest.raises(ElectionError, match="「主任」应选 1 名,候选人须至少 2 名"):
        services.candidates_publish(election=e, on=TODAY)
    e.refresh_from_db()
    assert e.state == State.ROLL_PUBLISHED and not e.candidate_lists.exists()


def test_voting_cannot_open_before_the_notice_period_ends(world):
    e = nominated(world)
    services.station_add(election=e, kind="station", name="一站")
    with pytest.raises(ElectionError, match="公示期至 .* 届满"):
        services.voting_open(election=e, on=TODAY + dt.timedelta(days=4))
    e.refresh_from_db()
    assert e.state == State.CANDIDATES_PUBLISHED and e.voting_opened_at is None


def test_proxy_over_the_limit_is_refused(world):
    e = voting(world)
    a = world.adults
    with pytest.raises(ElectionError, match="选民0 已受托 0 人,再受托 4 人将超过每人 3 人的上限"):
        services.turnout_record(election=e, voter=voter(e, a[0]), station=world.station,
                                proxy_for=[voter(e, a[i]) for i in range(1, 5)])
    assert not Voter.objects.filter(voted=True).exists()
    services.turnout_record(election=e, voter=voter(e, a[0]), station=world.station,
                            proxy_for=[voter(e, a[i]) for i in range(1, 4)])
    assert Voter.objects.filter(voted=True).count() == 4
    assert Voter.objects.filter(proxy=voter(e, a[0])).count() == 3


def _sign(e, w, n, station=None):
    ids = list(e.roll.filter(voted=False).values_list("pk", flat=True)[:n])
    return services.turnout_bulk(election=e, station=station or w.station, voter_ids=ids)


def test_tally_with_more_ballots_than_voters_is_refused(world):
    e = voting(world)
    _sign(e, world, 3)
    c = {x.pk: 0 for x in world.candidates}
    with pytest.raises(ElectionError, match="第一投票站收回选票 4 张,多于在该处登记投票的 3 人"):
        services.tally_enter(election=e, station=world.station, ballots=4, invalid=0, votes=c)
    assert not Tally.objects.exists()
    with pytest.raises(ElectionError, match="「收回选票」须为不小于 0 的整数"):
        services.tally_enter(election=e, station=world.station, ballots="三", invalid=0, votes=c)
    d1, d2, m1, m2, m3 = world.candidates
    with pytest.raises(ElectionError, match="「主任」得票合计 5,超过有效票 3 × 应选 1 名"):
        services.tally_enter(election=e, station=world.station, ballots=3, invalid=0, votes={d1.pk: 3, d2.pk: 2})
    assert not Tally.objects.exists()


def test_a_tally_edited_from_a_stale_form_is_refused(world):
    e = voting(world)
    _sign(e, world, 3)
    t = services.tally_enter(election=e, station=world.station, ballots=3, invalid=0, votes={})
    services.tally_enter(election=e, station=world.station, ballots=2, invalid=0, votes={}, version=t.version)
    with pytest.raises(ConflictError):
        services.tally_enter(election=e, station=world.station, ballots=1, invalid=0, votes={}, version=t.version)
    assert Tally.objects.get().ballots == 2


def test_low_turnout_makes_the_election_invalid(world):
    e = voting(world)
    half = e.voters // 2
    _sign(e, world, half)
    services.tally_enter(election=e, station=world.station, ballots=half, invalid=0, votes={})
    services.tally_enter(election=e, station=world.mobile, ballots=0, invalid=0, votes={})
    e = services.count(election=e)
    assert e.state == State.INVALID and "未过登记选民" in e.invalid_reason
    services.result_publish(election=e)
    row = LedgerElection.objects.get(source="elections.election", source_pk=e.pk)
    assert row.voided.startswith("选举无效") and not Worker.objects.filter(source="elections.seat").exists()


def test_valid_election_elects_by_majority_and_writes_the_ledger(world):
    e = voting(world)
    # the old committee, typed into the ledger before: a director who is also the party secretary, a member
    old_director = Worker.objects.create(community=e.community, name="老主任", committee_post="director",
                                         party_post="secretary", since=dt.date(2021, 5, 1))
    old_member = Worker.objects.create(community=e.community, name="老委员", committee_post="member",
                                       since=dt.date(2021, 5, 1))
    elsewhere = Worker.objects.create(community=world.comm_b, name="别处委员", committee_post="member",
                                      since=dt.date(2021, 5, 1))
    n = _sign(e, world, e.voters - 2)  # 12 voters on the roll, 10 vote
    _sign(e, world, 1, world.mobile)
    d1, d2, m1, m2, m3 = world.candidates
    services.tally_enter(election=e, station=world.station, ballots=n, invalid=1,
                         votes={d1.pk: 6, d2.pk: 3, m1.pk: 8, m2.pk: 7, m3.pk: 2},
                         write_ins=[("赵另选", Post.MEMBER, "1")])
    services.tally_enter(election=e, station=world.mobile, ballots=1, invalid=0,
                         votes={d1.pk: 1, m1.pk: 1, m2.pk: 1})
    e = services.count(election=e)
    assert e.state == State.DONE and e.turnout == n + 1 and e.ballots == n + 1
    assert [c.name for c in services.elected(e)] == [d1.name, m1.name, m2.name]
    services.result_publish(election=e, by=world.street_officer_a)
    row = LedgerElection.objects.get(source="elections.election", source_pk=e.pk)
    assert (row.held_on, row.method, row.voters, row.turnout) == (DAY, "direct", e.voters, e.turnout)
    workers = Worker.objects.filter(source="elections.seat").order_by("committee_post", "name")
    assert [(w.name, w.committee_post, w.since) for w in workers] == [
        (d1.name, "director", DAY), (m1.name, "member", DAY), (m2.name, "member", DAY)]
    assert all(w.left_on is None for w in workers)
    old_director.refresh_from_db(), old_member.refresh_from_db(), elsewhere.refresh_from_db()
    # the old committee's posts end the day before; the secretary stays secretary; other communities untouched
    assert old_member.left_on == DAY - dt.timedelta(days=1)
    assert (old_director.left_on, old_director.committee_post, old_director.party_post) == (None, "", "secretary")
    assert "换届" in old_member.history.first().history_change_reason
    assert elsewhere.left_on is None and elsewhere.committee_post == "member"
    with pytest.raises(ElectionError, match="已于"):
        services.result_publish(election=e)


def test_too_few_elected_opens_a_runoff_with_its_own_ballot(world):
    e = voting(world)
    n = _sign(e, world, 10)
    d1, d2, m1, m2, m3 = world.candidates
    # director elected (6 of 10), only one member passes half (m1 6, m2 5, m3 4)
    services.tally_enter(election=e, station=world.station, ballots=n, invalid=0,
                         votes={d1.pk: 6, d2.pk: 4, m1.pk: 6, m2.pk: 5, m3.pk: 4})
    services.tally_enter(election=e, station=world.mobile, ballots=0, invalid=0, votes={})
    e = services.count(election=e)
    assert e.state == State.RUNOFF and e.round == 2
    runoff = list(e.candidates.filter(round=2).order_by("id"))
    assert [(c.name, c.post) for c in runoff] == [(m2.name, "member"), (m3.name, "member")]  # 1 seat + margin 1
    assert e.candidate_lists.filter(round=2).exists()
    r2, r3 = runoff
    # the run-off elects by most votes with at least a third of the ballots
    services.tally_enter(election=e, station=world.station, ballots=n, invalid=1, votes={r2.pk: 5, r3.pk: 4})
    services.tally_enter(election=e, station=world.mobile, ballots=0, invalid=0, votes={})
    e = services.count(election=e)
    assert e.state == State.DONE
    assert sorted(c.name for c in services.elected(e)) == sorted([d1.name, m1.name, m2.name])


def test_ledger_metric_reads_the_published_election(world):
    from gongzhi.core.metrics import Context
    from gongzhi.ledgers.metrics import committee_directly_elected
    from gongzhi.places.models import Place
    e = voting(world)
    n = _sign(e, world, 10)
    d1, d2, m1, m2, m3 = world.candidates
    services.tally_enter(election=e, station=world.station, ballots=n, invalid=0,
                         votes={d1.pk: 8, m1.pk: 8, m2.pk: 8})
    services.tally_enter(election=e, station=world.mobile, ballots=0, invalid=0, votes={})
    services.result_publish(election=services.count(election=e))
    ctx = Context(Place.objects.filter(pk=world.comm_a.pk), as_of=DAY)
    assert committee_directly_elected(ctx) == {world.comm_a.pk: 100.0}


def test_batch_tallies_and_counts_follow_the_same_rules(world):
    e = voting(world)
    n = _sign(e, world, 10)
    d1, d2, m1, m2, m3 = world.candidates
    good = {"station": world.station, "ballots": n, "invalid": 0, "votes": {d1.pk: 7, m1.pk: 6, m2.pk: 6}}
    bad = {"station": world.mobile, "ballots": 1, "invalid": 0, "votes": {}}
    with pytest.raises(ElectionError, match="流动票箱收回选票 1 张,多于在该处登记投票的 0 人"):
        services.tallies_enter(entries=[good, bad])
    assert not Tally.objects.exists()  # the whole batch refused
    bad["ballots"] = 0
    assert services.tallies_enter(entries=[good, bad]) == 2
    with pytest.raises(ConflictError):
        services.tallies_enter(entries=[bad])
    (e,) = services.counts(elections=[e])
    assert e.state == State.DONE and [c.name for c in services.elected(e)] == [d1.name, m1.name, m2.name]


def test_the_election_page_shows_each_station_s_signed_voters(client, world):
    import re
    e = voting(world)
    _sign(e, world, 3)
    _sign(e, world, 2, station=world.mobile)
    client.force_login(world.community_worker_a)
    page = client.get(f"/elections/{e.pk}/").content.decode()
    signed = dict(re.findall(r'<td data-label="投票点">([^<]+)</td><td data-label="类别">[^<]+</td>'
                             r'<td data-label="登记投票">(\d+)</td>', page))
    assert signed == {"第一投票站": "3", "流动票箱": "2"}
