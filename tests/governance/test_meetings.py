"""Decisions (决策): quorum arithmetic per body and form (exactly half, exactly two thirds), the roll
built from the registry on the meeting's date in one statement, online votes (one per person or
household, also under concurrency), the paper tally, the result with its reasons, the ledger row,
P-GOV-1's due and overdue meetings, and the pages."""
import datetime as dt
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.governance import meetings as svc
from gongzhi.governance.models import (
    MeetingState, Outcome, PostKind, QuorumRule, ResidentMeeting, ResidentPost, RollEntry, Vote,
)
from gongzhi.ledgers.models import Meeting
from gongzhi.people.models import Resident
from gongzhi.workorders.models import Notification
from tests.factories import community, grid, household, id_number, resident, user

TODAY = timezone.localdate()


def _meeting(w, *, place=None, body="residents", form="adults", held_on=None, **kw):
    kw.setdefault("title", "加装电梯方案")
    return svc.meeting_create(community=place or w.comm_a, body=body, form=form, held_on=held_on or TODAY,
                              by=w.community_worker_a, **kw)


def _voters(w, n, grid_=None):
    """n adults of community A, each in a household of their own and with a bound resident account."""
    out = []
    for i in range(n):
        r = resident(household(grid_ or w.grid_a1), name=f"投票人{i}")
        out.append(user(f"v{i}_{r.pk}", "resident", w.comm_a, resident=r))
    return out


# -- the arithmetic -----------------------------------------------------------------------------------
@pytest.mark.parametrize("body,form,roll,present,held", [
    ("residents", "adults", 100, 50, False),      # exactly half: not more than half
    ("residents", "adults", 100, 51, True),
    ("residents", "households", 7, 3, False),
    ("residents", "households", 7, 4, True),
    ("residents", "group_reps", 2, 1, False),
    ("villagers", "adults", 10, 5, False),
    ("villagers", "adults", 10, 6, True),
    ("villagers", "households", 30, 20, True),    # exactly two thirds: 三分之二以上 includes it
    ("villagers", "households", 30, 19, False),
    ("village_reps", "representatives", 9, 6, True),
    ("village_reps", "representatives", 9, 5, False),
    ("representatives", "representatives", 10, 7, True),   # 6.67 needed: 7
    ("representatives", "representatives", 10, 6, False),
    ("residents", "adults", 0, 0, False),          # an empty roll never holds
])
def test_quorum_per_body_and_form(body, form, roll, present, held):
    result = svc.decide(rule=svc.DEFAULT_RULES[(body, form)], roll=roll, present=present, yes=present)
    assert result.quorum_met is held
    assert result.outcome == (Outcome.ADOPTED if held else Outcome.NO_QUORUM)
    assert f"应到 {roll}" in result.reason and f"实到 {present}" in result.reason


def test_majority_of_those_present_exactly_half_fails():
    rule = svc.DEFAULT_RULES[("residents", "adults")]
    failed = svc.decide(rule=rule, roll=100, present=60, yes=30, no=20, abstain=10)
    assert failed.quorum_met and not failed.adopted and failed.outcome == Outcome.REJECTED
    assert "至少 31 票" in failed.reason and "差 1 票" in failed.reason
    passed = svc.decide(rule=rule, roll=100, present=60, yes=31, no=29)
    assert passed.adopted and "通过" in passed.reason


def test_a_local_rule_overrides_the_law_below_its_place(world):
    QuorumRule.objects.create(place=world.street_a, body="residents", form="adults", quorum_num=2, quorum_den=3,
                              quorum_strict=False, basis="宜城街道议事规则")
    assert svc.rule_for(world.comm_a, "residents", "adults").quorum_den == 3
    assert svc.rule_for(world.comm_b, "residents", "adults") == svc.DEFAULT_RULES[("residents", "adults")]
    meeting = _meeting(world)
    assert (meeting.quorum_num, meeting.quorum_den, meeting.rule_basis) == (2, 3, "宜城街道议事规则")


