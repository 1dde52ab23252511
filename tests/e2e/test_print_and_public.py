"""Paper and the public entry, in Chromium (zh-CN):

- the household card, the work order, the ledger and the monthly figures print on A4: in print
  media the site's header, navigation and buttons go and a print header (platform, title, unit,
  date) appears; the 打印 button opens the print dialog; a PDF with the browser's footer carries
  page numbers, and a long table repeats its header row on every page;
- a visitor at / finds the public pages and the way in; the public map names its grids;
- the API docs load with no request leaving this machine, and draw the operations."""
import datetime as dt
import unicodedata
from io import BytesIO
from urllib.parse import urlparse

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import login

FOOTER = ('<div style="font-size:8px;width:100%;text-align:center">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def _order(w):
    from gongzhi.workorders import services
    from gongzhi.workorders.models import Category, Channel
    return services.order_report(category=Category.objects.get(code="sanitation"), description="三幢门口垃圾堆放",
                                 channel=Channel.WINDOW, by=w.community_worker_a, grid=w.grid_a1)


def _meetings(w, n):
    from gongzhi.ledgers.models import Meeting
    year = dt.date.today().year
    Meeting.objects.bulk_create([Meeting(community=w.comm_a, kind="residents", held_on=dt.date(year, 1, 1 + i % 28),
                                         title=f"第{i + 1}次会议:议定楼道清理与电梯加装事项", attendees=30)
                                 for i in range(n)])
    return year


def _pages(w):
    order = _order(w)
    year = _meetings(w, 3)
    return {"household": (f"/people/households/{w.hh_a1.pk}/", "居民户卡"),
            "order": (f"/orders/{order.pk}/", order.number),
            "ledger": (f"/ledgers/{w.comm_a.code}/?tab=meetings&year={year}", "社区台账"),
            "figures": ("/orders/figures/", "工单统计")}


def _pdf_text(pdf: bytes) -> list[str]:
    """Each page's text without spaces, NFKC (the CJK font maps some characters to Kangxi radicals)."""
    return ["".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in PdfReader(BytesIO(pdf)).pages]


@pytest.mark.parametrize("which", ["household", "order", "ledger", "figures"])
def test_the_four_papers_print_on_a4_with_a_header_and_page_numbers(desktop_page, live_server, live_world, which):
    page = desktop_page
    login(page, live_server, "cw_a")
    url, title = _pages(live_world)[which]
    page.goto(live_server.url + url)
    header = page.locator("[data-testid=print-header]")
    assert not header.is_visible()  # the screen does not show it
    button = page.locator("[data-print]")
    assert button.is_visible() and button.inner_text() == "打印"
    # the button opens the browser's print dialog
    page.evaluate("() => { window.print = () => { window.printCalls = (window.printCalls || 0) + 1; }; }")
    button.click()
    assert page.evaluate("window.printCalls") == 1

    page.emulate_media(media="print")
    assert header.is_visible()
    text = header.inner_text()
    assert "共治社区治理平台" in text and title in text and "东虹社区" in text
    assert dt.date.today().isoformat() in text
    for hidden in ("header.top", "nav.main", "[data-print]"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    if page.locator("table thead").count():
        assert page.evaluate("getComputedStyle(document.querySelector('table thead')).display") \
            == "table-header-group"
        assert page.evaluate("getComputedStyle(document.querySelector('tbody tr')).breakInside") == "avoid"
    link = page.locator("main a").first
    if link.count():
        assert page.evaluate("el => getComputedStyle(el).textDecorationLine", link.element_handle()) == "none"

    pdf = page.pdf(format="A4", display_header_footer=True, footer_template=FOOTER, header_template="<span></span>",
                   margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"})
    pages = _pdf_text(pdf)
    box = PdfReader(BytesIO(pdf)).pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1.5 and abs(float(box.height) - 841.9) < 1.5  # A4 in points
    assert "共治社区治理平台" in pages[0] and pages[0].endswith(f"1/{len(pages)}")


def test_a_long_ledger_repeats_its_header_row_on_every_printed_page(desktop_page, live_server, live_world):
    page = desktop_page
    year = _meetings(live_world, 90)
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/ledgers/{live_world.comm_a.code}/?tab=meetings&year={year}")
    first_header = page.locator("table thead th").first.inner_text().strip()
    page.emulate_media(media="print")
    pages = _pdf_text(page.pdf(format="A4", display_header_footer=True, footer_template=FOOTER,
                               header_template="<span></span>", margin={"top": "14mm", "bottom": "16mm"}))
    assert len(pages) >= 2
    for n, text in enumerate(pages, start=1):
        assert first_header in text, n
        assert text.endswith(f"{n}/{len(pages)}")
    # no meeting row is split across two pages: each title is whole on one page
    titles = [f"第{i + 1}次会议:议定楼道清理与电梯加装事项" for i in range(90)]
    assert all(sum(t in p for p in pages) == 1 for t in titles)


def test_a_visitor_finds_the_public_pages_and_the_way_in(page, live_server, live_world):
    page.goto(live_server.url + "/")
    page.wait_for_url("**/public/")
    links = page.locator("[data-testid=public-pages] a")
    assert {links.nth(i).inner_text() for i in range(links.count())} >= {"事件地图", "评估结果公示"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.click("[data-testid=login-button]")
    page.wait_for_url("**/accounts/login/**")
    page.click("[data-testid=public-links] >> text=公开信息首页")
    page.wait_for_url("**/public/")
    page.click("[data-testid=public-pages] >> text=事件地图")
    page.locator("#map .grid-label").first.wait_for()
    names = page.locator("#map .grid-label").all_inner_texts()
    assert sorted(names) == sorted(f"{g.parent.name}{g.name}" if not g.name.startswith(g.parent.name) else g.name
                                   for g in (live_world.grid_a1, live_world.grid_a2, live_world.grid_b1))
    assert "每个圆点是一件正在办理的群众诉求" in page.locator("[data-testid=map-explained]").inner_text()


def test_api_docs_work_offline_for_staff(browser, live_server, live_world):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    outside, csp = [], []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "gw_a1")
    page.goto(live_server.url + "/api/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 5
    assert page.locator(".opblock-summary-path", has_text="/api/residents").count() >= 1
    page.wait_for_load_state("networkidle")
    assert outside == [] and csp == []
    context.close()


def test_api_docs_are_closed_to_residents_and_visitors(page, live_server, live_world):
    page.goto(live_server.url + "/api/docs")
    page.wait_for_url("**/accounts/login/**")
    login(page, live_server, "res_a1")
    response = page.goto(live_server.url + "/api/docs")
    assert response.status == 403


LISTS = ["/people/residents/", "/orders/?state=", "/orders/visits/", "/orders/inbox/", "/places/", "/accounts/",
         "/access-log/", "/orders/disputes/", "/standards/assessments/", "/standards/funding/?pack=yixing-2019",
         "/standards/packs/yixing-2019/"]
CUT_OFF = """() => [...document.querySelectorAll('main *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== 'inline')
  .map(e => e.tagName + '.' + e.className)"""


def test_every_list_prints_bare_and_uncut(desktop_page, live_server, live_world):
    """Every list page on paper: no header, navigation, forms or pager, nothing cut off at the A4
    portrait width (186 mm between the margins = 703 px); the wide assessment matrix turns the page
    to A4 landscape and fits it."""
    from gongzhi.standards import assess, packs
    pack = packs.load("yixing-2019")
    run = assess.run(assess.start(pack=pack, period=2025, scope=live_world.district), pack)
    _order(live_world)
    page = desktop_page
    login(page, live_server, "admin")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 1000})
    for url in LISTS + [f"/standards/assessments/{run.pk}/"]:
        page.goto(live_server.url + url)
        shown = [s for s in ("header.top", "main form", ".pager", "main button") if page.locator(s).count()
                 and any(page.locator(s).nth(i).is_visible() for i in range(page.locator(s).count()))]
        assert shown == [], (url, shown)
        assert page.evaluate(CUT_OFF) == [], url
    page.goto(f"{live_server.url}/standards/assessments/{run.pk}/matrix/")
    box = PdfReader(BytesIO(page.pdf(prefer_css_page_size=True))).pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    page.set_viewport_size({"width": 1046, "height": 700})  # A4 landscape between the margins
    assert page.evaluate(CUT_OFF) == []
