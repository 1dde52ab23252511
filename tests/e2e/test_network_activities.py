"""A provider's community activity on a phone (390 px, zh-CN Chromium): the provider of the contracted
project announces an activity (a missing place is refused in Chinese and nothing is saved), then a resident
of the community sees it with its places left and signs up."""
import datetime as dt

from playwright.sync_api import expect

from gongzhi.network import projects, services
from gongzhi.network.models import ActivitySignup, ProjectActivity
from tests.e2e.conftest import fits_phone, login
from tests.factories import user


def test_provider_announces_and_a_resident_signs_up_on_a_phone(page, live_server, live_world):
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
    page.goto(f"{live_server.url}/network/projects/{p.pk}/")
    page.click("[data-testid=activities-link]")
    fits_phone(page)
    day = (today + dt.timedelta(days=3)).isoformat()
    page.fill("input[name=title]", "重阳茶话会")
    page.fill("input[name=day]", day)
    page.fill("input[name=capacity]", "20")
    page.click("button >> text=发布活动")
    expect(page.locator("#activity-error")).to_contain_text("请填写活动地点")
    assert not ProjectActivity.objects.exists()
    fits_phone(page)
    page.fill("input[name=venue]", "东虹社区活动室")
    page.click("button >> text=发布活动")
    expect(page.locator(".messages", has_text="活动已发布")).to_be_visible()
    expect(page.locator("[data-testid=activity-list]")).to_contain_text(f"{day} 14:00")
    expect(page.locator("[data-testid=activity-list]")).to_contain_text("余 20 个")
    fits_phone(page)

    page.context.clear_cookies()
    login(page, live_server, "res_a1")
    page.goto(f"{live_server.url}/network/activities/")
    expect(page.locator("[data-testid=activities]")).to_contain_text("重阳茶话会")
    expect(page.locator("[data-testid=places-left]")).to_have_text("20")
    fits_phone(page)
    page.click("button >> text=报名")
    expect(page.locator(".messages", has_text="已报名:重阳茶话会")).to_be_visible()
    expect(page.locator("[data-testid=places-left]")).to_have_text("19")
    expect(page.locator("[data-testid=activities] .tag")).to_have_text("已报名")
    fits_phone(page)
    assert ActivitySignup.objects.filter(resident=w.res_a1).count() == 1
