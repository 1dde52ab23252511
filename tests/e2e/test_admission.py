"""Admission in a real browser on a phone: a department applies for a new item (first without the
funding the locality requires, then with it), the admin passes the legal review and approves at the
standing meeting, the item appears on the public list; a community issues a certificate and a
visitor checks its code."""
from gongzhi.accounts.models import RoleAssignment
from gongzhi.admission import certificates, services
from gongzhi.admission.models import AdmissionRequest, RequestState
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login
from tests.factories import user


def test_department_applies_admin_decides_public_list_shows_it(page, browser, live_server, live_world):
    w = live_world
    services.rules_choose(locality=w.district, rules_id="yixing-2019", by=w.admin)
    dept = user("minzheng", "department", w.district)
    RoleAssignment.objects.filter(user=dept).update(department="市民政局")

    login(page, live_server, "minzheng")
    page.goto(f"{live_server.url}/duties/")
    page.click("text=提出准入申请")
    page.wait_for_url("**/duties/requests/new/")
    page.locator("#id_title").wait_for()
    fits_phone(page)
    page.fill("#id_title", "协助开展独居老人每月探访")
    page.fill("#id_reason", "独居老人安全风险高")
    page.fill("#id_legal_basis", "江苏省老年人权益保障条例")
    page.fill("#id_community_does", "每月入户探访一次并记录")
    page.check("#id_all_communities")
    page.select_option("#id_frequency", "monthly")
    page.fill("#id_hours_per_community_year", "96")
    page.click("button >> text=提交申请")
    page.locator("#form-error", has_text="费随事转").wait_for()
    assert not AdmissionRequest.objects.exists()
    page.fill("#id_funding_yuan", "6000")
    page.click("button >> text=提交申请")
    page.locator(".messages", has_text="法制办审核").wait_for()
    assert page.locator("[data-testid=request-state]").inner_text() == "审核中"
    fits_phone(page)

    context, admin = _new_page(browser, PHONE_VIEWPORT)
    login(admin, live_server, "admin")
    admin.goto(f"{live_server.url}/duties/requests/")
    admin.click("text=协助开展独居老人每月探访")
    admin.check("input[name=decision][value=refuse]")
    admin.click("button >> text=提交审核意见")
    admin.locator("#decide-error", has_text="须写明理由").wait_for()
    admin.check("input[name=decision][value=pass]")
    admin.click("button >> text=提交审核意见")
    admin.locator(".messages", has_text="常务会议研究").wait_for()
    admin.check("input[name=decision][value=approve]")
    admin.fill("#id_reason", "市政府常务会议研究同意")
    admin.click("button >> text=提交审核意见")
    admin.locator("[data-testid=decision]", has_text="已列入清单").wait_for()
    fits_phone(admin)
    context.close()
    assert AdmissionRequest.objects.get().state == RequestState.APPROVED

    page.reload()
    assert page.locator("[data-testid=request-state]").inner_text() == "已批准"
    context, visitor = _new_page(browser, PHONE_VIEWPORT)
    visitor.goto(f"{live_server.url}/public/")
    visitor.click("text=社区工作事项清单")
    visitor.click(f"text={w.district.name}")
    visitor.locator("[data-testid=list-assist]", has_text="协助开展独居老人每月探访").wait_for()
    fits_phone(visitor)
    context.close()


def test_community_issues_a_certificate_and_a_visitor_checks_it(page, browser, live_server, live_world):
    w = live_world
    certificates.kind_add(locality=w.district, name="居住证明", allowed=True)
    certificates.kind_add(locality=w.district, name="亲属关系证明", allowed=False, refuse_reason="社区无法核实",
                          instead_office="户籍所在地公安派出所")
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/duties/certificates/")
    page.fill("#c-kind", "亲属关系证明")
    page.fill("#c-number", w.hh_a1.number)
    page.fill("#c-name", "张三")
    page.fill("#c-purpose", "办理入学")
    page.click("button >> text=出具")
    page.locator("#form-error", has_text="户籍所在地公安派出所").wait_for()
    page.fill("#c-kind", "居住证明")
    page.click("button >> text=出具")
    code = page.locator("[data-testid=verify-code]").inner_text()
    fits_phone(page)
    context, visitor = _new_page(browser, PHONE_VIEWPORT)
    visitor.goto(f"{live_server.url}/duties/verify/")
    visitor.fill("#v-code", code)
    visitor.fill("#v-name", "张三")
    visitor.click("button >> text=核验")
    visitor.locator("[data-testid=verify-result]", has_text="有效").wait_for()
    assert "一致" in visitor.locator("[data-testid=name-check]").inner_text()
    fits_phone(visitor)
    context.close()