# -- the roll -------------------------------------------------------------------------------------------
def test_roll_on_the_meetings_date(world):
    day = dt.date(2026, 6, 15)
    hh = household(world.grid_a1)
    just_18 = resident(hh, "刚满十八", relation="20", id_number=id_number(dt.date(2008, 6, 15)))
    not_yet = resident(hh, "差一天", relation="20", id_number=id_number(dt.date(2008, 6, 16)))
    gone_before = resident(household(world.grid_a1), "早已迁出")
    gone_after = resident(household(world.grid_a1), "后来迁出")
    came_later = resident(household(world.grid_a1), "后来迁入")
    Resident.objects.filter(pk=gone_before.pk).update(status="moved_out", status_changed_on=dt.date(2026, 1, 1))
    Resident.objects.filter(pk=gone_after.pk).update(status="moved_out", status_changed_on=dt.date(2026, 7, 1))
    Resident.objects.filter(pk=came_later.pk).update(moved_in_on=dt.date(2026, 7, 1))
    meeting = _meeting(world, held_on=day)
    on_roll = set(RollEntry.objects.filter(meeting=meeting).values_list("resident__name", flat=True))
    assert {"刚满十八", "后来迁出", "张三", "李四"} <= on_roll
    assert not {"差一天", "早已迁出", "后来迁入"} & on_roll
    assert meeting.roll_size == len(on_roll)
    assert just_18 and not_yet


def test_household_roll_takes_the_head_else_an_adult(world):
    hh = household(world.grid_a1)
    resident(hh, "成员甲", relation="20")
    head = resident(hh, "户主", relation="02")
    minor_head_hh = household(world.grid_a1)
    resident(minor_head_hh, "少年户主", relation="02", id_number=id_number(dt.date(2015, 1, 1)))
    adult = resident(minor_head_hh, "成年成员", relation="20")
    meeting = _meeting(world, form="households")
    by_household = dict(RollEntry.objects.filter(meeting=meeting).values_list("household_id", "resident_id"))
    assert by_household[hh.pk] == head.pk and by_household[minor_head_hh.pk] == adult.pk
    assert meeting.roll_size == 4  # HA1, HA2 and the two above


def test_representatives_roll_is_the_posts_serving_that_day(world):
    day = dt.date(2026, 3, 1)
    ResidentPost.objects.create(community=world.comm_a, kind=PostKind.REPRESENTATIVE, resident=world.res_a1,
                                since=dt.date(2024, 1, 1))
    ResidentPost.objects.create(community=world.comm_a, kind=PostKind.REPRESENTATIVE, resident=world.res_a2,
                                since=dt.date(2024, 1, 1), until=dt.date(2026, 2, 1))
    meeting = _meeting(world, body="representatives", form="representatives", held_on=day)
    assert list(RollEntry.objects.filter(meeting=meeting).values_list("resident_id", flat=True)) == [world.res_a1.pk]


def test_the_roll_is_one_statement_whatever_its_size(world):
    """Set-based: the number of queries does not grow with the community (no Python loop per resident)."""
    def queries(n_more):
        _voters(world, n_more)
        with CaptureQueriesContext(connection) as ctx:
            m = _meeting(world, title=f"规模{n_more}")
        return len(ctx.captured_queries), m.roll_size

    small, size_small = queries(1)
    large, size_large = queries(40)
    assert size_large == size_small + 40
    assert large == small


def test_empty_roll_and_wrong_body_are_refused(world):
    with pytest.raises(RuleError, match="名册为空"):
        _meeting(world, body="representatives", form="representatives")
    with pytest.raises(RuleError, match="村民会议"):
        _meeting(world, body="villagers")
    with pytest.raises(RuleError, match="不能采用"):
        _meeting(world, body="residents", form="representatives")
    village = community(world.street_a, 5, "茶园村", rural=True)
    resident(household(grid(village, 1)), "村民甲")
    assert svc.bodies_for(village) == ("villagers", "village_reps")
    assert _meeting(world, place=village, body="villagers", form="households").roll_size == 1
    assert not ResidentMeeting.objects.filter(roll_size=0).exists()


