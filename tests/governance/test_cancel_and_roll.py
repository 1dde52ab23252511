"""Cancelling a noticed session or a called meeting (with a reason those invited or who voted are
told; a stale form or a second cancel changes nothing), and the meeting's roll page for its
community's committee only."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.governance import meetings as svc
from gongzhi.governance.models import MeetingState, ResidentMeeting, Session, SessionState
from gongzhi.workorders.models import Notification
from tests.factories import household, resident, user


def _session(w):
    return svc.session_create(community=w.comm_a, form="deliberation", title="停车位划线",
                              starts_at=timezone.now() + dt.timedelta(days=3), grid_ids=[w.grid_a1.pk],
                              by=w.community_worker_a)


def test_a_session_is_cancelled_once_with_a_reason_the_invited_hear(world):
    session = _session(world)
    with pytest.raises(RuleError, match="请填写取消原因"):
        svc.session_cancel(session_id=session.pk, version=session.version, by=world.community_worker_a, reason=" ")
    done = svc.session_cancel(session_id=session.pk, version=session.version, by=world.community_worker_a,
                              reason="台风预警,改期另行通知")
    assert done.state == SessionState.CANCELLED and done.cancel_reason == "台风预警,改期另行通知"
    assert Notification.objects.filter(user=world.resident_user, text__contains="台风预警").exists()
    with pytest.raises(ConflictError):
        svc.session_cancel(session_id=session.pk, version=session.version, by=world.community_worker_a, reason="再取消")
    with pytest.raises(ConflictError, match="已取消"):
        svc.session_cancel(session_id=session.pk, version=done.version, by=world.community_worker_a, reason="再取消")
    assert Session.objects.get(pk=session.pk).cancel_reason == "台风预警,改期另行通知"


def test_pages_cancel_and_show_the_roll_to_the_committee_only(world, client):
    for i in range(3):
        user(f"voter{i}", "resident", world.comm_a, resident=resident(household(world.grid_a1), name=f"赵{i}"))
    meeting = svc.meeting_create(community=world.comm_a, body="residents", form="adults", title="加装电梯",
                                 held_on=timezone.localdate(), by=world.community_worker_a)
    svc.vote(meeting=meeting, by=world.resident_user, choice="yes")
    client.force_login(world.community_worker_a)
    body = client.get(f"/governance/meetings/{meeting.pk}/roll/").content.decode()
    assert "张三" in body and "赵0" in body and "已投票" in body
    body = client.get(f"/governance/meetings/{meeting.pk}/roll/?q=赵1").content.decode()
    assert "赵1" in body and "赵0" not in body and "张三" not in body
    assert "查看名册" in client.get(f"/governance/meetings/{meeting.pk}/").content.decode()
    client.force_login(world.street_officer_a)  # the street watches meetings, it does not read rolls
    assert client.get(f"/governance/meetings/{meeting.pk}/roll/").status_code == 403
    client.force_login(world.resident_user)
    assert client.get(f"/governance/meetings/{meeting.pk}/roll/").status_code == 403

    client.force_login(world.community_worker_a)
    meeting.refresh_from_db()
    response = client.post(f"/governance/meetings/{meeting.pk}/cancel/", {"version": "x", "reason": "改期"})
    assert response.status_code == 409
    response = client.post(f"/governance/meetings/{meeting.pk}/cancel/", {"version": meeting.version, "reason": ""})
    assert response.status_code == 422 and "请填写取消原因" in response.content.decode()
    response = client.post(f"/governance/meetings/{meeting.pk}/cancel/",
                           {"version": meeting.version, "reason": "方案需重新征求意见"})
    assert response.status_code == 302
    assert ResidentMeeting.objects.get(pk=meeting.pk).state == MeetingState.CANCELLED
    assert Notification.objects.filter(user=world.resident_user, text__contains="方案需重新征求意见").exists()
    assert "已取消:方案需重新征求意见" in client.get(f"/governance/meetings/{meeting.pk}/").content.decode()

    session = _session(world)
    response = client.post(f"/governance/sessions/{session.pk}/cancel/", {"version": session.version, "reason": "改期"})
    assert response.status_code == 302 and Session.objects.get(pk=session.pk).state == SessionState.CANCELLED