def test_admission_pages_of_every_demo_role_pass_the_crawler(browser, live_server, transactional_db, monkeypatch):
    """The crawler of tests/e2e/test_crawl.py started at /duties/ for each demo role: no server error,
    no link to a refusal, no identifier on a page, nothing wider than the phone, labelled inputs."""
    from gongzhi.admission.manifest import VIEW_DUTIES
    from gongzhi.core import demo
    from tests.e2e.crawl import crawl
    from tests.e2e.crawl import login as crawl_login
    monkeypatch.setenv(demo.PASSWORD_ENV, "crawl-demo-password")
    demo.build_demo(scale=0.02)
    findings, visited = [], {}
    for account in demo.ACCOUNTS:
        context = browser.new_context(locale="zh-CN", viewport=PHONE_VIEWPORT, bypass_csp=True)
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            crawl_login(page, live_server.url, account.username, "crawl-demo-password")
            start = "/duties/" if VIEW_DUTIES.granted_to(account.role) else "/duties/public/"
            result = crawl(page, live_server.url, account.username, start=start, limit=40)
        finally:
            context.close()
        visited[account.username] = len(result.visited)
        findings += [f for f in result.findings if "/duties/" in str(f)]
    assert not findings, "\n".join(str(f) for f in findings)
    assert visited["admin"] >= 10 and visited["department"] >= 5 and visited["community"] >= 5, visited


def test_department_registers_a_meeting_refused_outside_the_lists_and_the_community_sees_it(
        page, browser, live_server, live_world):
    """On a phone: a meeting on no list item is refused with the list it would need (and counted), the
    same meeting on the department's item is registered, and the community finds it on its page."""
    from gongzhi.admission.models import Demand, Refusal
    w = live_world
    services.rules_choose(locality=w.district, rules_id="yixing-2019", by=w.admin)
    dept = user("minzheng", "department", w.district)
    RoleAssignment.objects.filter(user=dept).update(department="市民政局")
    item = services.item_add(locality=w.district, by=w.admin, kind="assist", takeup="", title="协助做好社会救助工作",
                             legal_basis="社会救助暂行办法", department="市民政局", community_does="协助受理低保申请",
                             funding_yuan="12000", funding_note="", hours_per_year="200")

    login(page, live_server, "minzheng")
    page.goto(f"{live_server.url}/duties/")
    page.click("text=会议、台账、挂牌登记")
    page.click("text=登记对社区的要求")
    page.locator("#id_title").wait_for()
    fits_phone(page)
    page.select_option("#id_kind", "meeting")
    page.fill("#id_title", "社会救助工作季度例会")
    page.select_option("#id_item", "none")
    page.select_option("#id_frequency", "quarterly")
    page.fill("#id_hours_per_community_year", "12")
    page.check("#id_all_communities")
    page.click("button >> text=登记")
    page.locator("#form-error", has_text="清单外事项须先提出准入申请").wait_for()
    assert not Demand.objects.exists() and Refusal.objects.count() == 1
    page.select_option("#id_item", str(item.pk))
    page.click("button >> text=登记")
    page.locator("[data-testid=demand-state]", has_text="有效").wait_for()
    fits_phone(page)

    context, community = _new_page(browser, PHONE_VIEWPORT)
    login(community, live_server, "cw_a")
    community.goto(f"{live_server.url}/duties/demands/")
    community.locator("[data-testid=demands-on-me]", has_text="社会救助工作季度例会").wait_for()
    fits_phone(community)
    context.close()
