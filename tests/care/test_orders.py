"""Assessments (GB/T 42195-2022 domains as data; a missing domain refused), care plans, service orders
with check-in and check-out (check-out before check-in refused), confirmation and one rating, monthly
statements per elder and per station (an order never twice), and who sees what: the station's staff
only their orders, the elder's household its own."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.care import orders
from gongzhi.care.models import Assessment, ServiceOrder, Statement, StatementLine, Station, StationStaff
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessLog
from tests.factories import user

SCORES = {"self_care": "20", "mobility": "10", "mental": "20", "perception": "8"}


@pytest.fixture
def station(world):
    s = Station.objects.create(place=world.comm_a, level="community", name="东虹社区居家养老服务站",
                               services=["meal", "bath", "cleaning"], hours="8:00-17:00", capacity=40)
    StationStaff.objects.create(user=user("prov_a", "provider", world.comm_a), station=s)
    return s


def _order(homes, world, station, kind="meal"):
    return orders.order_place(resident=homes.alone, kind=kind, scheduled_for=timezone.now(), by=world.community_worker_a,
                              station=station)


def test_assessment_needs_every_domain_and_gives_the_level(homes, world):
    cw = world.community_worker_a
    with pytest.raises(RuleError, match="缺少以下一级指标的得分:精神状态、感知觉与社会参与"):
        orders.assessment_record(resident=homes.alone, scores={"self_care": "20", "mobility": "10"},
                                 assessed_on=dt.date.today(), by=cw)
    with pytest.raises(RuleError, match="“自理能力”的得分应为 0 至 32"):
        orders.assessment_record(resident=homes.alone, scores=SCORES | {"self_care": "33"},
                                 assessed_on=dt.date.today(), by=cw)
    assert not Assessment.objects.exists()
    a = orders.assessment_record(resident=homes.alone, scores=SCORES, assessed_on=dt.date.today(), by=cw)
    assert a.total == 58 and a.level_name.startswith("能力中度受损")
    full = orders.assessment_record(resident=homes.alone, scores={"self_care": 32, "mobility": 16, "mental": 30,
                                                                  "perception": 12}, assessed_on=dt.date.today(), by=cw)
    assert full.level_name == "能力完好"
    with pytest.raises(PermissionDenied):
        orders.assessment_record(resident=world.res_b1, scores=SCORES, assessed_on=dt.date.today(), by=cw)


def test_order_from_plan_check_in_out_confirm_rate_and_statements(homes, world, station):
    cw, provider = world.community_worker_a, StationStaff.objects.get(station=station).user
    orders.plan_set(resident=homes.alone, services=[{"kind": "meal", "per_month": 30}], scheme="subsidised",
                    station=station, starts_on=dt.date.today(), by=cw)
    o = _order(homes, world, station)
    assert o.scheme == "subsidised" and o.price == Decimal("12.00") and o.paid_by_government == Decimal("7.20")
    bath = _order(homes, world, station, kind="bath")
    assert bath.scheme == "own" and bath.paid_by_government == 0   # not in the plan: own expense
    with pytest.raises(RuleError, match="还没有签到,不能签退"):
        orders.order_check_out(order=o, by=provider)
    assert ServiceOrder.objects.get(pk=o.pk).state == "ordered"
    with pytest.raises(PermissionDenied):
        orders.order_check_in(order=o, by=cw)                      # not the station's staff
    with pytest.raises(RuleError, match="服务签退后才能确认"):
        orders.order_confirm(order=o, by=cw)
    orders.order_check_in(order=o, by=provider, lat="31.36", lon="119.82")
    with pytest.raises(RuleError, match="签到、签退的位置不正确"):
        orders.order_check_out(order=o, by=provider, lat="91", lon="0")
    orders.order_check_out(order=o, by=provider, note="送餐上门")
    elder = user("elder_a", "resident", world.comm_a, resident=homes.alone)
    orders.order_confirm(order=o, by=elder)
    orders.order_rate(order=o, by=elder, rating=5, comment="很好")
    with pytest.raises(RuleError, match="已经评价过"):
        orders.order_rate(order=o, by=cw, rating=1)
    month = timezone.localdate().replace(day=1)
    made = orders.statements_make(community=world.comm_a, month=month, by=cw)
    assert sorted(s.kind for s in made) == ["elder", "provider"] and all(s.orders == 1 for s in made)
    assert made[0].amount == Decimal("12.00") and made[0].government == Decimal("7.20")
    with pytest.raises(RuleError, match="没有尚未结算"):
        orders.statements_make(community=world.comm_a, month=month, by=cw)
    with pytest.raises(RuleError, match="同一工单不能结算两次"):
        orders.statements_make(community=world.comm_a, month=month, by=cw, orders=[o])
    assert Statement.objects.count() == 2 and StatementLine.objects.count() == 2


def test_pages_by_role(homes, world, station, client):
    o = _order(homes, world, station)
    provider = StationStaff.objects.get(station=station).user
    client.force_login(world.community_worker_a)
    r = client.post(f"/care/people/{homes.alone.pk}/assess/", {"assessed_on": dt.date.today().isoformat(),
                                                               "self_care": "20"})
    assert r.status_code == 422 and "缺少以下一级指标的得分" in r.content.decode()
    r = client.post(f"/care/people/{homes.alone.pk}/assess/", {"assessed_on": dt.date.today().isoformat(), **SCORES})
    a = Assessment.objects.get()
    before = AccessLog.objects.count()
    assert "能力中度受损" in client.get(f"/care/assessments/{a.pk}/").content.decode()
    assert AccessLog.objects.count() == before + 1
    # the provider sees their station's orders only, checks in and out from the phone page
    other = user("prov_b", "provider", world.comm_a)
    client.force_login(other)
    assert "孤老甲" not in client.get("/care/station/").content.decode()
    assert client.post(f"/care/station/{o.pk}/check-in/").status_code == 404
    client.force_login(provider)
    assert "孤老甲" in client.get("/care/station/").content.decode()
    assert client.get(f"/care/people/{homes.alone.pk}/").status_code == 403   # no care records beyond orders
    client.post(f"/care/station/{o.pk}/check-out/")
    assert "还没有签到,不能签退" in client.get("/care/station/").content.decode()
    client.post(f"/care/station/{o.pk}/check-in/")
    client.post(f"/care/station/{o.pk}/check-out/", {"note": "送餐"})
    # the elder confirms and rates on their own page; another household sees nothing of it
    client.force_login(world.resident_user)
    assert "孤老甲" not in client.get("/care/my/").content.decode()
    # ordering from one's own page: for the caller's household only, whatever resident id is posted
    client.post("/care/my/order/", {"resident": homes.alone.pk, "kind": "meal", "station": station.pk,
                                    "scheduled_for": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert not ServiceOrder.objects.filter(resident=homes.alone, ordered_by=world.resident_user).exists()
    assert client.post(f"/care/my/{o.pk}/confirm/").status_code == 404
    client.force_login(user("elder_a", "resident", world.comm_a, resident=homes.alone))
    client.post(f"/care/my/{o.pk}/confirm/")
    client.post(f"/care/my/{o.pk}/rate/", {"rating": "4"})
    o.refresh_from_db()
    assert o.state == "confirmed" and o.rating == 4


# -- complaints become work orders ------------------------------------------------------------------
def test_a_complaint_about_a_service_becomes_a_work_order_for_the_street(homes, world, station, client):
    from gongzhi.workorders.models import WorkOrder
    o = _order(homes, world, station)
    elder = user("elder_a", "resident", world.comm_a, resident=homes.alone)
    # not yet due: nothing to complain about
    with pytest.raises(RuleError, match="预约时间已过 2 小时仍未上门"):
        orders.order_complain(order=o, by=elder, text="还没有来")
    # two hours and more late with no check-in: missed
    ServiceOrder.objects.filter(pk=o.pk).update(scheduled_for=timezone.now() - dt.timedelta(hours=3))
    o.refresh_from_db()
    for text, message in (("太差", "5 至 500 个字"), ("x" * 501, "5 至 500 个字"), ("没有\x1b上门送餐", "控制字符")):
        with pytest.raises(RuleError, match=message):
            orders.order_complain(order=o, by=elder, text=text)
    with pytest.raises(PermissionDenied):
        orders.order_complain(order=o, by=world.community_worker_b, text="预约的助餐没有送到")
    assert not WorkOrder.objects.exists()
    o = orders.order_complain(order=o, by=elder, text="预约的助餐没有送到,打电话也没人接")
    complaint = o.complaint
    assert complaint.category.code == "care_complaint" and complaint.reporter_user == elder
    assert complaint.community == world.comm_a and complaint.state == "reported"
    assert o.number in complaint.description and "未按预约上门" in complaint.description
    assert homes.alone.name not in complaint.description + complaint.title    # the service, not the person
    assert o.state == "ordered"                                                # the service order is left as it is
    with pytest.raises(RuleError, match=re.escape(f"投诉正在处理(工单 {complaint.number})")):
        orders.order_complain(order=o, by=world.community_worker_a, text="再次投诉,仍未送餐")
    assert WorkOrder.objects.count() == 1
    # the elder's page shows the complaint's number and state; the worker's page too
    client.force_login(elder)
    page = client.get("/care/my/").content.decode()
    assert complaint.number in page and "待受理" in page


def test_complaint_pages_and_a_retired_category(homes, world, station, client):
    from gongzhi.workorders.models import Category
    o = _order(homes, world, station)
    provider = StationStaff.objects.get(station=station).user
    orders.order_check_in(order=o, by=provider)
    client.force_login(world.community_worker_a)
    page = client.get(f"/care/people/{homes.alone.pk}/orders/").content.decode()
    assert "提交投诉" in page                                                  # checked in: may be complained about
    Category.objects.filter(code="care_complaint").update(active=False)
    r = client.post(f"/care/orders/{o.pk}/complain/", {"text": "服务人员态度不好"}, follow=True)
    assert "没有启用“居家养老服务投诉”工单类别" in r.content.decode()
    Category.objects.filter(code="care_complaint").update(active=True)
    r = client.post(f"/care/orders/{o.pk}/complain/", {"text": "服务人员态度不好"}, follow=True)
    o.refresh_from_db()
    assert o.complaint is not None and "投诉已转为工单" in r.content.decode()
    # a worker of another community cannot reach the order at all
    client.force_login(world.community_worker_b)
    assert client.post(f"/care/orders/{o.pk}/complain/", {"text": "服务人员态度不好"}).status_code == 404
    # the provider sees that their service was complained about, not who complained
    client.force_login(provider)
    page = client.get("/care/station/").content.decode()
    assert o.complaint.number in page
