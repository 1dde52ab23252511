"""Needs raised in one click from any source: a visit of the 民情日记 (care visits write it too), a topic, a
work order and a community's survey. The source page offers "提为服务需求" to whoever manages service
projects there (core.record_links), names the need once raised, and the need links back to its source;
the same source is refused twice, hostile ids give 404, nobody else gets the button."""
import datetime as dt

import pytest

from gongzhi.core.errors import RuleError
from gongzhi.network import projects
from gongzhi.network.models import Need, NeedSource
from gongzhi.workorders.services import visits as visit_services


@pytest.fixture
def visit(world):
    w = world
    return visit_services.visit_record(by=w.grid_worker_a1, grid=w.grid_a1, visited_on=dt.date.today(),
                                       notes="走访独居老人", concerns="老人希望有人定期陪同就医\n其他")


def test_a_visit_becomes_a_need_once_and_the_log_shows_it(client, world, visit):
    w = world
    client.force_login(w.community_worker_a)
    page = client.get("/orders/visits/").content.decode()
    assert f"/network/needs/from/visit/{visit.pk}/" in page and "提为服务需求" in page
    r = client.get(f"/network/needs/from/visit/{visit.pk}/")
    assert r.status_code == 200 and "老人希望有人定期陪同就医" in r.content.decode()
    r = client.post(f"/network/needs/from/visit/{visit.pk}/", {"title": "陪同就医", "field": "elderly"})
    assert r.status_code == 302
    need = Need.objects.get()
    assert (need.source, need.source_pk, need.community_id) == (NeedSource.VISIT, visit.pk, w.comm_a.pk)
    r = client.post(f"/network/needs/from/visit/{visit.pk}/", {"title": "陪同就医", "field": "elderly"})
    assert r.status_code == 422 and "该民情日记已登记为服务需求" in r.content.decode()
    assert Need.objects.count() == 1
    page = client.get("/orders/visits/").content.decode()
    assert "服务需求:陪同就医" in page and "提为服务需求" not in page
    # the need links back to the day of its visit
    day = visit.visited_on.isoformat()
    needs = client.get("/network/needs/").content.decode()
    assert f"/orders/visits/?start={day}&amp;end={day}" in needs
    shown = client.get(f"/network/needs/from/visit/{visit.pk}/").content.decode()
    assert "已于" in shown and "陪同就医" in shown


def test_the_service_refuses_a_second_need_and_another_community(world, visit):
    w = world
    projects.need_raise(community=w.comm_a, title="陪同就医", field_code="elderly", source=NeedSource.VISIT,
                        source_obj=visit, by=w.community_worker_a)
    with pytest.raises(RuleError, match="不能重复登记"):
        projects.need_raise(community=w.comm_a, title="再来", field_code="elderly", source=NeedSource.VISIT,
                            source_obj=visit, by=w.community_worker_a)
    with pytest.raises(RuleError, match="不在该社区"):
        projects.need_raise(community=w.comm_b, title="别处", field_code="elderly", source=NeedSource.VISIT,
                            source_obj=visit, by=w.community_worker_a)
    assert Need.objects.count() == 1


def test_no_button_for_a_grid_worker_nor_for_another_community(client, world, visit):
    w = world
    client.force_login(w.grid_worker_a1)
    assert "提为服务需求" not in client.get("/orders/visits/").content.decode()
    assert client.get(f"/network/needs/from/visit/{visit.pk}/").status_code == 403
    client.force_login(w.community_worker_b)
    assert client.get(f"/network/needs/from/visit/{visit.pk}/").status_code == 404
    for bad in ("99999999999999999999", "0"):
        assert client.get(f"/network/needs/from/visit/{bad}/").status_code == 404
    assert client.get("/network/needs/?from=visit&id=99999999999999999999").status_code in (200, 302)


def test_topic_order_and_survey_pages_offer_and_then_name_the_need(client, world):
    from gongzhi.governance import services as gov
    from gongzhi.standards.models import Survey
    from gongzhi.standards import surveys
    from gongzhi.workorders.models import Category
    w = world
    cw = w.community_worker_a
    topic = gov.topic_raise(place=w.comm_a, title="楼道老人缺少照护", text="希望有人上门", category="neighbours",
                            by=cw, raised_as="committee")
    client.force_login(cw)
    page = client.get(f"/governance/{topic.pk}/").content.decode()
    assert f"/network/needs/from/topic/{topic.pk}/" in page and "提为服务需求" in page
    client.post(f"/network/needs/from/topic/{topic.pk}/", {"title": "老人照护", "field": "elderly"})
    page = client.get(f"/governance/{topic.pk}/").content.decode()
    assert "服务需求:老人照护" in page
    assert f'href="/governance/{topic.pk}/"' in client.get("/network/needs/").content.decode()

    category = Category.objects.filter(active=True).exclude(kind="service").first()
    second = visit_services.visit_record(by=w.grid_worker_a1, grid=w.grid_a1, visited_on=dt.date.today(),
                                         notes="走访", concerns="路灯坏了", order_category=category)
    order = second.work_order
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert f"/network/needs/from/order/{order.pk}/" in page and "提为服务需求" in page
    survey = surveys.survey_create(place=w.comm_a, title="养老服务需求调查", kind=Survey._meta.get_field("kind").choices[0][0],
                                   questions=["您需要助餐吗"], opens_on=dt.date.today(),
                                   closes_on=dt.date.today() + dt.timedelta(days=9), by=cw)
    page = client.get(f"/standards/surveys/{survey.pk}/").content.decode()
    assert f"/network/needs/from/survey/{survey.pk}/" in page
    r = client.post(f"/network/needs/from/survey/{survey.pk}/", {"title": "助餐", "field": "elderly"})
    assert r.status_code == 302
    assert "服务需求:助餐" in client.get(f"/standards/surveys/{survey.pk}/").content.decode()
