"""The work-order chain: report → accept → dispatch → handle → reply → verify →
close → rate, with deadlines from the catalogue, owners, rework, refusal of
illegal steps and of other people's steps, and conflicts between two users."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.workorders import services
from gongzhi.workorders.models import Action, Category, Channel, Notification, State, WorkOrder, WorkOrderEvent
from gongzhi.workorders.services import ConflictError, WorkflowError

# A Wednesday, so that working-day limits are easy to follow.
WED = timezone.make_aware(dt.datetime(2026, 11, 18, 10, 0))


def report(world, code="sanitation", by=None, **kw):
    kw.setdefault("grid", world.grid_a1)
    return services.order_report(category=Category.objects.get(code=code), description="楼道堆满杂物",
                                 channel=Channel.GRID, by=by or world.grid_worker_a1, now=kw.pop("now", WED), **kw)


def test_full_chain_records_every_step(world):
    order = report(world)
    assert order.state == State.REPORTED and order.community == world.comm_a and order.street == world.street_a
    assert order.reporter_user == world.grid_worker_a1
    # acceptance limit 1 working day: end of Thursday
    assert timezone.localtime(order.step_due_at).date() == dt.date(2026, 11, 19)

    cw = world.community_worker_a
    order = services.order_accept(order=order, by=cw, version=order.version, now=WED)
    assert order.owner == cw  # 首问负责
    # handle limit 3 working days from Wednesday: Monday 23 Nov
    assert timezone.localtime(order.due_at).date() == dt.date(2026, 11, 23)
    order = services.order_dispatch(order=order, by=cw, version=order.version, place=world.grid_a1, now=WED)
    order = services.order_handle(order=order, by=world.grid_worker_a1, version=order.version, note="已联系物业", now=WED)
    order = services.order_reply(order=order, by=world.grid_worker_a1, version=order.version, reply="已清理", now=WED)
    order = services.order_verify(order=order, by=cw, version=order.version, passed=True, now=WED)
    order = services.order_close(order=order, by=cw, version=order.version, now=WED)
    order = services.order_rate(order=order, by=world.grid_worker_a1, version=order.version, rating=5, now=WED)
    assert order.state == State.CLOSED and order.rating == 5 and order.closed_at == WED
    actions = list(order.events.values_list("action", flat=True))
    assert actions == [Action.REPORT, Action.ACCEPT, Action.DISPATCH, Action.HANDLE, Action.REPLY,
                       Action.VERIFY_PASS, Action.CLOSE, Action.RATE]
    assert order.responded_on_time is True


def test_failed_verification_is_rework(world):
    cw = world.community_worker_a
    order = report(world)
    order = services.order_accept(order=order, by=cw, version=order.version)
    order = services.order_dispatch(order=order, by=cw, version=order.version, place=world.comm_a)
    order = services.order_reply(order=order, by=cw, version=order.version, reply="已处理")
    with pytest.raises(WorkflowError, match="核查不通过时请写明原因"):
        services.order_verify(order=order, by=world.grid_worker_a1, version=order.version, passed=False)
    order = services.order_verify(order=order, by=world.grid_worker_a1, version=order.version, passed=False,
                                  note="杂物仍在")
    assert order.state == State.DISPATCHED and order.rework_count == 1
    assert Notification.objects.filter(user=cw, kind="verify").exists()


def test_illegal_transition_is_refused_with_a_clear_message(world):
    order = report(world)
    with pytest.raises(WorkflowError) as err:
        services.order_close(order=order, by=world.community_worker_a, version=order.version)
    assert str(err.value) == "工单当前状态为「待受理」,不能执行「结案」"
    assert WorkOrder.objects.get(pk=order.pk).state == State.REPORTED


def test_other_community_cannot_act(world):
    order = report(world)
    with pytest.raises(PermissionDenied):
        services.order_accept(order=order, by=world.community_worker_b, version=order.version)
    with pytest.raises(PermissionDenied):  # grid workers report, the community accepts
        services.order_accept(order=order, by=world.grid_worker_a1, version=order.version)
    assert WorkOrder.objects.get(pk=order.pk).version == order.version


def test_stale_version_is_a_conflict_and_loses_nothing(world):
    order = report(world)
    stale = order.version
    services.order_accept(order=order, by=world.community_worker_a, version=stale, note="第一位")
    with pytest.raises(ConflictError, match="该记录已被他人修改"):
        services.order_decline(order=order, by=world.street_officer_a, version=stale, reason="重复")
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert fresh.state == State.ACCEPTED and fresh.owner == world.community_worker_a
    assert fresh.events.filter(action=Action.DECLINE).count() == 0


def test_decline_needs_a_reason_and_tells_the_reporter(world):
    order = report(world, by=world.resident_user, grid=None, household=world.hh_a1)
    with pytest.raises(WorkflowError, match="理由"):
        services.order_decline(order=order, by=world.community_worker_a, version=order.version, reason=" ")
    services.order_decline(order=order, by=world.community_worker_a, version=order.version, reason="不属于社区职责")
    assert Notification.objects.filter(user=world.resident_user, kind="decline").exists()


def test_window_service_is_accepted_on_the_spot_with_agency(world):
    order = services.order_report(category=Category.objects.get(code="svc_dibao"), description="申请低保",
                                  channel=Channel.WINDOW, by=world.community_worker_a, household=world.hh_a1,
                                  reporter_name="张三", reporter_phone="13812345678", on_behalf=True, now=WED)
    assert order.state == State.ACCEPTED and order.owner == world.community_worker_a
    assert order.agent == world.community_worker_a and order.reporter_user is None
    assert order.reporter_phone_masked == "138****5678" and "13812345678" not in order.reporter_phone_enc
    # 10 working days from Wed 18 Nov 2026: Wed 2 Dec
    assert timezone.localtime(order.due_at).date() == dt.date(2026, 12, 2)


def test_department_handles_what_is_dispatched_to_it(world):
    order = report(world, code="city_order")
    cw = world.community_worker_a
    world.department.assignments.update(department="城管局")  # the street's 城管局 officer
    order = services.order_accept(order=order, by=cw, version=order.version)
    order = services.order_dispatch(order=order, by=cw, version=order.version, place=world.street_a,
                                    department="城管局")
    world.department.assignments.update(department="民政办")
    with pytest.raises(PermissionDenied):  # another department at the same street
        services.order_reply(order=order, by=world.department, version=order.version, reply="x")
    world.department.assignments.update(department="城管局")
    order = services.order_reply(order=order, by=world.department, version=order.version, reply="已取缔占道摊点")
    assert order.state == State.REPLIED


def test_dispatch_outside_the_orders_area_is_refused(world):
    order = report(world)
    order = services.order_accept(order=order, by=world.admin, version=order.version)
    with pytest.raises(WorkflowError, match="承办单位"):
        services.order_dispatch(order=order, by=world.admin, version=order.version, place=world.comm_b)


def test_rating_once_and_in_range(world):
    cw = world.community_worker_a
    order = report(world)
    for step in (lambda o: services.order_accept(order=o, by=cw, version=o.version),
                 lambda o: services.order_dispatch(order=o, by=cw, version=o.version, place=world.comm_a),
                 lambda o: services.order_reply(order=o, by=cw, version=o.version, reply="好"),
                 lambda o: services.order_verify(order=o, by=world.grid_worker_a1, version=o.version, passed=True),
                 lambda o: services.order_close(order=o, by=cw, version=o.version)):
        order = step(order)
    with pytest.raises(WorkflowError, match="1–5"):
        services.order_rate(order=order, by=world.grid_worker_a1, version=order.version, rating=9)
    order = services.order_rate(order=order, by=world.grid_worker_a1, version=order.version, rating=2, comment="慢")
    with pytest.raises(WorkflowError, match="已评价"):
        services.order_rate(order=order, by=world.grid_worker_a1, version=order.version, rating=5)
    assert Notification.objects.filter(user=cw, kind="rate").exists()  # a poor rating reaches the community


def test_events_are_append_only(world):
    order = report(world)
    event = order.events.get()
    event.note = "改"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert WorkOrderEvent.objects.get(pk=event.pk).note == "楼道堆满杂物"


def test_nearby_report_is_flagged_and_can_be_merged(world):
    first = report(world, lat=31.36, lon=119.82)
    second = report(world, lat=31.3605, lon=119.8203, now=WED + dt.timedelta(hours=5))
    assert second.possible_duplicate_of == first
    far = report(world, lat=31.40, lon=119.82, now=WED + dt.timedelta(hours=6))
    assert far.possible_duplicate_of is None
    late = report(world, lat=31.36, lon=119.82, now=WED + dt.timedelta(days=5))
    assert late.possible_duplicate_of is None
    merged = services.order_merge(order=second, into=first, by=world.community_worker_a, version=second.version)
    assert merged.state == State.MERGED and merged.duplicate_of == first
    assert first.events.filter(action=Action.MERGED_IN).exists()
    with pytest.raises(WorkflowError, match="合并"):
        services.order_merge(order=far, into=far, by=world.community_worker_a, version=far.version)


def test_bad_attachments_are_refused_before_anything_is_written(world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10, content_type="image/jpeg")
    before = WorkOrder.objects.count()
    with pytest.raises(WorkflowError, match="x.exe"):
        report(world, files=[bad])
    assert WorkOrder.objects.count() == before
    good = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png")
    order = report(world, files=[good])
    assert order.attachments.get().content_type == "image/png"


def test_report_without_any_location_is_refused(world):
    with pytest.raises(WorkflowError, match="地址"):
        services.order_report(category=Category.objects.get(code="sanitation"), description="x",
                               channel=Channel.WEB, by=None)


def test_dispute_mediation(world):
    order = report(world, code="dispute", parties=[{"name": "赵一", "role": "申请人"}, {"name": "钱二"}])
    cw = world.community_worker_a
    order = services.order_accept(order=order, by=cw, version=order.version)
    order = services.dispute_mediate(order=order, by=cw, version=order.version, mediator="孙调解",
                                     mediation="双方协商,赵一赔偿修缮费", outcome="success", agreement=True)
    assert order.dispute.outcome == "success" and order.dispute.parties[0]["name"] == "赵一"
    with pytest.raises(WorkflowError, match="当事人"):
        report(world, code="dispute", parties=[{"name": ""}])
