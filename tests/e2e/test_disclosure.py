"""The disclosure board in a real browser on a phone: the committee worker publishes a finance
item with a PDF attached, sees the category turn fresh on the home page, and a visitor without an
account reads it on the community's board and opens the A3 poster."""
from django.utils import timezone

from gongzhi.disclosure.models import Item
from gongzhi.ledgers.models import Disclosure
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_committee_publishes_on_a_phone_and_a_visitor_reads_the_board(page, browser, live_server, live_world, tmp_path):
    w = live_world
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/")
    panel = page.locator("[data-testid=panel-freshness]")
    assert panel.locator("[data-status=stale]").count() == 4  # nothing published yet: every category red
    fits_phone(page)
    page.goto(f"{live_server.url}/disclosure/")
    page.click("text=发布公开事项")
    page.select_option("#id_category", "finance")
    page.fill("#id_title", "第四季度财务收支情况")
    page.fill("#id_body", "收入:社区服务经费 12,000 元\n支出:活动经费 9,800 元")
    attachment = tmp_path / "收支明细.pdf"
    attachment.write_bytes(PDF)
    page.set_input_files("#id_attachment", str(attachment))
    fits_phone(page)
    page.click("button[type=submit] >> text=发布")
    page.locator(".messages", has_text="已在").wait_for()
    assert page.locator("h1").inner_text() == "第四季度财务收支情况"
    fits_phone(page)
    item = Item.objects.get()
    assert Disclosure.objects.get(source_pk=item.pk).published_on == timezone.localdate()  # its ledger row
    page.goto(f"{live_server.url}/")
    assert panel.locator("[data-status=fresh]").count() == 1

    context, visitor = _new_page(browser, PHONE_VIEWPORT)
    visitor.goto(f"{live_server.url}/public/")
    visitor.click("text=居务公开栏")
    visitor.click(f"text={w.comm_a.name}")
    finance = visitor.locator("[data-testid=board-finance]")
    finance.locator("text=第四季度财务收支情况").wait_for()
    text = visitor.locator("main").inner_text() if visitor.locator("main").count() else visitor.inner_text("body")
    assert "12,000 元" in text and "cw_a" not in text and "张三" not in text
    assert finance.locator("text=收支明细.pdf").count() == 1
    fits_phone(visitor)
    with visitor.expect_response(lambda r: r.url.endswith("poster.pdf")) as poster:
        visitor.evaluate("url => fetch(url)", f"{live_server.url}/disclosure/board/{w.comm_a.code}/poster.pdf")
    assert poster.value.status == 200 and poster.value.headers["content-type"] == "application/pdf"
    context.close()


def test_every_disclosure_page_reads_well_on_a_phone_for_each_role(browser, live_server, live_world):
    """The crawler's checks (no server error, no link to a refusal, no English identifier, nothing wider
    than the phone, no serious axe finding) on the disclosure pages of every role that reaches them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.disclosure import services
    from tests.e2e.crawl import crawl
    w = live_world
    services.publish(community=w.comm_a, category="plan", title="第四季度工作计划", body="一、环境整治\n二、议事协商",
                     by=w.community_worker_a, attachment=SimpleUploadedFile("计划.pdf", PDF))
    gone = services.publish(community=w.comm_a, category="major", title="加装电梯方案公示", body="公示 7 天",
                            by=w.community_worker_a)
    services.withdraw(item=gone, reason="方案修改后重新公示", by=w.community_worker_a)
    findings, axe_done = [], set()
    for username, start in (("cw_a", "/disclosure/"), ("street_a", "/disclosure/freshness/"),
                            ("gw_a1", "/disclosure/"), ("res_a1", "/disclosure/mine/"), ("", "/disclosure/board/")):
        context, page = _new_page(browser, PHONE_VIEWPORT)
        try:
            if username:
                login(page, live_server, username)
            result = crawl(page, live_server.url, username or "visitor", start=start, limit=25, axe_done=axe_done)
        finally:
            context.close()
        assert any(url.startswith("/disclosure/") for url in result.visited)
        findings += [f for f in result.findings if f.url.startswith("/disclosure/")]
    assert not findings, "\n".join(str(f) for f in findings)