def test_bad_text_is_refused_and_nothing_saved(world):
    with pytest.raises(RuleError, match="控制字符"):
        _meeting(world, title="加装\x07电梯")
    with pytest.raises(RuleError, match="不能超过"):
        _meeting(world, motion="很" * 10_000_000)
    assert not ResidentMeeting.objects.exists() and not RollEntry.objects.exists()


# -- votes -----------------------------------------------------------------------------------------------
def test_online_vote_once_and_refusals_change_nothing(world):
    voters = _voters(world, 2)
    meeting = _meeting(world)
    assert Notification.objects.filter(user=world.resident_user, kind="meeting").exists()
    svc.vote(meeting=meeting, by=world.resident_user, choice="yes")
    with pytest.raises(RuleError, match="已经投过票"):
        svc.vote(meeting=meeting, by=world.resident_user, choice="no")
    stranger = user("stranger", "resident", world.comm_b, resident=world.res_b1)
    with pytest.raises(RuleError, match="不在本次会议的名册上"):
        svc.vote(meeting=meeting, by=stranger, choice="yes")
    with pytest.raises(RuleError, match="实名绑定"):
        svc.vote(meeting=meeting, by=world.community_worker_a, choice="yes")
    with pytest.raises(RuleError, match="同意、反对或弃权"):
        svc.vote(meeting=meeting, by=voters[0], choice="maybe")
    meeting.refresh_from_db()
    assert meeting.online_votes == 1 and Vote.objects.filter(meeting=meeting).get().choice == "yes"


def test_household_vote_is_the_delegates(world):
    member = resident(world.hh_a1, "户内成员", relation="20")
    member_user = user("member", "resident", world.comm_a, resident=member)
    meeting = _meeting(world, form="households")
    with pytest.raises(RuleError, match="不在本次会议的名册上"):
        svc.vote(meeting=meeting, by=member_user, choice="yes")
    svc.vote(meeting=meeting, by=world.resident_user, choice="no")  # 张三 heads HA1


def test_votes_after_closing_are_refused(world):
    meeting = _meeting(world, closes_at=timezone.now() + dt.timedelta(hours=1))
    later = timezone.now() + dt.timedelta(hours=2)
    with pytest.raises(RuleError, match="已经截止"):
        svc.vote(meeting=meeting, by=world.resident_user, choice="yes", now=later)
    svc.close(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a)
    with pytest.raises(RuleError, match="已经截止"):
        svc.vote(meeting=meeting, by=world.resident_user, choice="yes")
    assert not Vote.objects.exists()


def test_paper_tally_checks_its_sums(world):
    meeting = _meeting(world)
    with pytest.raises(RuleError, match="超过现场到会"):
        svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                         present=1, yes=1, no=1, abstain=0)
    with pytest.raises(RuleError, match="超过名册"):
        svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                         present=3, yes=3, no=0, abstain=0)
    with pytest.raises(RuleError, match="整数"):
        svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                         present="x", yes=0, no=0, abstain=0)
    m = svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                         present=2, yes=2, no=0, abstain=0)
    with pytest.raises(ConflictError):
        svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                         present=1, yes=1, no=0, abstain=0)
    assert m.paper_present == 2


