"""要求社区事项登记 (P-DUTY-4/5): meetings, ledgers, signboards, assessments and systems demanded of
committees rest on a list item of the demander's own department; a department's own assessment, a
one-vote veto and a matter a committee may never carry are refused; refusals are counted, nothing
else is written. Work orders are sent to a community or grid only on a list item (dispatch check)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.admission import burden, demands, services
from gongzhi.admission.models import Demand, Refusal
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.scope import Scope
from gongzhi.workorders import services as wo
from gongzhi.workorders.models import Category, Channel

TODAY = timezone.localdate


def _register(w, **kw):
    data = {"by": w.minzheng, "post": w.minzheng.assignments.get(), "kind": "meeting", "title": "社会救助政策培训会",
            "item": w.assist, "frequency": "quarterly", "hours_per_community_year": "8", "all_communities": True,
            "starts_on": TODAY()}
    data.update(kw)
    return demands.demand_register(**data)


def test_a_department_registers_a_meeting_on_its_own_list_item(adm):
    d = _register(adm)
    assert (d.department, d.times_per_year, d.hours_per_community_year) == ("市民政局", 4, Decimal("8.0"))
    assert d.item == adm.assist and d.locality == adm.district and d.history.count() == 1


@pytest.mark.parametrize("kw, message", [
    ({"item": None}, "清单外事项须先提出准入申请"),
    ({"kind": "signboard", "title": "禁毒工作站", "item": None}, "要求社区挂牌"),
    ({"item": "duty"}, "清单事项「调解民间纠纷」的责任部门是市司法局,市民政局不能据此向社区提出要求"),
    ({"kind": "assessment", "title": "救助工作考核"}, "各职能部门不再单独组织考核评比活动"),
    ({"veto": True}, "一票否决"),
    ({"title": "城市管理联合检查会"}, "不得将社区作为「城市管理」事项的责任主体"),
    ({"platform_ledger": "meetings"}, "只有台账类要求可以选择平台已有台账"),
    ({"kind": "ledger", "platform_ledger": "nonsense"}, "平台没有「nonsense」这种台账"),
    ({"hours_per_community_year": ""}, "工作量"),
    ({"hours_per_community_year": "-3"}, "工作量"),
    ({"hours_per_community_year": "1e30"}, "工作量"),
    ({"title": "会议\x00"}, "控制字符"),
    ({"title": "  "}, "请填写名称"),
    ({"kind": "party"}, "请选择类型"),
    ({"frequency": "hourly"}, "请选择频次"),
    ({"starts_on": None}, "开始日期"),
    ({"all_communities": False, "communities": []}, "请选择涉及的社区"),
])
def test_what_the_rules_refuse_writes_nothing(adm, kw, message):
    if kw.get("item") == "duty":
        kw["item"] = adm.duty
    with pytest.raises(RuleError, match=message):
        _register(adm, **kw)
    assert not Demand.objects.exists()


def test_a_street_may_register_the_unified_assessment_but_only_for_its_own_communities(adm):
    post = adm.street_officer_a.assignments.get()
    d = _register(adm, by=adm.street_officer_a, post=post, kind="assessment", title="社区工作年度综合考核",
                  frequency="yearly", all_communities=False, communities=[adm.comm_a])
    assert d.department == "宜城街道" and list(d.communities.all()) == [adm.comm_a]
    with pytest.raises(RuleError, match="所选社区「南岳社区」不在您岗位所辖范围内"):
        _register(adm, by=adm.street_officer_a, post=post, title="另一次会", all_communities=False,
                  communities=[adm.comm_b])
    with pytest.raises(RuleError, match="只有职能部门、街道和管理员"):
        _register(adm, by=adm.community_worker_a, post=adm.community_worker_a.assignments.get())


def test_a_ledger_the_platform_writes_costs_the_community_nothing(adm):
    d = _register(adm, kind="ledger", title="救助会议记录", platform_ledger="meetings", hours_per_community_year="")
    assert d.hours_per_community_year == 0
    rows = {r["community"]: r for r in burden.community_rows([adm.comm_a], [TODAY().year])}
    assert rows["东虹社区"]["platform_ledgers"] == 1 and rows["东虹社区"]["ledgers"] == 0


def test_duplicates_are_refused_until_the_first_is_cleared_and_clearing_keeps_history(adm):
    d = _register(adm)
    with pytest.raises(RuleError, match="市民政局已登记同名的会议「社会救助政策培训会」"):
        _register(adm)
    with pytest.raises(RuleError, match="作废须写明理由"):
        demands.demand_clear(demand=d, version=d.version, reason=" ", by=adm.minzheng)
    with pytest.raises(ConflictError):
        demands.demand_clear(demand=d, version=d.version + 1, reason="合并", by=adm.minzheng)
    d = demands.demand_clear(demand=d, version=d.version, reason="并入民政例会", by=adm.minzheng)
    assert d.cleared and d.history.count() == 2
    assert d.history.first().history_change_reason == "清理:并入民政例会"
    with pytest.raises(ConflictError):
        demands.demand_clear(demand=d, version=1, reason="again", by=adm.minzheng)
    with pytest.raises(RuleError, match="已清理"):
        demands.demand_clear(demand=d, version=d.version, reason="again", by=adm.minzheng)
    assert _register(adm).pk != d.pk


def test_who_reads_which_demands(adm):
    from tests.factories import user
    on_all = _register(adm)
    street = _register(adm, by=adm.street_officer_a, post=adm.street_officer_a.assignments.get(),
                       kind="signboard", title="老年协会", all_communities=False, communities=[adm.comm_a])
    sees = lambda u: set(demands.demands_on(Scope.for_user(u)).values_list("pk", flat=True))  # noqa: E731
    assert sees(adm.community_worker_a) == {on_all.pk, street.pk}
    assert sees(adm.grid_worker_a1) == {on_all.pk, street.pk}          # the grid's community
    assert sees(adm.community_worker_b) == {on_all.pk}
    by = lambda u: set(demands.demands_by(Scope.for_user(u)).values_list("pk", flat=True))  # noqa: E731
    assert by(adm.minzheng) == {on_all.pk} and by(adm.street_officer_a) == {street.pk}
    assert by(adm.admin) == {on_all.pk, street.pk}
    other = user("sifa", "department", adm.district)
    from gongzhi.accounts.models import RoleAssignment
    RoleAssignment.objects.filter(user=other).update(department="市司法局")
    assert by(other) == set() and sees(other) == set()


def test_burden_counts_meetings_ledgers_signboards_and_refusals(adm):
    _register(adm)                                                       # 4 meetings a year, 8 h
    _register(adm, kind="ledger", title="低保对象台账", frequency="ongoing", hours_per_community_year="20")
    _register(adm, kind="signboard", title="社会救助服务站", frequency="ongoing", hours_per_community_year="2",
              all_communities=False, communities=[adm.comm_b])
    demands.refusal_record(post=adm.minzheng.assignments.get(), what="demand", title="考核", rule="不行",
                           by=adm.minzheng)
    year = TODAY().year
    rows = {r["community"]: r for r in burden.community_rows([adm.comm_a, adm.comm_b], [year])}
    assert (rows["东虹社区"]["meetings"], rows["东虹社区"]["ledgers"], rows["东虹社区"]["signboards"]) == (4, 1, 0)
    assert rows["东虹社区"]["demand_hours"] == 28 and rows["南岳社区"]["demand_hours"] == 30
    assert rows["南岳社区"]["signboards"] == 1
    last = {r["community"]: r for r in burden.community_rows([adm.comm_a], [year - 1])}
    assert last["东虹社区"]["meetings"] == 0                             # not in force last year
    dept = {r["department"]: r for r in burden.department_rows(Scope.for_user(adm.admin), [year])}
    assert (dept["市民政局"]["demands"], dept["市民政局"]["refusals"]) == (3, 1)


# -- pages ---------------------------------------------------------------------------------
def _post(adm, **kw):
    data = {"kind": "meeting", "title": "社会救助政策培训会", "item": str(adm.assist.pk), "frequency": "quarterly",
            "hours_per_community_year": "8", "all_communities": "on", "starts_on": TODAY().isoformat()}
    data.update(kw)
    return data


def test_the_pages_register_refuse_with_a_count_and_clear(client, adm):
    client.force_login(adm.minzheng)
    r = client.get("/duties/demands/new/")
    assert r.status_code == 200 and "协助做好社会救助工作" in r.content.decode()
    r = client.post("/duties/demands/new/", _post(adm, item="none", title="创卫迎检动员会"))
    assert r.status_code == 422 and "清单外事项须先提出准入申请" in r.content.decode()
    assert not Demand.objects.exists()
    assert Refusal.objects.get().title == "创卫迎检动员会"
    r = client.post("/duties/demands/new/", _post(adm))
    d = Demand.objects.get()
    assert r.status_code == 302 and r.url == f"/duties/demands/{d.pk}/"
    r = client.get("/duties/demands/")
    page = r.content.decode()
    assert "社会救助政策培训会" in page and "创卫迎检动员会" in page   # registered, and the refusal
    r = client.post(f"/duties/demands/{d.pk}/clear/", {"version": "x", "reason": "合并"})
    assert r.status_code == 409 and "已被他人修改" in r.content.decode()
    r = client.post(f"/duties/demands/{d.pk}/clear/", {"version": str(d.version), "reason": ""})
    assert r.status_code == 422
    r = client.post(f"/duties/demands/{d.pk}/clear/", {"version": str(d.version), "reason": "合并"})
    assert r.status_code == 302 and Demand.objects.get().cleared


def test_a_community_sees_what_is_demanded_of_it_and_cannot_clear_it(client, adm):
    d = _register(adm)
    client.force_login(adm.community_worker_a)
    page = client.get("/duties/demands/").content.decode()
    assert "社会救助政策培训会" in page and "对本社区的要求" in page
    assert client.get(f"/duties/demands/{d.pk}/").status_code == 200
    assert client.post(f"/duties/demands/{d.pk}/clear/", {"version": "1", "reason": "x"}).status_code == 403
    street = _register(adm, by=adm.street_officer_a, post=adm.street_officer_a.assignments.get(),
                       kind="signboard", title="老年协会", all_communities=False, communities=[adm.comm_a])
    client.force_login(adm.community_worker_b)
    assert client.get(f"/duties/demands/{street.pk}/").status_code == 404


def test_a_data_request_outside_the_lists_is_counted_as_a_refusal(client, adm):
    client.force_login(adm.minzheng)
    r = client.post("/duties/data/new/", {"item": "none", "title": "迎检材料", "due_on": (
        TODAY() + dt.timedelta(days=5)).isoformat(), "communities": [adm.comm_a.code], "label_0": "份数"})
    assert r.status_code == 422
    assert Refusal.objects.get().what == "data"


# -- dispatch ------------------------------------------------------------------------------
def _accepted(w, code="sanitation"):
    order = wo.order_report(category=Category.objects.get(code=code), description="楼道堆满杂物",
                            channel=Channel.GRID, by=w.grid_worker_a1, grid=w.grid_a1)
    return wo.order_accept(order=order, by=w.community_worker_a, version=order.version)


def test_an_order_goes_to_a_community_or_grid_only_on_a_list_item(adm):
    order = _accepted(adm)
    with pytest.raises(wo.WorkflowError, match="工单类别「环境卫生」不在本地区社区工作事项清单内,不能派往") as exc:
        wo.order_dispatch(order=order, by=adm.community_worker_a, version=order.version, place=adm.grid_a1)
    assert "sanitation" in str(exc.value)
    order.refresh_from_db()
    assert order.handling_place_id is None
    # to the street: not work pushed onto a community
    wo.order_dispatch(order=order, by=adm.community_worker_a, version=order.version, place=adm.street_a)
    services.basis_set(category_code="sanitation", item=adm.duty, by=adm.admin)
    order = _accepted(adm)
    order = wo.order_dispatch(order=order, by=adm.community_worker_a, version=order.version, place=adm.grid_a1)
    assert order.handling_place == adm.grid_a1


def test_no_lists_no_dispatch_check(world):
    order = _accepted(world)
    assert wo.order_dispatch(order=order, by=world.community_worker_a, version=order.version,
                             place=world.grid_a1).handling_place == world.grid_a1


# -- 社区反映 ------------------------------------------------------------------------------
def _report(w, **kw):
    data = {"by": w.community_worker_a, "post": w.community_worker_a.assignments.get(), "department": "市城管局",
            "kind": "meeting", "title": "创卫迎检动员会", "details": "电话通知每周一到街道开会", "demanded_on": TODAY()}
    data.update(kw)
    return demands.report_file(**data)


@pytest.mark.parametrize("kw, message", [
    ({"kind": "party"}, "请选择要求的类型"),
    ({"demanded_on": None}, "提出要求的日期"),
    ({"demanded_on": dt.date(2000, 1, 1)}, "不能早于一年前"),
    ({"department": ""}, "请填写提出要求的单位"),
    ({"details": "x" * 2001}, "不能超过 2000 个字"),
    ({"title": "会\x1b"}, "控制字符"),
])
def test_a_report_with_bad_input_writes_nothing(adm, kw, message):
    from gongzhi.admission.models import OffListReport
    with pytest.raises(RuleError, match=message):
        _report(adm, **kw)
    assert not OffListReport.objects.exists()


def test_a_committee_reports_the_admin_checks_and_the_department_reads_without_the_reporter(client, adm):
    from gongzhi.accounts.models import RoleAssignment
    from tests.factories import user
    with pytest.raises(RuleError, match="只有社区工作者和网格员"):
        _report(adm, by=adm.street_officer_a, post=adm.street_officer_a.assignments.get())
    grid = _report(adm, by=adm.grid_worker_a1, post=adm.grid_worker_a1.assignments.get(), title="网格月报表")
    assert grid.community == adm.comm_a
    report = _report(adm)
    urban = user("urban", "department", adm.district)
    RoleAssignment.objects.filter(user=urban).update(department="市城管局")
    reads = lambda u: set(demands.reports_for(Scope.for_user(u)).values_list("pk", flat=True))  # noqa: E731
    assert reads(adm.admin) == reads(urban) == reads(adm.community_worker_a) == {grid.pk, report.pk}
    assert reads(adm.community_worker_b) == reads(adm.minzheng) == set()

    client.force_login(urban)
    page = client.get(f"/duties/reports/{report.pk}/").content.decode()
    assert "创卫迎检动员会" in page and "东虹社区" in page and "反映人" not in page and str(adm.community_worker_a) not in page
    assert client.post(f"/duties/reports/{report.pk}/handle/", {"version": "1", "outcome": "corrected",
                                                                "response": "x"}).status_code == 403
    client.force_login(adm.admin)
    r = client.post(f"/duties/reports/{report.pk}/handle/", {"version": "1", "outcome": "", "response": "x"})
    assert r.status_code == 422 and "请选择核查结果" in r.content.decode()
    r = client.post(f"/duties/reports/{report.pk}/handle/", {"version": "9", "outcome": "corrected", "response": "x"})
    assert r.status_code == 409
    r = client.post(f"/duties/reports/{report.pk}/handle/", {"version": "1", "outcome": "corrected",
                                                             "response": "已约谈市城管局,取消每周例会"})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.state == "corrected" and report.history.count() == 2
    with pytest.raises(RuleError, match="已核查"):
        demands.report_handle(report=report, version=report.version, outcome="unfounded", response="y", by=adm.admin)
    year = TODAY().year
    dept = {r["department"]: r for r in burden.department_rows(Scope.for_user(adm.admin), [year])}
    assert (dept["市城管局"]["reports"], dept["市城管局"]["reports_corrected"]) == (2, 1)
    rows = {r["community"]: r for r in burden.community_rows([adm.comm_a], [year])}
    assert rows["东虹社区"]["offlist_reports"] == 2


def test_the_report_page_on_a_form(client, adm):
    client.force_login(adm.community_worker_a)
    r = client.get("/duties/reports/new/")
    assert r.status_code == 200 and "市民政局" in r.content.decode()   # a department the lists name
    r = client.post("/duties/reports/new/", {"department": "市城管局", "kind": "ledger", "title": "门前三包台账",
                                             "details": "要求每天拍照记录", "demanded_on": "not a date"})
    assert r.status_code == 422
    r = client.post("/duties/reports/new/", {"department": "市城管局", "kind": "ledger", "title": "门前三包台账",
                                             "details": "要求每天拍照记录", "demanded_on": TODAY().isoformat()})
    assert r.status_code == 302
    assert "门前三包台账" in client.get("/duties/reports/").content.decode()


def test_a_refused_dispatch_is_counted_once_its_write_has_rolled_back(client, adm):
    """The refusal is a burden figure (P-DUTY-1): the dispatch is refused and nothing about the order
    changes, while the refusal survives the rollback, counted against the unit that tried to pass it down."""
    order = _accepted(adm)
    client.force_login(adm.community_worker_a)
    r = client.post(f"/orders/{order.pk}/act/dispatch/", {"version": order.version, "target": adm.grid_a1.code})
    assert r.status_code == 400 and "不在本地区社区工作事项清单内" in r.content.decode()
    order.refresh_from_db()
    assert order.handling_place_id is None and order.state == "accepted"
    refusal = Refusal.objects.get()
    assert (refusal.what, refusal.department, refusal.by) == ("dispatch", adm.comm_a.name, adm.community_worker_a)
    assert refusal.title == f"工单 {order.number}「环境卫生」派往{adm.grid_a1.name}"
    assert refusal.locality.level == "district"


def test_a_refused_category_save_is_counted_and_the_category_not_written(client, adm):
    client.force_login(adm.admin)
    data = {"code": "noise_check", "kind": "incident", "name": "噪声巡查", "route_level": "community",
            "accept_days": 1, "handle_days": 5, "verify_days": 2, "active": "on", "sort": 100, "attributes": "[]"}
    r = client.post("/orders/catalogue/new/", data)
    assert r.status_code == 400 and "须对应本地区社区工作事项清单中的一项" in r.content.decode()
    assert not Category.objects.filter(code="noise_check").exists()
    refusal = Refusal.objects.get()
    assert refusal.what == "category" and refusal.by == adm.admin and "噪声巡查" in refusal.title
