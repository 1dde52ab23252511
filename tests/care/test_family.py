"""Family accounts outside the household (家属): the community worker links a relative living elsewhere (name and
ID number matched, an account needed, the elder's consent recorded); the relative sees only their linked elders'
orders and visits (date and condition only), orders services for them, confirms and rates; unlinking keeps the
history and stops the access; every refusal changes nothing."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongzhi.care import family, orders, services
from gongzhi.care.models import FamilyLink, ServiceOrder, Station, StationStaff
from gongzhi.core import crypto
from gongzhi.core.errors import RuleError
from gongzhi.core.models import AccessLog
from gongzhi.people.models import Resident
from tests.care.conftest import person
from tests.factories import household, user

TODAY = dt.date.today()


def _id(p) -> str:
    return crypto.decrypt(Resident.objects.get(pk=p.pk).id_number_enc)


@pytest.fixture
def kin(homes, world):
    """孤老甲's daughter, registered in community B (she lives and works there), with an account; a nephew
    without an account; a station serving community A."""
    daughter = person(household(world.grid_b1), "女儿甲", 50)
    account = user("daughter", "resident", world.grid_b1, resident=daughter)
    nephew = person(household(world.grid_b1), "侄子甲", 40)
    station = Station.objects.create(place=world.comm_a, level="community", name="东虹社区居家养老服务站",
                                     services=["meal", "cleaning"], capacity=30)
    provider = user("prov_a", "provider", world.comm_a)
    StationStaff.objects.create(user=provider, station=station)
    return type("K", (), {"daughter": daughter, "account": account, "nephew": nephew, "station": station,
                          "provider": provider})


def _link(homes, world, kin, **kw):
    args = {"elder": homes.alone, "name": "女儿甲", "id_number": _id(kin.daughter), "relation": "child",
            "consent_on": TODAY, "consent_note": "老人本人当面同意,社工在场", "by": world.community_worker_a} | kw
    return family.family_link(**args)


def test_link_refusals_name_the_problem_and_change_nothing(homes, world, kin):
    for kw, message in (
            ({"relation": "boss"}, "请选择家属与老人的关系"),
            ({"name": " "}, "请填写家属姓名"),
            ({"id_number": "99999999999999999999"}, "公民身份号码"),
            ({"name": "女儿乙"}, "姓名与公民身份号码不符"),                   # the name does not match the number
            ({"name": "侄子甲", "id_number": _id(kin.nephew)}, "侄子甲还没有开通居民账号"),
            ({"name": "孤老甲", "id_number": _id(homes.alone)}, "不能是老人本人"),
            ({"elder": homes.old_man, "name": "老妻乙", "id_number": _id(homes.old_wife)}, "与老人同户"),
            ({"consent_note": ""}, "老人同意的方式"),
            ({"consent_note": "同意\x07"}, "老人同意的方式"),
            ({"consent_on": TODAY + dt.timedelta(days=1)}, "老人同意日期")):
        with pytest.raises(RuleError, match=message):
            _link(homes, world, kin, **kw)
    for by in (world.grid_worker_a1, world.community_worker_b):
        with pytest.raises(PermissionDenied):
            _link(homes, world, kin, by=by)
    assert not FamilyLink.objects.exists()
    _link(homes, world, kin)
    with pytest.raises(RuleError, match="不能重复关联"):
        _link(homes, world, kin)
    assert FamilyLink.objects.count() == 1


def test_the_relative_orders_confirms_and_rates_for_the_linked_elder_only(homes, world, kin):
    link = _link(homes, world, kin)
    assert link.account == kin.account and link.relative == kin.daughter
    when = timezone.now() + dt.timedelta(hours=3)
    order = orders.order_place(resident=homes.alone, kind="meal", scheduled_for=when, by=kin.account,
                               station=kin.station)
    assert order.ordered_by == kin.account and order.scheme == "own"
    with pytest.raises(PermissionDenied):  # not linked to 老夫乙
        orders.order_place(resident=homes.old_man, kind="meal", scheduled_for=when, by=kin.account,
                           station=kin.station)
    orders.order_check_in(order=order, by=kin.provider)
    orders.order_check_out(order=order, by=kin.provider)
    orders.order_confirm(order=order, by=kin.account)
    orders.order_rate(order=order, by=kin.account, rating="5", comment="很满意")
    with pytest.raises(RuleError, match="不能重复评价"):
        orders.order_rate(order=order, by=kin.account, rating="4")
    # unlinked: the history stays, the rights end
    family.family_unlink(link=link, reason="老人要求解除", by=world.community_worker_a)
    with pytest.raises(RuleError, match="已经解除"):
        family.family_unlink(link=link, reason="再次解除", by=world.community_worker_a)
    with pytest.raises(ValueError):
        FamilyLink.objects.get(pk=link.pk).delete()
    assert ServiceOrder.objects.get(pk=order.pk).rating == 5
    with pytest.raises(PermissionDenied):
        orders.order_place(resident=homes.alone, kind="meal", scheduled_for=when, by=kin.account,
                           station=kin.station)
    assert list(family.linked_elders(kin.account)) == []


def test_family_page(homes, world, kin, client):
    client.force_login(world.community_worker_a)
    page = client.get(f"/care/people/{homes.alone.pk}/").content.decode()
    assert "关联家属账号" in page
    r = client.post(f"/care/people/{homes.alone.pk}/family/", {
        "name": "女儿甲", "id_number": _id(kin.daughter), "relation": "child", "consent_on": TODAY.isoformat(),
        "consent_note": "老人本人当面同意"}, follow=True)
    assert "已关联子女女儿甲" in r.content.decode() and FamilyLink.objects.count() == 1
    assert AccessLog.objects.filter(action="lookup", user=world.community_worker_a).exists()
    services.care_visit_record(resident=homes.alone, by=world.grid_worker_a1, visited_on=TODAY, condition="fair",
                               notes="血压偏高,叮嘱按时服药", findings="")
    other = orders.order_place(resident=homes.old_man, kind="meal", by=world.community_worker_a,
                               scheduled_for=timezone.now() + dt.timedelta(hours=3), station=kin.station)

    client.force_login(kin.account)
    logs = AccessLog.objects.count()
    page = client.get("/care/family/").content.decode()
    assert "孤老甲" in page and "老夫乙" not in page
    assert "一般" in page and "血压" not in page  # the visit's date and condition only
    assert AccessLog.objects.count() == logs + 1
    assert "家属关爱" in client.get("/people/home/").content.decode()
    when = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    r = client.post("/care/family/order/", {"elder": homes.alone.pk, "kind": "meal", "scheduled_for": when},
                    follow=True)
    assert "请选择为该居民所在地提供服务的服务站点" in r.content.decode()  # no plan and no station chosen
    r = client.post("/care/family/order/", {"elder": homes.alone.pk, "kind": "meal", "scheduled_for": when,
                                            "station": kin.station.pk})
    assert r.status_code == 302 and ServiceOrder.objects.filter(resident=homes.alone, ordered_by=kin.account).exists()
    for elder in (homes.old_man.pk, "99999999999999999999", "=1+1"):
        r = client.post("/care/family/order/", {"elder": elder, "kind": "meal", "scheduled_for": when})
        assert r.status_code == 404
    assert ServiceOrder.objects.filter(resident=homes.old_man).count() == 1
    r = client.post(f"/care/family/{other.pk}/cancel/")
    assert r.status_code == 404 and ServiceOrder.objects.get(pk=other.pk).state == "ordered"
    assert client.get(f"/care/people/{homes.alone.pk}/").status_code == 403  # no care pages for family
    r = client.post("/care/family/order/", {"elder": homes.alone.pk, "kind": "meal", "scheduled_for": "明天"},
                    follow=True)
    assert "预约时间请按" in r.content.decode()