def test_close_with_quorum_adopts_and_writes_the_ledger(world):
    voters = _voters(world, 3)  # roll: 张三, 李四 and three more = 5; more than half is 3
    meeting = _meeting(world)
    svc.vote(meeting=meeting, by=voters[0], choice="yes")
    svc.vote(meeting=meeting, by=voters[1], choice="yes")
    meeting = svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                               present=1, yes=0, no=1, abstain=0)
    meeting = svc.close(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                        minutes="会议在社区活动室举行")
    assert (meeting.present, meeting.yes, meeting.no, meeting.quorum_met) == (3, 2, 1, True)
    assert meeting.outcome == Outcome.ADOPTED and meeting.state == MeetingState.CLOSED
    assert "应到 5 人,实到 3 人" in meeting.outcome_reason and "至少 2 票" in meeting.outcome_reason
    row = Meeting.objects.get(source="governance.meeting", source_pk=meeting.pk)
    assert row.kind == "residents" and row.attendees == 3 and row.held_on == TODAY and meeting.ledger_row == row
    assert Notification.objects.filter(user=voters[0], kind="meeting", text__contains="通过").exists()
    with pytest.raises(ConflictError):
        svc.close(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a)


def test_a_decision_without_quorum_is_not_passed_and_writes_no_ledger(world):
    _voters(world, 2)  # roll 4: half is 2, not enough
    meeting = _meeting(world)
    meeting = svc.record_paper(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                               present=2, yes=2, no=0, abstain=0)
    meeting = svc.close(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a)
    assert meeting.outcome == Outcome.NO_QUORUM and meeting.quorum_met is False and not meeting.adopted
    assert "未达到法定人数(差 1 人)" in meeting.outcome_reason
    assert not Meeting.objects.filter(source="governance.meeting").exists()


def test_closing_before_the_day_is_refused(world):
    meeting = _meeting(world, held_on=TODAY + dt.timedelta(days=3))
    with pytest.raises(RuleError, match="之前不能结束表决"):
        svc.close(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.VOTING


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_count_once(world):
    """The same resident voting from four tabs at once, and many residents at once, with a close racing
    them: every vote counted exactly once, none after the close (PostgreSQL runs them truly in parallel)."""
    voters = _voters(world, 12)
    meeting = _meeting(world)
    errors = []

    def go(u):
        try:
            svc.vote(meeting=meeting, by=u, choice="yes")
        except RuleError as exc:
            errors.append(str(exc))
        except Exception as exc:  # SQLite: "database is locked" under contention is a refusal, not a double count
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(u,)) for u in [world.resident_user] * 4 + voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    meeting.refresh_from_db()
    assert Vote.objects.filter(meeting=meeting, entry__resident=world.res_a1).count() <= 1
    assert meeting.online_votes == Vote.objects.filter(meeting=meeting).count()
    if connection.vendor == "postgresql":
        assert meeting.online_votes == 13 and len(errors) == 3
        assert all(e == svc.ERR_TWICE for e in errors)
    closed = svc.close(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a)
    assert closed.present == closed.online_votes == Vote.objects.filter(meeting=meeting).count()


