"""The service network on a phone (390 px, Chromium): the provider opens its organisation's contracted
project, records a session for a beneficiary (a session over 12 hours is refused and nothing is saved),
and the community worker refuses a contract for a project without budget, all waiting for what each
submit shows before asserting."""
import datetime as dt

from playwright.sync_api import expect

from gongzhi.ledgers.models import Activity
from gongzhi.network import projects, services
from gongzhi.network.models import Contract, ServiceSession
from tests.e2e.conftest import fits_phone, login
from tests.factories import user


def test_provider_records_a_session_on_a_phone(page, live_server, live_world):
    w = live_world
    today = dt.date.today()
    cw = w.community_worker_a
    org = services.org_register(community=w.comm_a, name="东虹社会工作服务中心", field_code="elderly",
                                registration="registered", by=cw).organisation
    user("prov_a", "provider", w.comm_a)
    services.staff_bind(organisation=org, username="prov_a", by=cw)
    p = projects.project_design(community=w.comm_a, title="银龄守护", field_code="elderly", goals="上门探访",
                                indicators="探访 20 人", budget="30000", payer="宜城街道",
                                starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=300), by=cw)
    projects.beneficiaries_add(project=p, residents=[w.res_a1], by=cw)
    p = projects.project_assign(project=p, version=p.version, organisation=org, by=cw)
    projects.contract_sign(project=p, version=p.version, number_text="GM-1", amount="28000", signed_on=today, by=cw)

    login(page, live_server, "prov_a")
    page.goto(f"{live_server.url}/network/projects/")
    page.click("text=银龄守护")
    fits_phone(page)
    page.fill("input[name=worker_name]", "赵社工")
    page.fill("input[name=certificate_no]", "ZS2024001")
    page.click("button >> text=加入团队")
    expect(page.locator(".messages", has_text="社工已加入项目团队")).to_be_visible()
    page.click("text=记录一次服务")
    page.fill("input[name=title]", "上门探访")
    page.fill("input[name=hours]", "30")
    page.check("label >> text=张三")
    page.click("button >> text=保存")
    expect(page.locator("#session-error")).to_contain_text("服务时长")
    assert not ServiceSession.objects.exists()
    fits_phone(page)
    page.fill("input[name=hours]", "2")
    page.click("button >> text=保存")
    expect(page.locator(".messages", has_text="服务记录已保存")).to_be_visible()
    expect(page.locator("[data-testid=served]")).to_contain_text("张三")
    fits_phone(page)
    s = ServiceSession.objects.get()
    assert Activity.objects.filter(source="network.session", source_pk=s.pk).exists()


def test_contract_without_budget_is_refused_on_a_phone(page, live_server, live_world):
    w = live_world
    today = dt.date.today()
    cw = w.community_worker_a
    org = services.org_register(community=w.comm_a, name="东虹调解工作室", field_code="mediation",
                                registration="filed", by=cw).organisation
    p = projects.project_design(community=w.comm_a, title="楼道和事佬", field_code="mediation", goals="调解",
                                indicators="调解 10 件", budget="0", payer="社区", starts_on=today,
                                ends_on=today + dt.timedelta(days=100), by=cw)
    projects.project_assign(project=p, version=p.version, organisation=org, by=cw)
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/network/projects/{p.pk}/")
    page.fill("input[name=number]", "HT-1")
    page.fill("input[name=amount]", "5000")
    page.click("button >> text=签订合同")
    expect(page.locator("#project-error")).to_contain_text("项目没有预算")
    assert not Contract.objects.exists()
    fits_phone(page)
