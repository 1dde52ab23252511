"""Deliberation sessions and residents' meetings (governance): community B's session (王五 is a
stakeholder and commented) and its residents' meeting (王五 on the roll) are invisible and unchangeable
from outside B; the lists and the P-GOV-1 page hold nothing of B."""
import datetime as dt

from django.utils import timezone

ENDPOINTS = {
    "governance:session": ("GET", lambda w: f"/governance/sessions/{w.session_b.pk}/"),
    "governance:session_comment": ("POST", lambda w: f"/governance/sessions/{w.session_b.pk}/comment/"),
    "governance:session_record": ("POST", lambda w: f"/governance/sessions/{w.session_b.pk}/record/"),
    "governance:session_answer": ("POST", lambda w: f"/governance/sessions/{w.session_b.pk}/answer/"),
    "governance:session_new": ("POST", lambda w: f"/governance/sessions/new/?community={w.comm_b.code}"),
    "governance:meeting": ("GET", lambda w: f"/governance/meetings/{w.meeting_b.pk}/"),
    "governance:meeting_vote": ("POST", lambda w: f"/governance/meetings/{w.meeting_b.pk}/vote/"),
    "governance:meeting_paper": ("POST", lambda w: f"/governance/meetings/{w.meeting_b.pk}/paper/"),
    "governance:meeting_close": ("POST", lambda w: f"/governance/meetings/{w.meeting_b.pk}/close/"),
    "governance:meeting_new": ("POST", lambda w: f"/governance/meetings/new/?community={w.comm_b.code}"),
}
LISTS = {
    "governance:sessions": "/governance/sessions/",
    "governance:meetings": "/governance/meetings/",
    "governance:annual": "/governance/meetings/annual/",
    "governance:mine": "/governance/mine/",
}
BODY = {"choice": "yes", "present": 0, "yes": 0, "no": 0, "abstain": 0, "outcome": "篡改",
        "starts_at": "2026-12-01T10:00", "text": "篡改", "department_answer": "篡改", "body": "residents"}


def build(w):
    from gongzhi.governance import meetings
    w.session_b = meetings.session_create(community=w.comm_b, form="hearing", title="王五提议的听证",
                                          starts_at=timezone.now() + dt.timedelta(days=2),
                                          grid_ids=[w.grid_b1.pk], deputies="王五代表", by=w.community_worker_b)
    meetings.comment_add(session=w.session_b, by=w.wang_b1, text="王五的意见")
    w.meeting_b = meetings.meeting_create(community=w.comm_b, body="residents", form="adults",
                                          title="王五提议加装电梯表决", held_on=timezone.localdate(),
                                          by=w.community_worker_b)


def snapshot():
    from gongzhi.governance.models import Participant, ResidentMeeting, RollEntry, Session, SessionComment, Vote
    return (list(Session.objects.order_by("pk").values_list("pk", "state", "version", "department_answer")),
            list(ResidentMeeting.objects.order_by("pk").values_list("pk", "state", "version", "online_votes",
                                                                     "paper_present", "outcome")),
            Participant.objects.count(), list(Participant.objects.order_by("pk").values_list("attended")),
            SessionComment.objects.count(), Vote.objects.count(), RollEntry.objects.count())
