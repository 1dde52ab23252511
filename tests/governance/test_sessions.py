"""Deliberation sessions (协商): participants picked from the registry, notices, the online comment
period, the day's record and a hearing's department answer, the ledger row, and who sees names."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.governance import meetings as svc
from gongzhi.governance import services as topics
from gongzhi.governance.models import Participant, PostKind, ResidentPost, Session, SessionComment, SessionState
from gongzhi.ledgers.models import Meeting, Worker
from gongzhi.people.models import Organisation
from gongzhi.workorders.models import Notification
from tests.factories import dwelling, household, resident, user

NOW = timezone.now()


def _session(w, **kw):
    kw.setdefault("form", "deliberation")
    kw.setdefault("title", "南门停车位划线")
    kw.setdefault("starts_at", NOW + dt.timedelta(days=3))
    return svc.session_create(community=w.comm_a, by=w.community_worker_a, **kw)


def test_a_session_without_participants_is_refused(world):
    with pytest.raises(RuleError, match="至少要有一位参加人"):
        _session(world)
    with pytest.raises(RuleError, match="至少要有一位参加人"):
        _session(world, committee=True)  # the community has no committee members on its books
    assert not Session.objects.exists() and not Participant.objects.exists()


def test_participants_from_the_registry_and_notices(world):
    Worker.objects.create(community=world.comm_a, name="赵主任", committee_post="director")
    Worker.objects.create(community=world.comm_a, name="已离任", committee_post="member", left_on=dt.date(2025, 1, 1))
    ResidentPost.objects.create(community=world.comm_a, kind=PostKind.REPRESENTATIVE, resident=world.res_a2,
                                since=dt.date(2024, 1, 1))
    unit = Organisation.objects.create(community=world.comm_a, kind="resident_unit", name="宜兴供电所")
    other_unit = Organisation.objects.create(community=world.comm_b, kind="resident_unit", name="别处单位")
    hh = household(world.grid_a1)
    head = resident(hh, "受影响户主")
    resident(hh, "户内成员", relation="20")
    building = world.hh_a1.dwelling.building
    hh.dwelling = dwelling(world.grid_a1, room="902", building_no=building.number)
    hh.save()
    session = _session(world, committee=True, representatives=True, building_ids=[building.pk],
                       unit_ids=[unit.pk, other_unit.pk], deputies="周代表\n人大代表吴某\n周代表")
    kinds = sorted(Participant.objects.filter(session=session).values_list("kind", "name", "resident__name"))
    assert ("committee", "赵主任", None) in kinds and ("unit", "宜兴供电所", None) in kinds
    assert ("representative", "", "李四") in kinds and ("stakeholder", "", "张三") in kinds
    assert ("stakeholder", "", "受影响户主") in kinds and ("deputy", "周代表", None) in kinds
    assert not any(k[1] in ("已离任", "别处单位") or k[2] == "户内成员" for k in kinds)
    assert len(kinds) == 7
    assert Notification.objects.filter(user=world.resident_user, kind="session").exists()  # 张三, stakeholder
    assert Notification.objects.filter(user=world.community_worker_a, kind="session").exists()
    assert head


def test_grid_pick_and_bad_input(world):
    session = _session(world, grid_ids=[world.grid_a2.pk])
    assert list(session.participants.values_list("resident__name", flat=True)) == ["李四"]
    with pytest.raises(RuleError, match="控制字符"):
        _session(world, title="停车\x1b位", grid_ids=[world.grid_a2.pk])
    with pytest.raises(RuleError, match="不能超过"):
        _session(world, agenda="长" * 100_000, grid_ids=[world.grid_a2.pk])
    with pytest.raises(RuleError, match="党代表"):
        _session(world, deputies="名" * 30)
    with pytest.raises(RuleError, match="请选择协商形式"):
        _session(world, form="party", grid_ids=[world.grid_a2.pk])
    assert Session.objects.count() == 1


def test_only_a_topic_answered_for_deliberation_can_be_linked(world):
    topic = topics.topic_raise(place=world.comm_a, category="facilities", title="加装电梯", text="老楼没电梯",
                               raised_as="resident", by=world.resident_user)
    with pytest.raises(RuleError, match="转入协商"):
        _session(world, topic=topic, grid_ids=[world.grid_a1.pk])
    topics.answer(topic_id=topic.pk, version=topic.version, kind="deliberation", text="组织协商",
                  by=world.community_worker_a)
    topic.refresh_from_db()
    assert _session(world, topic=topic, grid_ids=[world.grid_a1.pk]).topic == topic


def test_comments_before_and_after_and_refusals(world):
    session = _session(world, grid_ids=[world.grid_a1.pk], starts_at=NOW + dt.timedelta(hours=1),
                       comments_until=NOW + dt.timedelta(days=2))
    c = svc.comment_add(session=session, by=world.resident_user, text="建议留出消防通道")
    assert not c.after
    after = svc.comment_add(session=session, by=world.resident_user, text="会后补充", now=NOW + dt.timedelta(days=1))
    assert after.after
    for text, message in (("", "请填写意见"), ("坏\x00字", "控制字符"), ("长" * 501, "不能超过")):
        with pytest.raises(RuleError, match=message):
            svc.comment_add(session=session, by=world.resident_user, text=text)
    with pytest.raises(RuleError, match="已截止"):
        svc.comment_add(session=session, by=world.resident_user, text="太晚了", now=NOW + dt.timedelta(days=3))
    outsider = user("wang", "resident", world.comm_b, resident=world.res_b1)
    with pytest.raises(RuleError, match="本社区登记在册的居民"):
        svc.comment_add(session=session, by=outsider, text="我也说两句")
    with pytest.raises(RuleError, match="本社区登记在册的居民"):
        svc.comment_add(session=session, by=world.community_worker_a, text="工作人员")
    assert SessionComment.objects.count() == 2


def test_recording_the_day_writes_the_ledger_once(world):
    session = _session(world, grid_ids=[world.grid_a1.pk, world.grid_a2.pk])
    zhang = session.participants.get(resident=world.res_a1)
    with pytest.raises(RuleError, match="协商成果"):
        svc.session_record(session_id=session.pk, version=session.version, by=world.community_worker_a,
                           held_on=timezone.localdate(), outcome="")
    with pytest.raises(RuleError, match="不能晚于今天"):
        svc.session_record(session_id=session.pk, version=session.version, by=world.community_worker_a,
                           held_on=timezone.localdate() + dt.timedelta(days=1), outcome="同意")
    done = svc.session_record(session_id=session.pk, version=session.version, by=world.community_worker_a,
                              held_on=timezone.localdate(), outcome="南门划 12 个车位,消防通道不占",
                              attended_ids=[str(zhang.pk)], walk_ins=5, options="方案一、方案二",
                              views_for="方便停车", views_against="占绿地")
    assert done.state == SessionState.HELD and done.attendance == 6
    assert list(session.participants.order_by("pk").values_list("attended", flat=True)) == [True, False]
    row = Meeting.objects.get(source="governance.session", source_pk=session.pk)
    assert row.kind == "deliberation" and row.attendees == 6 and "南门划 12 个车位" in row.minutes
    with pytest.raises(ConflictError):
        svc.session_record(session_id=session.pk, version=done.version, by=world.community_worker_a,
                           held_on=timezone.localdate(), outcome="再记一次")
    assert Meeting.objects.filter(source="governance.session").count() == 1
    assert Notification.objects.filter(user=world.resident_user, text__contains="已形成协商成果").exists()


def test_a_hearing_feeds_back_to_the_department_and_records_its_answer(world):
    from tests.governance.matters import government_matter
    matter = government_matter(world, world.comm_a, "公交站迁移", handed=timezone.localdate() - dt.timedelta(days=10))
    session = _session(world, form="hearing", title="公交站迁移听证", grid_ids=[world.grid_a1.pk],
                       matter_ids=[matter.pk], department=f"{world.district.pk}:市交通运输局")
    with pytest.raises(RuleError, match="反馈部门"):
        svc.session_record(session_id=session.pk, version=session.version, by=world.community_worker_a,
                           held_on=timezone.localdate(), outcome="多数居民反对迁移")
    done = svc.session_record(session_id=session.pk, version=session.version, by=world.community_worker_a,
                              held_on=timezone.localdate(), outcome="多数居民反对迁移",
                              fed_back="请保留原站点,增设候车亭")
    assert done.department == "市交通运输局"
    done = svc.session_answer(session_id=session.pk, version=done.version, by=world.community_worker_a,
                              department_answer="保留原站点,年内增设候车亭")
    row = Meeting.objects.get(source="governance.session", source_pk=session.pk)
    assert row.kind == "hearing" and "部门答复:保留原站点" in row.minutes
    with pytest.raises(ConflictError):
        svc.session_answer(session_id=session.pk, version=done.version, by=world.community_worker_a,
                           department_answer="再答一次")


def test_staff_see_names_residents_do_not(world, client):
    session = _session(world, grid_ids=[world.grid_a1.pk, world.grid_a2.pk])
    svc.comment_add(session=session, by=world.resident_user, text="建议错峰施工")
    client.force_login(world.community_worker_a)
    staff_page = client.get(f"/governance/sessions/{session.pk}/").content.decode()
    assert "李四" in staff_page and "张三" in staff_page
    client.force_login(world.resident_user)
    page = client.get(f"/governance/sessions/{session.pk}/").content.decode()
    assert "李四" not in page and "利益相关居民 2" in page and "建议错峰施工" in page
    assert "您是本次协商的参加人" in page
    client.force_login(world.grid_worker_a1)
    assert client.get(f"/governance/sessions/{session.pk}/").status_code == 200


def test_pages_call_record_and_comment(world, client):
    client.force_login(world.community_worker_a)
    assert client.get("/governance/sessions/new/").status_code == 200
    empty = client.post("/governance/sessions/new/", {"form": "talk", "title": "邻里恳谈",
                                                      "starts_at": (timezone.localdate() + dt.timedelta(days=5)).strftime("%Y-%m-%dT19:00")})
    assert empty.status_code == 422 and "至少要有一位参加人" in empty.content.decode()
    response = client.post("/governance/sessions/new/", {"form": "talk", "title": "邻里恳谈",
                                                         "starts_at": (timezone.localdate() + dt.timedelta(days=5)).strftime("%Y-%m-%dT19:00"),
                                                         "grids": [str(world.grid_a1.pk)]})
    session = Session.objects.get()
    assert response.status_code == 302 and session.participants.count() == 1
    assert client.get(f"/governance/sessions/{session.pk}/record/").status_code == 200
    response = client.post(f"/governance/sessions/{session.pk}/record/", {
        "version": session.version, "held_on": timezone.localdate().isoformat(), "outcome": "达成共识",
        "attended": [str(session.participants.get().pk)], "walk_ins": "2"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.attendance == 3 and session.ledger_row_id
    assert "governance:session" and "达成共识" in client.get(f"/governance/sessions/{session.pk}/").content.decode()
    assert "邻里恳谈" in client.get("/governance/sessions/").content.decode()
    client.force_login(world.resident_user)
    assert client.get(f"/governance/sessions/{session.pk}/record/").status_code == 403
    bad = client.post(f"/governance/sessions/{session.pk}/comment/", {"text": "坏\x07字"})
    assert bad.status_code == 422 and "控制字符" in bad.content.decode()
    assert client.post(f"/governance/sessions/{session.pk}/comment/", {"text": "赞成"}).status_code == 302
    assert "邻里恳谈" in client.get("/governance/mine/").content.decode()


def test_one_stakeholder_per_household_the_head_first(world):
    hh = household(world.grid_a2)
    resident(hh, "先登记的成员", relation="01")
    resident(hh, "户主乙", relation="02")
    session = _session(world, grid_ids=[world.grid_a2.pk])
    assert sorted(session.participants.values_list("resident__name", flat=True)) == ["户主乙", "李四"]
