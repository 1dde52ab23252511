"""Deliberation sessions and residents' meetings (governance): community B's session (a hearing of the
matter 王五 reported, handed to the district's transport bureau; 王五 is a stakeholder and commented) and its residents' meeting (王五 on the roll) are invisible and unchangeable
from outside B; the lists and the P-GOV-1 page hold nothing of B."""
import datetime as dt

from django.utils import timezone

ENDPOINTS = {
    "governance:session": ("GET", lambda w: f"/governance/sessions/{w.session_b.pk}/"),
    "governance:session_comment": ("POST", lambda w: f"/governance/sessions/{w.session_b.pk}/comment/"),
    "governance:session_record": ("POST", lambda w: f"/governance/sessions/{w.session_b.pk}/record/"),
    "governance:session_answer": ("POST", lambda w: f"/governance/sessions/{w.session_b.pk}/answer/"),
    "governance:session_cancel": ("POST", lambda w: f"/governance/sessions/{w.session_b.pk}/cancel/"),
    "governance:session_new": ("POST", lambda w: f"/governance/sessions/new/?community={w.comm_b.code}"),
    "governance:meeting": ("GET", lambda w: f"/governance/meetings/{w.meeting_b.pk}/"),
    "governance:meeting_vote": ("POST", lambda w: f"/governance/meetings/{w.meeting_b.pk}/vote/"),
    "governance:meeting_paper": ("POST", lambda w: f"/governance/meetings/{w.meeting_b.pk}/paper/"),
    "governance:meeting_close": ("POST", lambda w: f"/governance/meetings/{w.meeting_b.pk}/close/"),
    "governance:meeting_cancel": ("POST", lambda w: f"/governance/meetings/{w.meeting_b.pk}/cancel/"),
    # the roll lists 王五 by name: only B's committee may read it
    "governance:meeting_roll": ("GET", lambda w: f"/governance/meetings/{w.meeting_b.pk}/roll/?q=王五"),
    "governance:meeting_new": ("POST", lambda w: f"/governance/meetings/new/?community={w.comm_b.code}"),
    "governance:post_add": ("POST", lambda w: f"/governance/posts/add/?community={w.comm_b.code}"),
    "governance:post_end": ("POST", lambda w: f"/governance/posts/{w.post_b.pk}/end/"),
    "governance:group_add": ("POST", lambda w: f"/governance/posts/groups/add/?community={w.comm_b.code}"),
}
LISTS = {
    "governance:sessions": "/governance/sessions/",
    "governance:meetings": "/governance/meetings/",
    "governance:annual": "/governance/meetings/annual/",
    "governance:mine": "/governance/mine/",
    "governance:posts": "/governance/posts/?ended=1",
    # the street's self-governance table: its own communities' figures only (tests/governance/test_overview.py)
    "governance:overview": "/governance/overview/",
}
BODY = {"choice": "yes", "present": 0, "yes": 0, "no": 0, "abstain": 0, "outcome": "篡改",
        "starts_at": (timezone.localdate() + dt.timedelta(days=7)).strftime("%Y-%m-%dT10:00"), "text": "篡改", "department_answer": "篡改", "body": "residents",
        "until": "2026-01-01", "since": "2025-01-01", "households": 10}


def build(w):
    from gongzhi.governance import meetings
    from gongzhi.governance.models import ResidentGroup, ResidentPost
    group = ResidentGroup.objects.create(community=w.comm_b, name="王五所在居民小组", households=200)
    w.post_b = ResidentPost.objects.create(community=w.comm_b, kind="representative", resident=w.res_b1, group=group,
                                           since=dt.date(2024, 1, 1))
    from tests.governance.matters import government_matter
    w.matter_b = government_matter(w, w.comm_b, "王五反映的公交站点", handed=timezone.localdate() - dt.timedelta(days=5))
    w.session_b = meetings.session_create(community=w.comm_b, form="hearing", title="王五提议的听证",
                                          starts_at=timezone.now() + dt.timedelta(days=2),
                                          grid_ids=[w.grid_b1.pk], deputies="王五代表", by=w.community_worker_b,
                                          matter_ids=[w.matter_b.pk],
                                          department=meetings.department_key(w.district.pk, "市交通运输局"))
    meetings.comment_add(session=w.session_b, by=w.wang_b1, text="王五的意见")
    w.meeting_b = meetings.meeting_create(community=w.comm_b, body="residents", form="adults",
                                          title="王五提议加装电梯表决", held_on=timezone.localdate(),
                                          by=w.community_worker_b)


def snapshot():
    from gongzhi.governance.models import (
        HearingMatter, Participant, ResidentGroup, ResidentMeeting, ResidentPost, RollEntry, Session, SessionComment,
        Vote,
    )
    return (list(ResidentPost.objects.order_by("pk").values_list("pk", "until", "kind", "resident_id")),
            list(ResidentGroup.objects.order_by("pk").values_list("pk", "name")),list(Session.objects.order_by("pk").values_list("pk", "state", "version", "department_answer")),
            list(ResidentMeeting.objects.order_by("pk").values_list("pk", "state", "version", "online_votes",
                                                                     "paper_present", "outcome")),
            Participant.objects.count(), list(Participant.objects.order_by("pk").values_list("attended")),
            SessionComment.objects.count(), Vote.objects.count(), RollEntry.objects.count(),
            list(HearingMatter.objects.order_by("pk").values_list("session_id", "topic_id")))
