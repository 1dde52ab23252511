"""Owners' committees (members from the estate's residents, term, filing) and the four parties'
meetings with issues, decisions, follow-up and their ledger row."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.estates import committees
from gongzhi.estates.models import CommitteeMember, EstateMeeting, MeetingIssue
from gongzhi.ledgers.models import Meeting
from tests import factories as f
from tests.estates.helpers import estate_of

pytestmark = pytest.mark.django_db


def _residents(w, n):
    """n residents of the estate of community A (each in their own household)."""
    out = []
    for i in range(n):
        hh = f.household(w.grid_a1)
        out.append(f.resident(hh, f"业主{i}"))
    return out


def test_committee_members_come_from_the_estate_and_filing_needs_five(world):
    estate = estate_of(world.hh_a1)
    today = timezone.localdate()
    committee = committees.committee_create(estate=estate, elected_on=today - dt.timedelta(days=10),
                                            term_ends=today.replace(year=today.year + 5) - dt.timedelta(days=20),
                                            by=world.community_worker_a)
    with pytest.raises(RuleError, match="不是「东虹社区小区」登记在册的住户"):
        committees.member_add(committee=committee, resident=world.res_b1, post="member")
    people = _residents(world, 4)
    committees.member_add(committee=committee, resident=people[0], post="director")
    with pytest.raises(RuleError, match="已有主任"):
        committees.member_add(committee=committee, resident=people[1], post="director")
    with pytest.raises(RuleError, match="已是该业主委员会的成员"):
        committees.member_add(committee=committee, resident=people[0], post="member")
    for p in people[1:]:
        committees.member_add(committee=committee, resident=p, post="member")
    with pytest.raises(RuleError, match="至少要有 5 名成员"):
        committees.committee_file(committee_id=committee.pk, version=committee.version, filing_no="宜城备2026-1",
                                  filed_on=None, by=world.street_officer_a)
    committees.member_add(committee=committee, resident=world.res_a1, post="deputy")
    filed = committees.committee_file(committee_id=committee.pk, version=committee.version, filing_no="宜城备2026-1",
                                      filed_on=None, by=world.street_officer_a)
    assert filed.state == "filed" and CommitteeMember.objects.filter(committee=committee).count() == 5
    with pytest.raises(ConflictError):
        committees.committee_file(committee_id=committee.pk, version=filed.version, filing_no="x", filed_on=None,
                                  by=world.street_officer_a)
    with pytest.raises(RuleError, match="任期不能重叠"):
        committees.committee_create(estate=estate, elected_on=today, term_ends=today + dt.timedelta(days=700),
                                    by=world.community_worker_a)


def test_four_party_meeting_needs_all_four_and_writes_its_ledger_row(world):
    estate = estate_of(world.hh_a1)
    when = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(RuleError, match="业委会、物业企业未填"):
        committees.meeting_call(estate=estate, kind="four_party", title="电梯维修", starts_at=when, issues="电梯",
                                party_rep="书记", committee_rep="主任", by=world.community_worker_a)
    with pytest.raises(RuleError, match="至少填写一项议题"):
        committees.meeting_call(estate=estate, kind="committee", title="电梯维修", starts_at=when, issues="  ",
                                by=world.community_worker_a)
    assert EstateMeeting.objects.count() == 0
    meeting = committees.meeting_call(
        estate=estate, kind="four_party", title="电梯维修和停车", starts_at=when, party_rep="支部书记",
        committee_rep="居委会主任", owners_rep="业委会主任", firm_rep="项目经理",
        issues="3 幢电梯经常停运\n地面停车位不足", by=world.community_worker_a)
    issues = list(MeetingIssue.objects.filter(meeting=meeting).order_by("pk"))
    assert [i.text for i in issues] == ["3 幢电梯经常停运", "地面停车位不足"]
    today = timezone.localdate()
    with pytest.raises(RuleError, match="第 2 项议题「地面停车位不足」的决定"):
        committees.meeting_record(meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a,
                                  held_on=today, attendance=8, minutes="四方议定",
                                  decisions={issues[0].pk: ("物业一周内更换主板", "firm", today)})
    assert Meeting.objects.count() == 0
    held = committees.meeting_record(
        meeting_id=meeting.pk, version=meeting.version, by=world.community_worker_a, held_on=today, attendance=8,
        minutes="四方议定", decisions={issues[0].pk: ("物业一周内更换主板", "firm", today + dt.timedelta(days=7)),
                                       issues[1].pk: ("业委会提出划线方案", "owners", None)})
    row = Meeting.objects.get()
    assert held.ledger_row == row and row.source == "estates.meeting" and row.attendees == 8
    assert "物业一周内更换主板" in row.minutes and "支部书记" in row.minutes
    with pytest.raises(ConflictError):
        committees.meeting_record(meeting_id=meeting.pk, version=held.version, by=world.community_worker_a,
                                  held_on=today, attendance=8, minutes="x", decisions={})
    done = committees.issue_follow_up(issue=issues[0], follow_up="已更换主板,运行正常", done_on=today)
    assert done.state == "done"
    with pytest.raises(ConflictError):
        committees.issue_follow_up(issue=issues[0], follow_up="再次", done_on=today)


def test_meeting_pages(world, client):
    estate = estate_of(world.hh_a1)
    client.force_login(world.community_worker_a)
    r = client.post(f"/estates/{estate.pk}/meetings/new/", {"kind": "four_party", "title": "议事",
                                                          "starts_at": (timezone.localdate() + dt.timedelta(days=7)).strftime("%Y-%m-%dT10:00"), "issues": "a"})
    assert r.status_code == 422 and "四方协调会议须填写" in r.content.decode()
    r = client.post(f"/estates/{estate.pk}/meetings/new/", {"kind": "committee", "title": "业委会例会",
                                                          "starts_at": (timezone.localdate() + dt.timedelta(days=7)).strftime("%Y-%m-%dT10:00"), "issues": "物业费调整"})
    meeting = EstateMeeting.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/estates/meetings/{meeting.pk}/"
    assert "物业费调整" in client.get(r["Location"]).content.decode()
    assert "业委会例会" in client.get("/estates/meetings/").content.decode()
    client.force_login(world.community_worker_b)
    assert client.get(f"/estates/meetings/{meeting.pk}/").status_code == 404
