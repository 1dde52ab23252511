"""Assessments (GB/T 42195-2022 domains as data; a missing domain refused), care plans, service orders
with check-in and check-out (check-out before check-in refused), confirmation and one rating, monthly
statements per elder and per station (an order never twice), and who sees what: the station's staff
only their orders, the elder's household its own."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.care import orders
from gongzhi.care.models import Assessment, ServiceOrder, Statement, StatementLine, Station
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessLog
from tests.factories import user

SCORES = {"self_care": "20", "mobility": "10", "mental": "20", "perception": "8"}


@pytest.fixture
def station(world):
    s = Station.objects.create(place=world.comm_a, level="community", name="东虹社区居家养老服务站",
                               services=["meal", "bath", "cleaning"], hours="8:00-17:00", capacity=40)
    s.staff.add(user("prov_a", "provider", world.comm_a))
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
    cw, provider = world.community_worker_a, station.staff.get()
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
    provider = station.staff.get()
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
