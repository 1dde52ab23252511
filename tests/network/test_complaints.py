"""Complaints about social organisations come from work orders: the community attributes an order of its own
community to an organisation based or serving there; the street finds it founded or not; the year's rating counts
the founded ones and cannot be finalised while one waits. Every refusal is in Chinese and changes nothing."""
import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.network import complaints, ratings, services
from gongzhi.network.models import OrgComplaint
from gongzhi.workorders.models import Category
from gongzhi.workorders.services import visits as visit_services
from tests.factories import user
from tests.network.test_ratings import rated  # noqa: F401 (the fixture)


def _order(w, grid, by):
    category = Category.objects.filter(active=True).exclude(kind="service").first()
    return visit_services.visit_record(by=by, grid=grid, visited_on=dt.date.today(), notes="走访",
                                       concerns="助餐服务两次没有送到", order_category=category).work_order


@pytest.fixture
def complained(rated):  # noqa: F811
    w = rated
    w.order_a = _order(w, w.grid_a1, w.grid_worker_a1)
    w.order_b = _order(w, w.grid_b1, user("gw_b1", "grid", w.grid_b1))
    w.other_org = services.org_register(community=w.comm_b, name="南岳志愿服务队", field_code="neighbours",
                                        registration="none", by=w.community_worker_b).organisation
    return w


def test_attributing_an_order_and_the_refusals(complained):
    w = complained
    attribute = complaints.complaint_attribute
    for kw, message in (({"by": w.community_worker_b}, "只有工单所在社区的社区工作者"),
                        ({"organisation_id": w.other_org.pk}, "请选择在本社区活动"),
                        ({"organisation_id": "99999999999999999999"}, "请选择在本社区活动"),
                        ({"organisation_id": "=1+1"}, "请选择在本社区活动"),
                        ({"note": " "}, "请填写投诉事由"),
                        ({"note": "送餐\x00迟到"}, "控制字符"),
                        ({"note": "迟" * 301}, "不能超过 300")):
        args = {"order": w.order_a, "organisation_id": w.org.pk, "note": "助餐两次未送达", "by": w.cw} | kw
        with pytest.raises(RuleError, match=message):
            attribute(**args)
    assert not OrgComplaint.objects.exists()
    c = attribute(order=w.order_a, organisation_id=str(w.org.pk), note="助餐两次未送达", by=w.cw)
    assert (c.state, c.year, c.community) == ("pending", dt.date.today().year, w.comm_a)
    with pytest.raises(RuleError, match="已记为对东虹社会工作服务中心的投诉"):
        attribute(order=w.order_a, organisation_id=w.org.pk, note="再记一次", by=w.cw)
    with pytest.raises(ValueError):
        c.delete()
    # an organisation of another community that carries a project here may be named too
    assert w.other_org not in complaints.organisations_for(w.comm_a)


def test_the_street_decides_once_and_the_rating_counts_it(complained):
    w = complained
    st, y = w.street_officer_a, w.today.year
    c = complaints.complaint_attribute(order=w.order_a, organisation_id=w.org.pk, note="助餐两次未送达", by=w.cw)
    r = ratings.rating_save(organisation=w.org, year_value=y, by=st)
    assert (r.complaints, r.score) == (0, Decimal("81.5"))
    with pytest.raises(RuleError, match="还有 1 件投诉待核实"):
        ratings.rating_finalise(organisation=w.org, year_value=y, version=r.version, by=st)
    for kw, error, message in (({"by": w.cw}, RuleError, "街道干部核实"),
                               ({"by": user("st_b2", "street", w.street_b)}, RuleError, "街道干部核实"),
                               ({"state": "maybe"}, RuleError, "属实或不属实"),
                               ({"reason": ""}, RuleError, "请填写核实意见"),
                               ({"version": 7}, ConflictError, "页面已过期")):
        args = {"complaint": c, "state": "founded", "reason": "回访老人核实属实", "version": 1, "by": st} | kw
        with pytest.raises(error, match=message):
            complaints.complaint_decide(**args)
    assert OrgComplaint.objects.get().state == "pending"
    c = complaints.complaint_decide(complaint=c, state="founded", reason="回访老人核实属实", version=1, by=st)
    assert (c.state, c.decided_on, c.version) == ("founded", dt.date.today(), 2)
    with pytest.raises(RuleError, match="不能再改"):
        complaints.complaint_decide(complaint=c, state="unfounded", reason="改判", version=2, by=st)
    # finalising counts the complaint found since the last save
    r = ratings.rating_finalise(organisation=w.org, year_value=y, version=r.version, by=st)
    assert (r.state, r.complaints, r.score, r.grade) == ("final", 1, Decimal("76.5"), "3A")


def test_the_pages_offer_record_and_decide_it(client, complained):
    w = complained
    client.force_login(w.cw)
    page = client.get(f"/orders/{w.order_a.pk}/").content.decode()
    assert f"/network/complaints/from-order/{w.order_a.pk}/" in page and "记为对社会组织的投诉" in page
    assert client.get(f"/network/complaints/from-order/{w.order_b.pk}/").status_code == 404  # not theirs
    for bad in ("99999999999999999999", "0"):
        assert client.get(f"/network/complaints/from-order/{bad}/").status_code == 404
    r = client.post(f"/network/complaints/from-order/{w.order_a.pk}/", {"organisation": "", "note": "x"})
    assert r.status_code == 422 and "请选择在本社区活动" in r.content.decode()
    r = client.post(f"/network/complaints/from-order/{w.order_a.pk}/", {"organisation": w.org.pk,
                                                                          "note": "助餐两次未送达"})
    assert r.status_code == 302 and OrgComplaint.objects.count() == 1
    page = client.get(f"/orders/{w.order_a.pk}/").content.decode()
    assert "投诉社会组织:东虹社会工作服务中心(待核实)" in page
    c = OrgComplaint.objects.get()
    client.force_login(w.street_officer_a)
    page = client.get(f"/network/orgs/{w.org.pk}/").content.decode()
    assert "助餐两次未送达" in page and "待核实 1 件" in page
    r = client.post(f"/network/orgs/{w.org.pk}/complaints/{c.pk}/decide/", {"state": "founded", "reason": "",
                                                                             "version": "1"})
    assert r.status_code == 422 and "请填写核实意见" in r.content.decode()
    r = client.post(f"/network/orgs/{w.org.pk}/complaints/{c.pk}/decide/", {"state": "founded", "reason": "属实",
                                                                             "version": "1"})
    assert r.status_code == 302 and OrgComplaint.objects.get().state == "founded"
    r = client.post(f"/network/orgs/{w.org.pk}/complaints/{c.pk}/decide/", {"state": "unfounded", "reason": "改",
                                                                             "version": "1"})
    assert r.status_code == 422 and OrgComplaint.objects.get().state == "founded"
    # the organisation's own account sees what and the finding, not the work order
    provider = user("org_staff", "provider", w.comm_a)
    services.staff_bind(organisation=w.org, username="org_staff", by=w.cw)
    client.force_login(provider)
    page = client.get(f"/network/orgs/{w.org.pk}/").content.decode()
    assert "助餐两次未送达" in page and f"/orders/{w.order_a.pk}/" not in page
