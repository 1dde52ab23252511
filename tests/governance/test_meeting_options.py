"""A meeting that chooses between plans (方案一、方案二…): the arithmetic (a plan must alone reach the
pass fraction of those present; a tie at the top adopts none), the plans' checks, one vote naming one
plan of this meeting, the paper tally per plan, the result written to the ledger and told to the
voters, and the pages."""
import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.governance import meetings as svc
from gongzhi.governance.models import MotionOption, Outcome, ResidentMeeting, Vote
from gongzhi.ledgers.models import Meeting
from gongzhi.workorders.models import Notification
from tests.factories import household, resident, user

TODAY = timezone.localdate()
PLANS = ["划线收费,收入用于绿化", "划线不收费", "维持现状"]
HALF = svc.Rule(1, 2, True, 1, 2, True, "城市居民委员会组织法第十二条")


def _meeting(w, *, options=PLANS, **kw):
    return svc.meeting_create(community=w.comm_a, body="residents", form="adults", title="小区停车位方案",
                              held_on=kw.pop("held_on", TODAY), by=w.community_worker_a, options=options, **kw)


def _voters(w, n):
    out = []
    for i in range(n):
        r = resident(household(w.grid_a1), name=f"选民{i}")
        out.append(user(f"o{i}_{r.pk}", "resident", w.comm_a, resident=r))
    return out


# -- the arithmetic -----------------------------------------------------------------------------------
def test_the_plan_with_more_than_half_of_those_present_is_adopted():
    c = svc.decide_choice(rule=HALF, roll=10, present=9, options=[("方案一", 5), ("方案二", 3)], no=1)
    assert c.chosen == 0 and c.result.outcome == Outcome.ADOPTED
    assert "方案一 5 票、方案二 3 票、都不同意 1、弃权 0" in c.result.reason and "至少 5 票" in c.result.reason


def test_most_votes_without_a_majority_adopts_nothing():
    c = svc.decide_choice(rule=HALF, roll=10, present=10, options=[("方案一", 4), ("方案二", 3), ("方案三", 3)])
    assert c.chosen is None and c.result.outcome == Outcome.REJECTED and c.result.quorum_met
    assert "得票最多的方案一差 2 票" in c.result.reason


def test_a_tie_at_the_top_adopts_nothing_even_when_both_reach_the_fraction():
    at_least_half = svc.Rule(1, 2, True, 1, 2, False, "本地规定")  # 半数以上(含本数)
    c = svc.decide_choice(rule=at_least_half, roll=4, present=4, options=[("方案一", 2), ("方案二", 2)])
    assert c.chosen is None and "方案一、方案二得票相同(2 票)" in c.result.reason


def test_a_choice_without_quorum_does_not_hold():
    c = svc.decide_choice(rule=HALF, roll=10, present=5, options=[("方案一", 5), ("方案二", 0)])
    assert c.chosen is None and c.result.outcome == Outcome.NO_QUORUM


# -- the plans -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("options,message", [
    (["只有一个方案"], "至少要有两个"),
    ([f"方案{i}" for i in range(10)], "最多 9 个"),
    (["划线", "划线"], "重复"),
    (["划线", "长" * 61], "第 2 个方案超过 60 个字"),
    (["划线", "不\x07划"], "控制字符"),
])
def test_bad_plans_are_refused_and_nothing_is_saved(world, options, message):
    with pytest.raises(RuleError, match=message):
        _meeting(world, options=options)
    assert not ResidentMeeting.objects.exists() and not MotionOption.objects.exists()


def test_plans_from_a_text_one_per_line_blank_lines_skipped(world):
    meeting = _meeting(world, options="划线收费\n\n  划线不收费  \n")
    assert [str(o) for o in meeting.options.all()] == ["方案一:划线收费", "方案二:划线不收费"]
    assert Notification.objects.filter(user=world.resident_user, text__contains="从 2 个方案中选择").exists()


# -- votes ---------------------------------------------------------------------------------------------
def test_a_vote_names_one_plan_of_this_meeting(world):
    meeting = _meeting(world)
    other = _meeting(world, options=["甲", "乙"])
    first, _, _ = meeting.options.all()
    with pytest.raises(RuleError, match="请选择一个方案"):
        svc.vote(meeting=meeting, by=world.resident_user, choice="yes")
    with pytest.raises(RuleError, match="请选择一个方案"):
        svc.vote(meeting=meeting, by=world.resident_user, choice="yes", option_id=other.options.first().pk)
    with pytest.raises(RuleError, match="请选择一个方案"):
        svc.vote(meeting=meeting, by=world.resident_user, choice="no", option_id=first.pk)
    assert not Vote.objects.exists()
    svc.vote(meeting=meeting, by=world.resident_user, choice="yes", option_id=first.pk)
    assert Vote.objects.get().option == first


def test_a_yes_no_motion_takes_no_plan(world):
    plain = _meeting(world, options=())
    named = _meeting(world, options=["甲", "乙"]).options.first()
    with pytest.raises(RuleError, match="同意、反对或弃权"):
        svc.vote(meeting=plain, by=world.resident_user, choice="yes", option_id=named.pk)
    assert not Vote.objects.exists()


