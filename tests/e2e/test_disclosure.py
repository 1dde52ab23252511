"""The disclosure board in a real browser on a phone: the committee worker publishes a finance
item with a PDF attached, sees the category turn fresh on the home page, and a visitor without an
account reads it on the community's board and opens the A3 poster."""
from django.utils import timezone

from gongzhi.disclosure.models import Item
from gongzhi.ledgers.models import Disclosure
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1


def test_committee_publishes_on_a_phone_and_a_visitor_reads_the_board(page, browser, live_server, live_world, tmp_path):
    w = live_world
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/")
    panel = page.locator("[data-testid=panel-freshness]")
    assert panel.locator("[data-status=stale]").count() == 4  # nothing published yet: every category red
    _fits(page)
    page.goto(f"{live_server.url}/disclosure/")
    page.click("text=发布公开事项")
    page.select_option("#id_category", "finance")
    page.fill("#id_title", "第四季度财务收支情况")
    page.fill("#id_body", "收入:社区服务经费 12,000 元\n支出:活动经费 9,800 元")
    attachment = tmp_path / "收支明细.pdf"
    attachment.write_bytes(PDF)
    page.set_input_files("#id_attachment", str(attachment))
    _fits(page)
    page.click("button[type=submit] >> text=发布")
    page.locator(".messages", has_text="已在").wait_for()
    assert page.locator("h1").inner_text() == "第四季度财务收支情况"
    _fits(page)
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
    _fits(visitor)
    with visitor.expect_response(lambda r: r.url.endswith("poster.pdf")) as poster:
        visitor.evaluate("url => fetch(url)", f"{live_server.url}/disclosure/board/{w.comm_a.code}/poster.pdf")
    assert poster.value.status == 200 and poster.value.headers["content-type"] == "application/pdf"
    context.close()
