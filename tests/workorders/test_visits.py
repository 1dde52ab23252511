"""民情日记: grid workers record visits; a concern becomes a work order in one step."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.workorders import services
from gongzhi.workorders.models import Category, Channel, State, VisitLog, WorkOrder


def test_visit_with_concern_becomes_an_order_in_one_step(client, world):
    client.force_login(world.grid_worker_a1)
    page = client.get("/orders/visits/")
    assert page.status_code == 200 and "记录走访" in page.content.decode()
    response = client.post("/orders/visits/", {
        "grid": world.grid_a1.code, "household_number": world.hh_a1.number,
        "visited_on": timezone.localdate().isoformat(), "notes": "入户了解家庭情况",
        "concerns": "楼下垃圾站异味大", "order_category": "sanitation"})
    assert response.status_code == 302
    visit = VisitLog.objects.get()
    order = visit.work_order
    assert order.channel == Channel.VISIT and order.description == "楼下垃圾站异味大"
    assert order.household == world.hh_a1 and order.reporter_name == "张三" and order.state == State.REPORTED
    assert "楼下垃圾站异味大" in client.get("/orders/visits/").content.decode()


def test_concern_turned_into_order_later_once(client, world):
    visit = services.visit_record(by=world.grid_worker_a1, grid=world.grid_a1, visited_on=timezone.localdate(),
                                  notes="走访", concerns="路灯不亮")
    client.force_login(world.grid_worker_a1)
    response = client.post(f"/orders/visits/{visit.pk}/order/", {"category": "property"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.work_order.category.code == "property"
    client.post(f"/orders/visits/{visit.pk}/order/", {"category": "property"})
    assert WorkOrder.objects.filter(channel=Channel.VISIT).count() == 1


def test_visit_rules(world):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):  # not their grid
        services.visit_record(by=world.grid_worker_a1, grid=world.grid_a2, visited_on=today, notes="x")
    with pytest.raises(PermissionDenied):  # street officers read the diary but do not keep it
        services.visit_record(by=world.street_officer_a, grid=world.grid_a1, visited_on=today, notes="x")
    with pytest.raises(services.WorkflowError, match="走访户不在该网格内"):
        services.visit_record(by=world.grid_worker_a1, grid=world.grid_a1, visited_on=today, notes="x",
                              household=world.hh_a2)
    with pytest.raises(services.WorkflowError, match="晚于今天"):
        services.visit_record(by=world.grid_worker_a1, grid=world.grid_a1, visited_on=today + dt.timedelta(days=1),
                              notes="x")
    visit = services.visit_record(by=world.community_worker_a, grid=world.grid_a2, visited_on=today, notes="x")
    with pytest.raises(services.WorkflowError, match="没有记录群众诉求"):
        services.visit_to_order(visit=visit, by=world.community_worker_a, category=Category.objects.get(code="property"))
    assert not VisitLog.objects.filter(grid=world.grid_a1).exists()


def test_grid_worker_sees_own_grid_only(client, world):
    services.visit_record(by=world.community_worker_a, grid=world.grid_a2, visited_on=timezone.localdate(),
                          notes="二网格的走访")
    client.force_login(world.grid_worker_a1)
    assert "二网格的走访" not in client.get("/orders/visits/").content.decode()
    client.force_login(world.street_officer_a)
    text = client.get("/orders/visits/").content.decode()
    assert "二网格的走访" in text and "记录走访" not in text