@pytest.mark.django_db(transaction=True)
def test_votes_racing_the_close_are_counted_or_refused(world):
    voters = _voters(world, 10)
    meeting = _meeting(world)
    refused = []

    def vote(u):
        try:
            svc.vote(meeting=meeting, by=u, choice="no")
        except Exception as exc:
            refused.append(repr(exc))
        finally:
            connection.close()

    def close():
        try:
            svc.close(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a)
        except Exception as exc:
            refused.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(u,)) for u in voters[:5]] + [threading.Thread(target=close)] + \
        [threading.Thread(target=vote, args=(u,)) for u in voters[5:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    meeting.refresh_from_db()
    if meeting.state == MeetingState.CLOSED:
        assert meeting.no == Vote.objects.filter(meeting=meeting).count() == meeting.online_votes


# -- P-GOV-1 ---------------------------------------------------------------------------------------------
def test_annual_meetings_due_then_overdue(world):
    ids = [world.comm_a.pk, world.comm_b.pk]
    Meeting.objects.create(community=world.comm_b, kind="residents", held_on=dt.date(2026, 2, 10), title="年初会议")
    feb = svc.annual_status(ids, dt.date(2026, 2, 20))
    assert [(i["label"], i["overdue"]) for i in feb[world.comm_a.pk]] == [("2025年年末居民会议", True),
                                                                          ("2026年年初居民会议", False)]
    assert [i["label"] for i in feb[world.comm_b.pk]] == ["2025年年末居民会议"]
    may = svc.annual_status(ids, dt.date(2026, 5, 1))
    assert [(i["label"], i["overdue"]) for i in may[world.comm_a.pk]] == [("2026年年初居民会议", True)]
    assert world.comm_b.pk not in may
    nov = svc.annual_status(ids, dt.date(2026, 11, 1))
    assert [(i["label"], i["overdue"]) for i in nov[world.comm_b.pk]] == [("2026年年末居民会议", False)]
    Meeting.objects.create(community=world.comm_a, kind="residents", held_on=dt.date(2026, 3, 1), title="作废",
                           voided="录入错误")
    assert svc.annual_status(ids, dt.date(2026, 5, 1))[world.comm_a.pk][0]["overdue"]


def test_annual_panel_on_the_home_of_committee_and_street(world, client):
    client.force_login(world.community_worker_a)
    body = client.get("/").content.decode()
    assert "年初年末居民会议" in body
    client.force_login(world.street_officer_a)
    assert "年初年末居民会议" in client.get("/").content.decode()
    page = client.get("/governance/meetings/annual/").content.decode()
    assert "东虹社区" in page and "南岳社区" not in page
    client.force_login(world.resident_user)
    assert client.get("/governance/meetings/annual/").status_code == 403


# -- pages ----------------------------------------------------------------------------------------------
def test_worker_calls_a_meeting_and_a_resident_votes_on_the_page(world, client):
    client.force_login(world.community_worker_a)
    assert client.get("/governance/meetings/new/").status_code == 200
    response = client.post("/governance/meetings/new/", {
        "body": "residents", "form": "adults", "title": "小区停车收费方案", "held_on": TODAY.isoformat(),
        "online": "on"})
    meeting = ResidentMeeting.objects.get()
    assert response.status_code == 302 and meeting.roll_size == 2
    client.force_login(world.resident_user)
    page = client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    assert "提交投票" in page
    assert client.post(f"/governance/meetings/{meeting.pk}/vote/", {"choice": "yes"}).status_code == 302
    again = client.post(f"/governance/meetings/{meeting.pk}/vote/", {"choice": "no"})
    assert again.status_code == 409 and "已经投过票" in again.content.decode()
    assert "您已投票:同意" in client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    mine = client.get("/governance/mine/").content.decode()
    assert "小区停车收费方案" in mine and "已投票" in mine
    client.force_login(world.community_worker_a)
    bad = client.post(f"/governance/meetings/{meeting.pk}/paper/", {"version": meeting.version, "present": 1,
                                                                    "yes": 2, "no": 0, "abstain": 0})
    assert bad.status_code == 422 and "超过现场到会" in bad.content.decode()
    client.post(f"/governance/meetings/{meeting.pk}/paper/", {"version": meeting.version, "present": 1,
                                                             "yes": 1, "no": 0, "abstain": 0})
    meeting.refresh_from_db()
    client.post(f"/governance/meetings/{meeting.pk}/close/", {"version": meeting.version, "minutes": ""})
    meeting.refresh_from_db()
    assert meeting.outcome == Outcome.ADOPTED
    assert "应到 2 人,实到 2 人" in client.get(f"/governance/meetings/{meeting.pk}/").content.decode()


def test_meeting_form_errors_are_chinese_and_save_nothing(world, client):
    client.force_login(world.community_worker_a)
    response = client.post("/governance/meetings/new/", {"body": "residents", "form": "adults",
                                                         "title": "停车\x00", "held_on": TODAY.isoformat()})
    assert response.status_code == 422
    assert not ResidentMeeting.objects.exists()
    response = client.post("/governance/meetings/new/", {"body": "villagers", "form": "adults", "title": "x",
                                                         "held_on": TODAY.isoformat()})
    assert response.status_code == 422 and "会议" in response.content.decode()
    client.force_login(world.resident_user)
    assert client.get("/governance/meetings/new/").status_code == 403
