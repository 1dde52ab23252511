"""The service station on a phone: the committee worker sets the hours (a bad row first: the end before
the start), opens the windows, sees the gap of the coming fortnight on the home page, fills the rota in
turn, records a swap; a visitor reads the station's hours, who is on duty today (name and post only)
and an item's guide."""
from django.utils import timezone

from gongzhi.desks.models import Duty, Session, Swap
from tests.desks.test_desks import _worker
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login


def test_committee_keeps_the_station_and_a_visitor_reads_it(page, browser, live_server, live_world):
    w = live_world
    _worker("cw_a2", w.comm_a, "赵六")
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/desks/manage/{w.comm_a.code}/")
    fits_phone(page)
    page.click("a.button >> text=开放时间")
    # every day 00:00—23:59 (so the test does not depend on the weekday); a bad row first
    page.select_option("#h-day-1", "0")
    page.fill("[aria-label='第 1 行开始']", "18:00")
    page.fill("[aria-label='第 1 行结束']", "09:00")
    page.click("button[type=submit] >> text=保存")
    assert "结束时间须晚于开始时间" in page.locator("[data-testid=error]").inner_text()
    assert not Session.objects.exists()
    fits_phone(page)
    for first in (1, 5):  # four blank rows a visit
        if first == 5:
            page.click("a.button >> text=开放时间")
        for row in range(first, first + 4):
            page.select_option(f"#h-day-{row}", str(row - 1))
            page.fill(f"[aria-label='第 {row} 行开始']", "00:00")
            page.fill(f"[aria-label='第 {row} 行结束']", "23:59")
        page.click("button[type=submit] >> text=保存")
        page.locator(".messages", has_text="开放时间已保存").wait_for()
    assert Session.objects.count() == 8
    page.click("a.button >> text=服务窗口")
    page.check("input[name=run_assistance]")
    page.check("input[name=items_assistance][value=svc_dibao]")
    fits_phone(page)
    page.click("button[type=submit] >> text=保存")
    page.locator(".messages", has_text="服务窗口已保存").wait_for()

    page.goto(f"{live_server.url}/")
    assert page.locator("[data-testid=desk-gap-count]").inner_text() == "14"  # nobody on duty yet
    page.goto(f"{live_server.url}/desks/manage/{w.comm_a.code}/")
    page.click("[data-testid=fill]")
    page.locator(".messages", has_text="已按轮换补排").wait_for()
    assert Duty.objects.count() == 28
    page.goto(f"{live_server.url}/")
    assert page.locator("[data-testid=desk-gap-count]").inner_text() == "0"
    page.goto(f"{live_server.url}/desks/manage/{w.comm_a.code}/")
    page.locator("a", has_text="换班").first.click()
    page.fill("#s-reason", "家中老人就医")
    partner = page.locator("#s-with option").nth(1).get_attribute("value")
    page.select_option("#s-with", partner)
    page.click("button[type=submit] >> text=登记换班")
    page.locator(".messages", has_text="已登记换班").wait_for()
    assert Swap.objects.get().reason == "家中老人就医"
    assert "家中老人就医" in page.locator("[data-testid=swaps]").inner_text()
    fits_phone(page)

    on_duty = Duty.objects.filter(date=timezone.localdate()).select_related("user").first().user
    context, visitor = _new_page(browser, PHONE_VIEWPORT)
    visitor.goto(f"{live_server.url}/public/")
    visitor.click("text=服务站与办事指南")
    visitor.click("text=东虹社区服务站")
    duty = visitor.locator("[data-testid=on-duty]").inner_text()
    assert str(on_duty) in duty and "社区工作者" in duty and on_duty.username not in duty
    fits_phone(visitor)
    visitor.click("text=最低生活保障申请")
    guide = visitor.locator("main").inner_text() if visitor.locator("main").count() else visitor.inner_text("body")
    assert "低保申请书" in guide and "窗口受理" in guide and "受理后 10 个工作日内办结" in guide
    fits_phone(visitor)
    context.close()


def test_every_desk_page_reads_well_on_a_phone_for_each_role(browser, live_server, live_world):
    """The crawler's checks on the desks' pages of every role that reaches them."""
    from gongzhi.desks import services
    from tests.e2e.crawl import crawl
    w = live_world
    for place, by in ((w.comm_a, w.community_worker_a), (w.street_a, w.street_officer_a)):
        station = services.station_for(place)
        services.set_hours(station=station, by=by, rows=[(d, "08:30", "12:00", 1) for d in range(8)]
                           + [(1, "17:30", "20:00", 1)])
        services.set_windows(station=station, by=by, windows={"assistance": ["svc_dibao"], "party": ["svc_party_transfer"]})
    services.fill(station=services.station_for(w.comm_a), start=timezone.localdate(), days=7, by=w.community_worker_a)
    findings, axe_done = [], set()
    for username, start in (("cw_a", "/desks/manage/"), ("street_a", "/desks/manage/"), ("", "/desks/")):
        context, page = _new_page(browser, PHONE_VIEWPORT)
        try:
            if username:
                login(page, live_server, username)
            result = crawl(page, live_server.url, username or "visitor", start=start, limit=25, axe_done=axe_done)
        finally:
            context.close()
        assert any(url.startswith("/desks/") for url in result.visited)
        findings += [f for f in result.findings if f.url.startswith("/desks/")]
    assert not findings, "\n".join(str(f) for f in findings)
