"""Plan, election committee and voter roll: the rules of steps 1-3 and their Chinese refusals."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from gongzhi.elections import services
from gongzhi.elections.models import (
    Application, CommitteeRole, Election, ElectionEvent, Nomination, Post, RollChange, RollVersion, State, Voter,
)
from gongzhi.elections.services import ElectionError
from tests.elections.helpers import DAY, TODAY, election, people, published
from tests.factories import household, id_number, resident

pytestmark = pytest.mark.django_db


def test_street_opens_an_election_with_the_locality_rules(world):
    e = election(world)
    assert e.state == State.PLANNING and e.roll_notice_days == 20 and e.proxy_limit == 3
    assert e.candidate_notice_days == 5 and e.residence_days == 365
    assert e.born_by == DAY.replace(year=DAY.year - 18)
    assert e.events.filter(kind="opened").exists()


def test_party_branch_candidates_are_noticed_seven_days(world):
    (e,) = services.election_open(street=world.street_a, communities=[world.comm_a], term=2026, body="party",
                                  committee_on=TODAY, roll_on=TODAY + dt.timedelta(days=1),
                                  candidates_on=TODAY + dt.timedelta(days=2), election_day=DAY)
    assert e.candidate_notice_days == 7


def test_plan_with_a_roll_date_too_late_is_refused_and_changes_nothing(world):
    with pytest.raises(ElectionError, match="20 天以前公布"):
        services.election_open(street=world.street_a, communities=[world.comm_a], term=2026, committee_on=TODAY,
                               roll_on=DAY - dt.timedelta(days=10), candidates_on=DAY - dt.timedelta(days=6),
                               election_day=DAY)
    assert not Election.objects.exists()


def test_plan_refuses_a_community_of_another_street(world):
    with pytest.raises(ElectionError, match="南岳社区 不是本街道"):
        services.election_open(street=world.street_a, communities=[world.comm_a, world.comm_b], term=2026,
                               committee_on=TODAY, roll_on=TODAY + dt.timedelta(days=1),
                               candidates_on=TODAY + dt.timedelta(days=2), election_day=DAY)
    assert not Election.objects.exists()


def test_a_nominated_committee_member_leaves_and_the_next_replaces_them(world):
    e = published(world)
    services.committee_add(election=e, name="党组织书记", role=CommitteeRole.CHAIR)
    member = services.committee_add(election=e, name=world.adults[0].name, resident=world.adults[0])
    reserve = services.committee_add(election=e, name="候补甲", role=CommitteeRole.RESERVE)
    with pytest.raises(ElectionError, match="须先退出选举委员会"):
        services.candidate_nominate(election=e, resident=world.adults[0], post=Post.DIRECTOR,
                                    nomination=Nomination.JOINT, nominators=10)
    assert not e.candidates.exists()
    member.refresh_from_db()
    assert member.left_on is None
    services.candidate_nominate(election=e, resident=world.adults[0], post=Post.DIRECTOR,
                                nomination=Nomination.JOINT, nominators=10, leave_committee=True)
    member.refresh_from_db()
    reserve.refresh_from_db()
    assert member.left_on == TODAY and member.replaced_by == reserve and reserve.role == CommitteeRole.MEMBER
    assert e.events.filter(kind="committee_replaced", text__contains="由 候补甲 递补").exists()


def test_roll_is_built_from_the_registry_on_election_day(world):
    people(world, 3)
    hh = household(world.grid_a1)
    # eighteen the day after election day: not on the roll; eighteen on the day: on it
    young = resident(hh, "差一天", relation="20", id_number=id_number(DAY.replace(year=DAY.year - 18)
                                                                       + dt.timedelta(days=1)))
    just = resident(hh, "刚成年", relation="20", id_number=id_number(DAY.replace(year=DAY.year - 18)))
    floating = resident(hh, "外来甲", relation="99", residence_status="floating",
                        id_number=id_number(dt.date(1990, 1, 1)), moved_in_on=dt.date(2020, 1, 1))
    applied = resident(hh, "外来乙", relation="99", residence_status="resident",
                       id_number=id_number(dt.date(1991, 1, 1)), moved_in_on=dt.date(2020, 1, 1))
    deprived = resident(hh, "被剥夺", relation="20", id_number=id_number(dt.date(1980, 1, 1)))
    e = election(world)
    services.application_decide(election=e, resident=applied, approved=True)
    services.exclusion_add(election=e, resident=deprived, kind="deprived", basis_text="(2024)苏0282刑初1号")
    n = services.roll_build(election=e)
    names = set(e.roll.values_list("resident__name", flat=True))
    assert {"刚成年", "外来乙", "张三", "李四"} <= names
    assert not {"差一天", "外来甲", "被剥夺", "王五"} & names
    assert n == len(names) == Election.objects.get(pk=e.pk).voters
    assert e.roll.get(resident=applied).basis == "applied"
    assert young and just and floating


def test_roll_published_late_is_refused_and_changes_nothing(world):
    e = election(world)
    services.roll_build(election=e)
    with pytest.raises(ElectionError, match="选举日.*20 天以前公布"):
        services.roll_publish(election=e, on=DAY - dt.timedelta(days=19))
    e.refresh_from_db()
    assert e.state == State.PLANNING and not RollVersion.objects.exists()


def test_published_roll_is_frozen_and_later_changes_are_logged(world):
    e = published(world)
    version = e.roll_versions.get()
    assert version.count == e.voters and len(version.sha256) == 64
    hh = household(world.grid_a1)
    late = resident(hh, "迁入户籍", relation="20", id_number=id_number(dt.date(1985, 1, 1)))
    with pytest.raises(ElectionError, match="请填写原因"):
        services.voter_add(election=e, resident=late)
    services.voter_add(election=e, resident=late, reason="公布后迁入户籍")
    v = e.roll.get(resident=late)
    services.voter_remove(election=e, voter=v, reason="本人确认在外地参加选举")
    assert list(RollChange.objects.values_list("added", "reason")) == [(True, "公布后迁入户籍"),
                                                                      (False, "本人确认在外地参加选举")]
    version.refresh_from_db()
    assert version.count == len(version.rows)  # the published version did not move


def test_underage_voter_is_refused(world):
    e = election(world)
    hh = household(world.grid_a1)
    kid = resident(hh, "少年", relation="20", id_number=id_number(dt.date(TODAY.year - 10, 1, 1)))
    with pytest.raises(ElectionError, match="少年 在选举日.*未满十八周岁"):
        services.voter_add(election=e, resident=kid)
    assert not Voter.objects.exists()


def test_a_voter_on_two_rolls_is_refused_and_the_database_holds_it(world):
    e = election(world)
    services.roll_build(election=e)
    # the same person (same keyed hash) offered to a second roll of the term, e.g. community B's
    (b,) = services.election_open(street=world.street_b, communities=[world.comm_b], term=2026,
                                  committee_on=TODAY, roll_on=TODAY + dt.timedelta(days=5),
                                  candidates_on=TODAY + dt.timedelta(days=20), election_day=DAY)
    zhang = e.roll.get(resident=world.res_a1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voter.objects.create(election=b, resident=world.res_b1, person=zhang.person, term=2026,
                             roll_kind="committee", basis="registered")
    # and the service names the other roll
    zhang.resident.community_id = world.comm_b.pk  # as if 张三 had moved to B after the first roll was built
    with pytest.raises(ElectionError, match="张三 已在 东虹社区 的 2026 年选民名单上"):
        services._check_voter(b, zhang.resident)
    before = Voter.objects.count()
    with pytest.raises(ElectionError, match="已在"):
        services.voter_add(election=e, resident=world.res_a1)
    assert Voter.objects.count() == before


def test_application_needs_a_year_of_residence(world):
    e = election(world)
    hh = household(world.grid_a1)
    newcomer = resident(hh, "新来", relation="99", residence_status="floating",
                        id_number=id_number(dt.date(1990, 2, 2)), moved_in_on=TODAY - dt.timedelta(days=100))
    with pytest.raises(ElectionError, match="居住不满一年"):
        services.application_decide(election=e, resident=newcomer, approved=True)
    assert not Application.objects.exists()


def test_objections_are_recorded_and_answered(world):
    e = published(world)
    o = services.objection_add(election=e, raised_by="李四", text="漏登了我母亲")
    services.objection_answer(election=e, objection=o, answer="已核实,补登")
    o.refresh_from_db()
    assert o.answered_on == TODAY
    with pytest.raises(ElectionError, match="已于"):
        services.objection_answer(election=e, objection=o, answer="再答")
    assert ElectionEvent.objects.filter(election=e, kind="objection_answered").count() == 1
