"""Where work enters a community: work-order categories routed to communities or grids name a list
item (the catalogue's `category_checks` extension point), and data requests rest on a list item and
are answered from the registry where the platform holds the figure."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.admission import services
from gongzhi.admission.models import CategoryBasis, DataAnswer, DataRequest
from gongzhi.core.errors import RuleError
from gongzhi.workorders import services as wo
from gongzhi.workorders.models import Category
from tests.factories import household, resident


def _fields(**kw):
    f = {"code": "noise_check", "kind": "incident", "name": "噪声巡查", "description": "", "is_public": True,
         "is_dispute": False, "route_level": "community", "route_department": "", "window": "", "accept_days": 1,
         "handle_days": 5, "verify_days": 2, "active": True, "sort": 100, "materials": "", "attributes": "[]"}
    f.update(kw)
    return f


def test_a_category_routed_to_communities_needs_a_list_item(adm):
    with pytest.raises(wo.WorkflowError, match="工单类别「噪声巡查」派往社区,须对应本地区社区工作事项清单中的一项") as exc:
        wo.category_save(by=adm.admin, category=None, version=None, fields=_fields())
    assert "noise_check" in str(exc.value) and "依法协助政府工作事项清单" in str(exc.value)
    assert not Category.objects.filter(code="noise_check").exists()
    with pytest.raises(wo.WorkflowError, match="派往网格"):
        wo.category_save(by=adm.admin, category=None, version=None, fields=_fields(route_level="grid"))
    # routed to a department: not work pushed onto a community
    wo.category_save(by=adm.admin, category=None, version=None,
                     fields=_fields(code="noise_dept", route_level="department", route_department="市生态环境局"))
    services.basis_set(category_code="noise_check", item=adm.duty, by=adm.admin)
    category = wo.category_save(by=adm.admin, category=None, version=None, fields=_fields())
    assert category.pk


def test_an_existing_category_cannot_be_edited_until_it_names_an_item_and_a_void_basis_counts_as_none(adm):
    category = Category.objects.get(code="sanitation")
    with pytest.raises(wo.WorkflowError, match="环境卫生"):
        wo.category_save(by=adm.admin, category=category, version=category.version, fields=_fields(
            code="sanitation", name="环境卫生"))
    assert Category.objects.get(code="sanitation").version == category.version
    basis = services.basis_set(category_code="sanitation", item=adm.duty, by=adm.admin)
    with pytest.raises(RuleError, match="已对应"):
        services.basis_set(category_code="sanitation", item=adm.assist, by=adm.admin)
    wo.category_save(by=adm.admin, category=category, version=category.version,
                     fields=_fields(code="sanitation", name="环境卫生"))
    services.basis_void(basis=basis, reason="改为对应其他事项", by=adm.admin)
    assert CategoryBasis.objects.filter(pk=basis.pk, voided=True).exists()
    category.refresh_from_db()
    with pytest.raises(wo.WorkflowError):
        wo.category_save(by=adm.admin, category=category, version=category.version,
                         fields=_fields(code="sanitation", name="环境卫生"))


def test_no_lists_kept_yet_means_nothing_to_enforce(world):
    wo.category_save(by=world.admin, category=None, version=None, fields=_fields())  # no items: allowed


def test_catalogue_page_shows_the_message(client, adm):
    client.force_login(adm.admin)
    r = client.post("/orders/catalogue/new/", _fields())
    assert r.status_code == 400 and "须对应本地区社区工作事项清单中的一项" in r.content.decode()


def _ask(w, **kw):
    data = {"by": w.minzheng, "post": w.minzheng.assignments.get(), "item": w.assist, "title": "低保和高龄老人情况",
            "fields": [{"label": "", "metric": "minimum_living"}, {"label": "", "metric": "residents"}],
            "due_on": timezone.localdate() + dt.timedelta(days=10), "communities": [w.comm_a, w.comm_b]}
    data.update(kw)
    return services.data_request_create(**data)


def test_figures_the_registry_holds_are_answered_from_it(adm):
    from gongzhi.people.models import CareTag
    person = resident(household(adm.grid_a1, "HA9"), "赵六")
    person.care_tags.add(CareTag.objects.get(code="minimum_living"))
    dr = _ask(adm)
    a = DataAnswer.objects.get(request=dr, community=adm.comm_a)
    assert a.submitted and a.from_registry == [0, 1] and a.answered_by is None
    assert a.values == {"0": "1", "1": "3"}  # 赵六; 张三, 李四, 赵六
    b = DataAnswer.objects.get(request=dr, community=adm.comm_b)
    assert b.values == {"0": "0", "1": "1"}


def test_typed_figures_and_the_asker_sees_what_the_community_did_not_type(client, adm):
    dr = _ask(adm, fields=[{"label": "", "metric": "households"}, {"label": "助餐需求人数", "metric": ""}])
    a = DataAnswer.objects.get(request=dr, community=adm.comm_a)
    assert not a.submitted
    with pytest.raises(RuleError, match="「助餐需求人数」须填写数字"):
        services.data_answer(answer=a, values={"1": "很多"}, by=adm.community_worker_a)
    client.force_login(adm.community_worker_a)
    r = client.post(f"/duties/data/{dr.pk}/answer/", {"community": adm.comm_a.code, "v_1": "12", "v_0": "999"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.values == {"0": "2", "1": "12"} and a.submitted  # the registry's figure stays
    assert "南岳社区" not in client.get(f"/duties/data/{dr.pk}/").content.decode()  # not B's answer
    client.force_login(adm.minzheng)
    page = client.get(f"/duties/data/{dr.pk}/").content.decode()
    assert "2 个数据由平台从登记信息取得,社区未录入" in page and "平台数据,社区未录入" in page


@pytest.mark.parametrize("kw, message", [
    ({"item": None, "title": "清单外摸底"}, "不在清单内,请先提出准入申请"),
    ({"fields": [{"label": "", "metric": ""}]}, "请至少填写一个填报项"),
    ({"fields": [{"label": "x", "metric": "salary"}]}, "平台数据「salary」不存在"),
    ({"due_on": dt.date(2020, 1, 1)}, "截止日期须在今天之后"),
    ({"communities": []}, "请选择涉及的社区"),
])
def test_bad_data_requests_are_refused(adm, kw, message):
    with pytest.raises(RuleError, match=message):
        _ask(adm, **kw)
    assert not DataRequest.objects.exists()


def test_a_data_request_on_a_voided_item_or_after_the_due_date(adm):
    dr = _ask(adm, fields=[{"label": "助餐需求人数", "metric": ""}])
    a = DataAnswer.objects.get(request=dr, community=adm.comm_a)
    with pytest.raises(RuleError, match="已过截止日期"):
        services.data_answer(answer=a, values={"0": "3"}, by=adm.community_worker_a,
                             now=timezone.now() + dt.timedelta(days=30))
    services.data_request_void(request=dr, reason="重复布置", by=adm.minzheng)
    with pytest.raises(RuleError, match="已作废"):
        services.data_answer(answer=a, values={"0": "3"}, by=adm.community_worker_a)
    services.item_void(item=adm.assist, version=adm.assist.version, reason="调整", by=adm.admin)
    adm.assist.refresh_from_db()
    with pytest.raises(RuleError, match="已作废"):
        _ask(adm)
