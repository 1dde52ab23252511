"""Work-order pages as each role uses them: report with a photo, act on the
detail page, conflicts shown with the typed text kept, residents' own list."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.core.models import AccessLog
from gongzhi.workorders import services
from gongzhi.workorders.models import Category, Channel, Notification, State, WorkOrder

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _report(world, **kw):
    kw.setdefault("grid", world.grid_a1)
    return services.order_report(category=Category.objects.get(code=kw.pop("code", "sanitation")),
                                 description=kw.pop("description", "楼道堆放杂物"), channel=Channel.GRID,
                                 by=kw.pop("by", world.grid_worker_a1), **kw)


def test_grid_worker_reports_with_photo_and_location(client, world):
    client.force_login(world.grid_worker_a1)
    page = client.get("/orders/new/")
    assert page.status_code == 200 and "获取当前位置" in page.content.decode()
    response = client.post("/orders/new/", {
        "category": "safety", "description": "消防通道被电动车堵塞", "grid": world.grid_a1.code,
        "address": "东虹小区3幢", "lat": "31.36", "lon": "119.82",
        "photos": SimpleUploadedFile("a.png", PNG, content_type="image/png")})
    assert response.status_code == 302
    order = WorkOrder.objects.get(description="消防通道被电动车堵塞")
    assert order.channel == Channel.GRID and order.grid == world.grid_a1 and order.lat == 31.36
    detail = client.get(response["Location"]).content.decode()
    assert "消防通道被电动车堵塞" in detail and f"/orders/{order.pk}/files/" in detail
    photo = client.get(f"/orders/{order.pk}/files/{order.attachments.get().pk}/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"


def test_report_refuses_foreign_grid_and_household(client, world):
    client.force_login(world.community_worker_a)
    for extra in ({"grid": world.grid_b1.code}, {"household_number": world.hh_b1.number}):
        response = client.post("/orders/new/", {"category": "sanitation", "description": "越权", **extra})
        assert response.status_code in (200, 400)
        assert not WorkOrder.objects.filter(description="越权").exists()
    assert "不在您的管辖范围内" in client.post("/orders/new/", {
        "category": "sanitation", "description": "越权", "household_number": world.hh_b1.number}).content.decode()


def test_missing_fields_are_named_in_chinese(client, world):
    client.force_login(world.grid_worker_a1)
    response = client.post("/orders/new/", {"category": "", "description": ""})
    text = response.content.decode()
    assert response.status_code == 200 and "这个字段是必填项" in text
    response = client.post("/orders/new/", {"category": "sanitation", "description": "x",
                                            "photos": SimpleUploadedFile("v.exe", b"MZ" * 10)})
    assert response.status_code == 400 and "v.exe" in response.content.decode()


def test_community_worker_takes_the_order_through_the_page(client, world):
    order = _report(world)
    client.force_login(world.community_worker_a)
    detail = client.get(f"/orders/{order.pk}/").content.decode()
    assert "受理" in detail and "不予受理" in detail
    assert client.post(f"/orders/{order.pk}/act/accept/", {"version": order.version, "note": "收到"}).status_code == 302
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and order.owner == world.community_worker_a
    response = client.post(f"/orders/{order.pk}/act/dispatch/", {"version": order.version,
                                                                 "target": world.grid_a1.code})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.handling_place == world.grid_a1


def test_conflict_keeps_the_typed_text_and_says_why(client, world):
    order = _report(world)
    stale = order.version
    services.order_accept(order=order, by=world.street_officer_a, version=stale)
    client.force_login(world.community_worker_a)
    response = client.post(f"/orders/{order.pk}/act/decline/", {"version": stale, "reason": "不属于本社区职责范围"})
    text = response.content.decode()
    assert response.status_code == 409 and "该记录已被他人修改" in text
    order.refresh_from_db()
    assert order.state == State.ACCEPTED and order.owner == world.street_officer_a


def test_illegal_step_is_refused_on_the_page(client, world):
    order = _report(world)
    client.force_login(world.community_worker_a)
    response = client.post(f"/orders/{order.pk}/act/close/", {"version": order.version})
    assert response.status_code == 400 and "不能执行「结案」" in response.content.decode()
    client.force_login(world.grid_worker_a1)
    assert client.post(f"/orders/{order.pk}/act/accept/", {"version": order.version}).status_code == 403


def test_resident_reports_and_sees_only_own_orders(client, world):
    other = _report(world, description="别人的问题")
    client.force_login(world.resident_user)
    response = client.post("/orders/new/", {"category": "property", "description": "电梯经常停运"})
    assert response.status_code == 302
    mine = WorkOrder.objects.get(description="电梯经常停运")
    assert mine.channel == Channel.WEB and mine.reporter_user == world.resident_user
    assert mine.household == world.hh_a1 and mine.community == world.comm_a
    listing = client.get("/orders/?state=").content.decode()
    assert "电梯经常停运" in listing and "别人的问题" not in listing
    assert client.get(f"/orders/{other.pk}/").status_code == 404


def test_department_sees_only_what_was_dispatched_to_it(client, world):
    world.department.assignments.update(department="城管局")
    order = _report(world, code="city_order", description="占道经营")
    client.force_login(world.department)
    assert client.get(f"/orders/{order.pk}/").status_code == 404
    order = services.order_accept(order=order, by=world.community_worker_a, version=order.version)
    services.order_dispatch(order=order, by=world.community_worker_a, version=order.version,
                            place=world.street_a, department="城管局")
    assert client.get(f"/orders/{order.pk}/").status_code == 200
    assert "占道经营" in client.get("/orders/?state=").content.decode()


def test_reveal_phone_is_logged(client, world):
    order = services.order_report(category=Category.objects.get(code="svc_certificate"), description="开证明",
                                  channel=Channel.WINDOW, by=world.community_worker_a, grid=world.grid_a1,
                                  reporter_name="张三", reporter_phone="13812345678")
    client.force_login(world.grid_worker_a1)
    assert client.post(f"/orders/{order.pk}/reveal/").status_code == 403
    client.force_login(world.community_worker_a)
    detail = client.get(f"/orders/{order.pk}/").content.decode()
    assert "138****5678" in detail and "13812345678" not in detail
    response = client.post(f"/orders/{order.pk}/reveal/")
    assert "13812345678" in response.content.decode()
    assert AccessLog.objects.filter(user=world.community_worker_a, target__contains=order.number).exists()


def test_inbox(client, world):
    order = _report(world)
    client.force_login(world.community_worker_a)
    home = client.get("/orders/inbox/").content.decode()
    assert "待受理" in home and order.number in home
    assert Notification.objects.filter(user=world.community_worker_a, read_at=None).count() == 1
    client.get(f"/orders/{order.pk}/")  # opening the order reads its notices
    assert Notification.objects.filter(user=world.community_worker_a, read_at=None).count() == 0
    _report(world, description="第二件")
    client.post("/orders/inbox/read/")
    assert Notification.objects.filter(user=world.community_worker_a, read_at=None).count() == 0


@pytest.mark.parametrize("who", ["grid_worker_a1", "community_worker_a", "street_officer_a", "admin"])
def test_list_page_query_count_does_not_grow_with_orders(client, world, who, django_assert_max_num_queries):
    for i in range(25):
        _report(world, description=f"问题{i}")
    client.force_login(getattr(world, who))
    with django_assert_max_num_queries(14):
        response = client.get("/orders/?state=")
    assert response.status_code == 200
