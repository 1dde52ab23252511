"""Written-in names (另选他人): counted per station as text; one whose votes alone would elect holds the
count until the election committee identifies it as a voter who may stand (its votes then count for a
candidate of nomination 另选他人) or records why it does not count. Refusals change nothing."""
import datetime as dt
import re

import pytest

from gongzhi.elections import services
from gongzhi.elections.models import Candidate, Nomination, Post, State, TallyLine, WriteIn
from gongzhi.elections.services import ElectionError
from tests.elections.helpers import voting
from tests.factories import household, id_number, resident

pytestmark = pytest.mark.django_db


def _counted_with_a_write_in(w):
    """8 sign at the station: 选民0 3 votes and 「选民5」 written in 5 for director; members 选民2, 选民3 6 each."""
    e = voting(w)
    services.turnout_bulk(election=e, station=w.station, voter_ids=list(
        e.roll.filter(resident__in=w.adults[:8]).values_list("pk", flat=True)))
    c = {x.name: x.pk for x in w.candidates}
    services.tally_enter(election=e, station=w.station, ballots=8, invalid=0,
                         votes={c["选民0"]: 3, c["选民1"]: 0, c["选民2"]: 6, c["选民3"]: 6},
                         write_ins=[("选民5", Post.DIRECTOR, 5)])
    services.tally_enter(election=e, station=w.mobile, ballots=0, invalid=0, votes={})
    e.refresh_from_db()
    return e


def _state(e):
    return (list(Candidate.objects.order_by("pk").values_list("pk", "votes", "elected")),
            list(TallyLine.objects.order_by("pk").values_list("pk", "candidate_id")), WriteIn.objects.count(),
            e.__class__.objects.get(pk=e.pk).state)


def test_a_winning_write_in_holds_the_count_until_confirmed_then_is_elected(world):
    e = _counted_with_a_write_in(world)
    before = _state(e)
    with pytest.raises(ElectionError, match=re.escape("东虹社区:另选他人「选民5」(主任)得 5 票,已达当选票数,请先核实")):
        services.count(election=e)
    assert _state(e) == before
    assert [(w["name"], w["votes"], w["decision"]) for w in services.write_ins(e)] == [("选民5", 5, None)]
    c = services.write_in_confirm(election=e, name="选民5", post=Post.DIRECTOR, resident=world.adults[5])
    assert c.nomination == Nomination.WRITE_IN and c.round == 1
    assert TallyLine.objects.get(write_in="选民5").candidate == c
    # a station counted afterwards: the same written name counts for the identified voter
    late = services.station_add(election=e, kind="mobile", name="第二流动票箱")
    services.turnout_bulk(election=e, station=late, voter_ids=[e.roll.get(resident=world.adults[8]).pk])
    services.tally_enter(election=e, station=late, ballots=1, invalid=0, votes={},
                         write_ins=[("选民5", Post.DIRECTOR, 1)])
    e = services.count(election=e)
    assert e.state == State.DONE
    c.refresh_from_db()
    assert c.elected and c.votes == 6
    assert e.events.filter(kind="write_in", text__contains="核实为选民 选民5").exists()


def test_confirming_refuses_who_may_not_stand_and_changes_nothing(world):
    e = _counted_with_a_write_in(world)
    child = resident(household(world.grid_a1), "小孩", relation="20",
                     id_number=id_number(dt.date.today() - dt.timedelta(days=365 * 10)))
    newcomer = resident(household(world.grid_a1), "新来的", relation="20", id_number=id_number(dt.date(1980, 1, 1)),
                        moved_in_on=dt.date.today() - dt.timedelta(days=30))
    # (residence under a year is checked by the same function as a nomination: test_vote_and_result)
    before = _state(e)
    for who, post, name, match in (
            (child, Post.DIRECTOR, "选民5", "小孩 不在本次选举的选民名单上"),
            (newcomer, Post.DIRECTOR, "选民5", "新来的 不在本次选举的选民名单上"),
            (world.adults[1], Post.DIRECTOR, "选民5", "选民1 已是本轮候选人"),
            (world.adults[5], Post.MEMBER, "选民5", "第 1 轮没有选票另选「选民5」为委员"),
            (world.adults[5], Post.DIRECTOR, "查无此人", "没有选票另选「查无此人」"),
            (world.adults[5], "mayor", "选民5", "请选择职务")):
        with pytest.raises(ElectionError, match=match):
            services.write_in_confirm(election=e, name=name, post=post, resident=who)
        assert _state(e) == before
    with pytest.raises(ElectionError, match="请填写原因"):
        services.write_in_reject(election=e, name="选民5", post=Post.DIRECTOR, reason=" ")
    assert _state(e) == before
    services.write_in_reject(election=e, name="选民5", post=Post.DIRECTOR, reason="本选区有两名同名选民,无法确定")
    with pytest.raises(ElectionError, match=r"已于 .* 核实:不计入\(本选区有两名同名选民"):
        services.write_in_confirm(election=e, name="选民5", post=Post.DIRECTOR, resident=world.adults[5])


def test_a_rejected_write_in_elects_nobody_and_the_post_goes_to_a_runoff(world):
    e = _counted_with_a_write_in(world)
    services.write_in_reject(election=e, name="选民5", post=Post.DIRECTOR, reason="不是本社区选民")
    e = services.count(election=e)
    assert e.state == State.RUNOFF  # 选民0's 3 of 8 is no majority: the director's seat is chosen again
    assert not Candidate.objects.filter(nomination=Nomination.WRITE_IN).exists()


def test_the_committee_decides_on_the_page(client, world):
    e = _counted_with_a_write_in(world)
    client.force_login(world.community_worker_a)
    page = client.get(f"/elections/{e.pk}/").content.decode()
    assert 'data-testid="write-ins"' in page and "选民5" in page
    r = client.post(f"/elections/{e.pk}/act/count/", follow=True)
    assert "请先核实" in r.content.decode()
    r = client.post(f"/elections/{e.pk}/act/write_in_confirm/",
                    {"name": "选民5", "post": "director", "id_number": world.numbers[5]}, follow=True)
    assert "「选民5」已核实为选民 选民5" in r.content.decode()
    page = client.get(f"/elections/{e.pk}/").content.decode()
    assert "已核实为选民,计入得票" in page
    assert "主任 选民5(另选他人)" in page  # the station's form now carries the identified candidate
    r = client.post(f"/elections/{e.pk}/act/count/", follow=True)
    assert "计票完成,选举有效" in r.content.decode()
