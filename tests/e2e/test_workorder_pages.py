"""Work orders in a real browser: a grid worker reports from a phone with a
photo and the phone's location, the community takes it through the chain, the
figures and the public map draw."""
import pytest

from gongzhi.workorders.models import State, WorkOrder
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS, PHONE_VIEWPORT, login, nav_to

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def phone_with_location(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE_VIEWPORT, permissions=["geolocation"],
                                  geolocation={"latitude": 31.365, "longitude": 119.805})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_grid_worker_reports_from_a_phone_and_the_community_takes_it(phone_with_location, desktop_page,
                                                                      live_server, live_world):
    page = phone_with_location
    login(page, live_server, "gw_a1")
    nav_to(page, "工单")
    page.click("text=上报/受理")
    page.select_option("#id_category", "safety")
    page.fill("#id_description", "三幢楼道电动车充电,堵塞消防通道")
    page.select_option("#id_grid", live_world.grid_a1.code)
    page.set_input_files("#photos", files=[{"name": "scene.png", "mimeType": "image/png", "buffer": PNG}])
    page.click("#locate")
    page.locator("#location", has_text="已定位").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.click("button[type=submit] >> text=提交")
    page.locator("h1", has_text="三幢楼道电动车充电").wait_for()
    page.wait_for_selector("img[alt='scene.png']")
    order = WorkOrder.objects.get()
    assert round(order.lat, 3) == 31.365 and order.grid == live_world.grid_a1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    cw = desktop_page
    login(cw, live_server, "cw_a")
    cw.goto(f"{live_server.url}/orders/{order.pk}/")
    cw.fill("#accept-note", "马上处理")
    cw.click("button >> text=受理")
    cw.locator(".messages", has_text="已受理").wait_for()
    cw.select_option("#dispatch-target", live_world.grid_a1.code)
    cw.click("button >> text=派遣")
    cw.locator(".messages", has_text="已派遣").wait_for()

    page.goto(f"{live_server.url}/orders/inbox/")
    page.locator("td", has_text="已派至").first.wait_for()
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.fill("#reply-text", "已清理楼道,电动车移至充电棚")
    page.click("button >> text=反馈")
    page.locator(".messages", has_text="已反馈").wait_for()
    order.refresh_from_db()
    assert order.state == State.REPLIED and order.owner.username == "cw_a"


def test_figures_and_public_map_draw(desktop_page, live_server, live_world):
    from gongzhi.workorders import services
    from gongzhi.workorders.models import Category, Channel
    services.order_report(category=Category.objects.get(code="sanitation"), description="垃圾", by=None,
                          channel=Channel.OPEN311, lat=31.365, lon=119.805)
    page = desktop_page
    page.goto(f"{live_server.url}/orders/public/map/")
    page.wait_for_selector("#map[data-features]")
    assert page.locator("#map").get_attribute("data-features") == "1"
    assert page.locator("path.leaflet-interactive").count() >= 1
    login(page, live_server, "street_a")
    page.goto(f"{live_server.url}/orders/figures/")
    page.wait_for_selector("#rates-chart canvas")
    page.wait_for_selector("#trend-chart canvas")
    assert "东虹社区" in page.locator("table").inner_text()
