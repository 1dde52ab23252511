"""The service network: filing as a state machine, the provider's own-organisation rule, the project chain
and its refusals (no budget, a beneficiary outside the community), the ledger written by sessions and meetings,
evaluations closing a project, the street's overview and export, co-resident units' evaluation, metrics."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from gongzhi.core.errors import RuleError
from gongzhi.ledgers.models import Activity, Meeting
from gongzhi.network import projects, selectors, services
from gongzhi.network.models import Filing, ProjectState, ServiceProject, UnitEvaluation
from gongzhi.people.models import Organisation
from tests.factories import user


@pytest.fixture
def net(world):
    w = world
    w.cw = w.community_worker_a
    w.today = dt.date.today()
    w.org = services.org_register(community=w.comm_a, name="东虹睦邻互助会", field_code="neighbours",
                                  registration="none", by=w.cw).organisation
    w.other_org = services.org_register(community=w.comm_a, name="东虹社会工作服务中心", field_code="elderly",
                                        registration="registered", by=w.cw).organisation
    w.provider = user("prov", "provider", w.comm_a)
    services.staff_bind(organisation=w.org, username="prov", by=w.cw)
    return w


def _project(w, org=None, budget="10000"):
    p = projects.project_design(community=w.comm_a, title="助老上门", field_code="elderly", goals="上门服务",
                                indicators="服务 10 人\n满意度 90%", budget=budget, payer="宜城街道",
                                starts_on=w.today - dt.timedelta(days=10), ends_on=w.today + dt.timedelta(days=200),
                                by=w.cw)
    if org is not None:
        p = projects.project_assign(project=p, version=p.version, organisation=org, by=w.cw)
    return p


def test_filing_goes_application_opinion_street_and_counts_the_org(net):
    w = net
    street = user("st", "street", w.street_a)
    f = services.filing_apply(organisation=w.org, applicant="张三", by=w.cw)
    with pytest.raises(RuleError, match="街道"):  # a community worker cannot file
        services.filing_decide(filing=f, version=f.version, accept=True, note="同意", by=w.cw)
    with pytest.raises(RuleError, match="不能备案"):  # the street cannot skip the community's opinion
        services.filing_decide(filing=f, version=f.version, accept=True, note="同意", by=street)
    f = services.filing_opinion(filing=f, version=f.version, opinion="同意备案", by=w.cw)
    f = services.filing_decide(filing=f, version=f.version, accept=True, note="准予备案", by=street)
    assert f.state == "filed" and f.filing_no
    assert Organisation.objects.get(pk=w.org.pk).registration == "filed"
    with pytest.raises(RuleError, match="无需再申请"):
        services.filing_apply(organisation=w.org, applicant="张三", by=w.cw)
    counts = {r["community"].pk: r for r in selectors.org_counts(
        __import__("gongzhi.core.scope", fromlist=["Scope"]).Scope.for_user_capability(
            street, __import__("gongzhi.network.manifest", fromlist=["VIEW_NETWORK"]).VIEW_NETWORK))}
    assert counts[w.comm_a.pk]["counted"] == 2


def test_incubation_entry_support_graduation(net):
    w = net
    services.incubation_enter(organisation=w.org, base="宜城孵化基地", entered_on=w.today, by=w.cw)
    with pytest.raises(RuleError, match="孵化中"):
        services.incubation_enter(organisation=w.org, base="x", entered_on=w.today, by=w.cw)
    services.incubation_support(organisation=w.org, kind="training", given_on=w.today, amount="500", note="财务培训",
                                by=w.cw)
    with pytest.raises(RuleError, match="出壳日期不能早于"):
        services.incubation_graduate(organisation=w.org, graduated_on=w.today - dt.timedelta(days=1),
                                     outcome="好", by=w.cw)
    inc = services.incubation_graduate(organisation=w.org, graduated_on=w.today, outcome="可独立运作", by=w.cw)
    assert inc.graduated_on == w.today and inc.supports.count() == 1


def test_contract_without_budget_is_refused_and_changes_nothing(net):
    w = net
    p = _project(w, org=w.org, budget="0")
    before = (ServiceProject.objects.get(pk=p.pk).state, ServiceProject.objects.get(pk=p.pk).version)
    with pytest.raises(RuleError, match="项目没有预算"):
        projects.contract_sign(project=p, version=p.version, number_text="C1", amount="100", signed_on=w.today,
                               by=w.cw)
    p.refresh_from_db()
    assert (p.state, p.version) == before
    from gongzhi.network.models import Contract
    assert not Contract.objects.exists()


def test_beneficiary_outside_the_community_is_refused(net):
    w = net
    p = _project(w)
    with pytest.raises(RuleError, match="不是东虹社区的居民"):
        projects.beneficiaries_add(project=p, residents=[w.res_a1, w.res_b1], by=w.cw)
    assert p.beneficiaries.count() == 0
    assert projects.beneficiaries_add(project=p, residents=[w.res_a1, w.res_a2], by=w.cw) == 2


def test_the_chain_writes_the_ledger_and_evaluations_close_the_project(net):
    w = net
    p = _project(w, org=w.org)
    projects.need_raise(community=w.comm_a, title="老人需要助餐", field_code="elderly", by=w.cw)
    projects.contract_sign(project=p, version=p.version, number_text="C1", amount="9000", signed_on=w.today, by=w.cw)
    with pytest.raises(RuleError, match="不是该项目的承接机构"):  # another provider
        other = user("prov2", "provider", w.comm_a)
        projects.worker_add(project=p, name="李", certificate="none", certificate_no="", by=other)
    worker = projects.worker_add(project=p, name="赵社工", certificate="assistant", certificate_no="A1",
                                 by=w.provider)
    with pytest.raises(RuleError, match="不是东虹社区的居民"):
        projects.session_record(project=p, held_on=w.today, title="探访", hours="2", resident_ids=[w.res_b1.pk],
                                by=w.provider)
    with pytest.raises(RuleError, match="服务时长"):
        projects.session_record(project=p, held_on=w.today, title="探访", hours="30", by=w.provider)
    s = projects.session_record(project=p, held_on=w.today, title="探访", hours="2", resident_ids=[w.res_a1.pk],
                                worker_ids=[worker.pk], by=w.provider)
    row = Activity.objects.get(source="network.session", source_pk=s.pk)
    assert row.community == w.comm_a and row.participants == 2 and float(row.hours) == 2
    p.refresh_from_db()
    with pytest.raises(RuleError, match="先完成中期评估"):
        projects.evaluate(project=p, version=p.version, stage="final", satisfaction="90", indicators_met="2",
                          spent="100", note="", by=w.cw)
    with pytest.raises(RuleError, match="超过合同金额"):
        projects.evaluate(project=p, version=p.version, stage="midterm", satisfaction="90", indicators_met="1",
                          spent="9500", note="", by=w.cw)
    projects.evaluate(project=p, version=p.version, stage="midterm", satisfaction="88", indicators_met="1",
                      spent="4000", note="", by=w.cw)
    p.refresh_from_db()
    e = projects.evaluate(project=p, version=p.version, stage="final", satisfaction="96", indicators_met="2",
                          spent="8800", note="", by=w.cw)
    p.refresh_from_db()
    assert p.state == ProjectState.CLOSED and float(e.score) == 98.0
    assert float(selectors.org_rating(w.org)["score"]) == 98.0


def test_provider_sees_only_its_own_organisations_projects(client, net):
    w = net
    mine = _project(w, org=w.org)
    theirs = _project(w, org=w.other_org)
    open_one = projects.project_publish(project=_project(w), version=1, by=w.cw)
    projects.beneficiaries_add(project=theirs, residents=[w.res_a1], by=w.cw)
    client.force_login(w.provider)
    assert client.get(f"/network/projects/{mine.pk}/").status_code == 200
    page = client.get(f"/network/projects/{theirs.pk}/")
    assert page.status_code == 404 and "张三" not in page.content.decode()
    assert client.get(f"/network/projects/{open_one.pk}/").status_code == 200  # open for application
    listing = client.get("/network/projects/").content.decode()
    assert f"/network/projects/{theirs.pk}/" not in listing and f"/network/projects/{mine.pk}/" in listing
    assert client.get(f"/network/orgs/{w.other_org.pk}/").status_code == 404
    assert client.get(f"/network/orgs/{w.org.pk}/").status_code == 200
    assert list(selectors.organisations_of(w.provider)) == [w.org]
    # applying for the open project as its own organisation works, as another's is refused
    r = client.post(f"/network/projects/{open_one.pk}/apply/", {"organisation": w.other_org.pk, "plan": "方案",
                                                                "quote": "100"})
    assert r.status_code == 422 and "请选择您所在的服务机构" in r.content.decode()
    r = client.post(f"/network/projects/{open_one.pk}/apply/", {"organisation": w.org.pk, "plan": "方案",
                                                                "quote": "100"})
    assert r.status_code == 302 and open_one.applications.count() == 1


def test_pages_show_refusals_in_chinese_with_422(client, net):
    w = net
    p = _project(w, org=w.org, budget="0")
    client.force_login(w.cw)
    r = client.post(f"/network/projects/{p.pk}/contract/", {"version": p.version, "number": "C", "amount": "1",
                                                            "signed_on": w.today.isoformat()})
    assert r.status_code == 422 and "项目没有预算" in r.content.decode()
    r = client.post(f"/network/projects/{p.pk}/beneficiaries/", {"resident": w.res_b1.pk})
    assert r.status_code == 422 and "未找到该居民" in r.content.decode()
    r = client.post("/network/projects/new/", {"community": w.comm_a.code, "title": "x", "field": "elderly",
                                               "goals": "g", "indicators": "a", "budget": "abc", "payer": "p",
                                               "starts_on": "2026-13-01", "ends_on": "2026-01-01"})
    assert r.status_code == 422 and "开始日期不是有效日期" in r.content.decode()
    for url in ("/network/", "/network/projects/", "/network/needs/", "/network/units/", f"/network/orgs/{w.org.pk}/",
                f"/network/projects/{p.pk}/", "/network/projects/new/", "/network/meetings/new/",
                "/network/orgs/new/"):
        assert client.get(url).status_code == 200, url


def test_street_overview_and_export_from_the_database(client, net):
    w = net
    p = _project(w, org=w.org)
    projects.contract_sign(project=p, version=p.version, number_text="C1", amount="9000", signed_on=w.today, by=w.cw)
    _project(w)
    street = user("st2", "street", w.street_a)
    client.force_login(street)
    qs = selectors.projects_in(__import__("gongzhi.core.scope", fromlist=["Scope"]).Scope.for_user_capability(
        street, __import__("gongzhi.network.manifest", fromlist=["VIEW_NETWORK"]).VIEW_NETWORK))
    rows = selectors.overview(qs)
    assert rows[0]["total"] == 2 and float(rows[0]["contracted"]) == 9000 and float(rows[0]["budget"]) == 20000
    r = client.get("/network/projects/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    assert [c.value for c in sheet[1]][:2] == ["项目名称", "社区"] and sheet.max_row == 3


def test_need_from_a_topic_in_one_step(client, net):
    from gongzhi.governance import services as gov
    w = net
    topic = gov.topic_raise(place=w.comm_a, title="楼道老人缺少照护", text="希望有人上门", category="neighbours",
                            by=w.cw, raised_as="committee")
    client.force_login(w.cw)
    r = client.get(f"/network/needs/from/topic/{topic.pk}/")
    assert r.status_code == 200 and "楼道老人缺少照护" in r.content.decode()
    r = client.post(f"/network/needs/from/topic/{topic.pk}/", {"title": "老人照护", "field": "elderly"})
    assert r.status_code == 302
    r = client.post(f"/network/needs/from/topic/{topic.pk}/", {"title": "老人照护", "field": "elderly"})
    assert r.status_code == 422 and "不能重复登记" in r.content.decode()


def test_units_commitments_meeting_and_yearly_evaluation(net):
    w = net
    unit = Organisation.objects.create(community=w.comm_a, kind="resident_unit", name="东虹小学", registration="registered")
    y = w.today.year
    c = services.commitment_add(unit=unit, year_value=y, kind="venue", content="操场周末开放", target="10",
                                unit_label="次", by=w.cw)
    services.commitment_progress(commitment=c, version=1, done="5", by=w.cw)
    m = services.meeting_hold(community=w.comm_a, held_on=w.today, title="共建", minutes="纪要", unit_ids=[unit.pk],
                              by=w.cw)
    assert Meeting.objects.get(source="network.joint_meeting", source_pk=m.pk).attendees == 1
    with pytest.raises(RuleError, match="不是本社区的驻区单位"):
        services.meeting_hold(community=w.comm_b, held_on=w.today, title="x", minutes="x", unit_ids=[unit.pk], by=w.cw)
    e = services.unit_evaluate(unit=unit, year_value=y, score="80", note="", by=w.cw)
    assert (float(e.fulfilment), e.grade, e.meetings_attended) == (50.0, "良好", 1)
    with pytest.raises(RuleError, match="已评价"):
        services.unit_evaluate(unit=unit, year_value=y, score="80", note="", by=w.cw)
    assert UnitEvaluation.objects.count() == 1


def test_metrics_count_registered_and_filed_and_the_chain(net):
    from gongzhi.core.metrics import Figures
    w = net
    p = _project(w, org=w.org)
    projects.need_raise(community=w.comm_a, title="需求", field_code="elderly", by=w.cw)
    from gongzhi.network.models import Need
    Need.objects.update(project=p)
    projects.contract_sign(project=p, version=p.version, number_text="C1", amount="9000", signed_on=w.today, by=w.cw)
    projects.worker_add(project=p, name="赵", certificate="none", certificate_no="", by=w.provider)
    projects.session_record(project=p, held_on=w.today, title="探访", hours="1", by=w.provider)
    from gongzhi.places.models import Place
    figures = Figures(Place.objects.filter(pk=w.comm_a.pk), year=w.today.year)
    assert figures.get("community_social_orgs")[w.comm_a.pk] == 1  # the registered one; the unregistered waits
    assert figures.get("service_projects_chain")[w.comm_a.pk] == 1
    assert Filing.objects.count() == 0