def test_the_database_keeps_a_plan_to_yes_votes(world):
    meeting = _meeting(world)
    entry = svc.entry_for(meeting, world.resident_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(meeting=meeting, entry=entry, choice="no", option=meeting.options.first(),
                            user=world.resident_user)


def test_paper_tally_per_plan_checks_its_sums(world):
    _voters(world, 4)  # roll 6
    meeting = _meeting(world)
    a, b, c = meeting.options.all()
    with pytest.raises(RuleError, match="请为每个方案填写现场票数"):
        svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a, present=3,
                         option_votes={a.pk: 1, b.pk: 1})
    with pytest.raises(RuleError, match="合计 4 票,超过现场到会 3 人"):
        svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a, present=3,
                         no=1, option_votes={a.pk: 1, b.pk: 1, c.pk: 1})
    assert set(MotionOption.objects.values_list("paper_votes", flat=True)) == {0}
    m = svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a, present=3,
                         option_votes={a.pk: 2, b.pk: 1, c.pk: 0})
    assert m.paper_yes == 3 and list(m.options.values_list("paper_votes", flat=True)) == [2, 1, 0]


def test_close_adds_online_to_paper_per_plan_and_names_the_plan(world):
    voters = _voters(world, 4)  # roll 6: quorum 4, a plan needs more than half of those present
    meeting = _meeting(world)
    a, b, c = meeting.options.all()
    svc.vote(meeting=meeting, by=voters[0], choice="yes", option_id=b.pk)
    svc.vote(meeting=meeting, by=voters[1], choice="yes", option_id=b.pk)
    svc.vote(meeting=meeting, by=voters[2], choice="abstain")
    meeting = svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                               present=2, option_votes={a.pk: 1, b.pk: 1, c.pk: 0})
    meeting = svc.close(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a)
    assert [o.votes for o in meeting.options.all()] == [1, 3, 0]
    assert meeting.outcome == Outcome.ADOPTED and meeting.adopted_option == b
    assert (meeting.present, meeting.yes, meeting.abstain) == (5, 4, 1)
    assert "方案二得票最多,通过" in meeting.outcome_reason
    row = Meeting.objects.get(source="governance.meeting", source_pk=meeting.pk)
    assert "通过方案二「划线不收费」" in row.title
    assert Notification.objects.filter(user=voters[0], text__contains="通过方案二「划线不收费」").exists()


def test_close_without_a_majority_plan_adopts_none(world):
    _voters(world, 2)  # roll 4
    meeting = _meeting(world)
    a, b, c = meeting.options.all()
    meeting = svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                               present=4, option_votes={a.pk: 2, b.pk: 1, c.pk: 1})
    meeting = svc.close(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a)
    assert meeting.outcome == Outcome.REJECTED and meeting.adopted_option is None
    assert "差 1 票,没有方案通过" in meeting.outcome_reason


# -- pages ----------------------------------------------------------------------------------------------
def test_plans_on_the_pages_from_calling_to_the_project(world, client):
    client.force_login(world.community_worker_a)
    response = client.post("/governance/meetings/new/", {
        "body": "residents", "form": "adults", "title": "小区停车位方案", "held_on": TODAY.isoformat(),
        "online": "on", "options": "一个方案"})
    assert response.status_code == 422 and "至少要有两个" in response.content.decode()
    assert not ResidentMeeting.objects.exists()
    client.post("/governance/meetings/new/", {
        "body": "residents", "form": "adults", "title": "小区停车位方案", "held_on": TODAY.isoformat(),
        "online": "on", "options": "\n".join(PLANS)})
    meeting = ResidentMeeting.objects.get()
    a, b, c = meeting.options.all()

    client.force_login(world.resident_user)
    page = client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert "选择哪个方案" in page and f'value="option-{a.pk}"' in page and "都不同意" in page
    bad = client.post(f"/governance/meetings/{meeting.pk}/vote/", {"choice": "yes"})
    assert bad.status_code == 422 and "请选择一个方案" in bad.content.decode()
    assert client.post(f"/governance/meetings/{meeting.pk}/vote/", {"choice": f"option-{a.pk}"}).status_code == 302
    assert "您已投票:方案一:划线收费,收入用于绿化" in client.get(f"/governance/meetings/{meeting.pk}/").content.decode()

    client.force_login(world.community_worker_a)
    page = client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert f'name="option_{a.pk}"' in page and 'name="yes"' not in page
    bad = client.post(f"/governance/meetings/{meeting.pk}/paper/", {
        "version": meeting.version, "present": 1, f"option_{a.pk}": "x", f"option_{b.pk}": 0,
        f"option_{c.pk}": 0, "no": 0, "abstain": 0})
    assert bad.status_code == 422 and "方案一" in bad.content.decode()
    client.post(f"/governance/meetings/{meeting.pk}/paper/", {
        "version": meeting.version, "present": 1, f"option_{a.pk}": 1, f"option_{b.pk}": 0, f"option_{c.pk}": 0,
        "no": 0, "abstain": 0})
    meeting.refresh_from_db()
    client.post(f"/governance/meetings/{meeting.pk}/close/", {"version": meeting.version, "minutes": ""})
    page = client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="option-result"' in page and "(通过)" in page and "2 票,占实到 100%" in page

    new_project = client.get(f"/projects/new/?meeting={meeting.pk}").content.decode()
    assert "方案一:划线收费,收入用于绿化" in new_project


def test_the_list_and_the_page_of_a_closed_choice_name_the_plan_adopted(world, client):
    meeting = _meeting(world, options=["甲方案", "乙方案"], held_on=TODAY - dt.timedelta(days=1))
    a, _ = meeting.options.all()
    meeting = svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                               present=2, option_votes={a.pk: 2, meeting.options.last().pk: 0})
    svc.close(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a)
    client.force_login(world.resident_user)
    assert "通过方案一「甲方案」" in client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    client.force_login(world.community_worker_a)
    assert "通过方案一「甲方案」" in client.get("/governance/meetings/").content.decode()
