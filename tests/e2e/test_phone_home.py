"""On a phone the header is one 菜单 button (the links open under it), and the grid
worker's home is their day: the big 上报 and 民情日记 buttons and the desk's counts."""
from gongzhi.workorders import services
from gongzhi.workorders.models import Category, Channel
from tests.e2e.conftest import login


def test_the_phone_header_folds_into_a_menu(page, live_server, live_world):
    login(page, live_server, "gw_a1")
    nav = page.locator("nav.main")
    button = page.get_by_role("button", name="菜单")
    assert button.is_visible() and not nav.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    button.click()
    assert nav.is_visible() and button.get_attribute("aria-expanded") == "true"
    nav.get_by_role("link", name="民情日记").click()
    page.wait_for_url("**/orders/visits/")


def test_a_desktop_shows_the_links_in_a_row(desktop_page, live_server, live_world):
    login(desktop_page, live_server, "gw_a1")
    assert desktop_page.locator("nav.main").is_visible()
    assert not desktop_page.get_by_role("button", name="菜单").is_visible()


def test_the_grid_workers_home_is_their_day(page, live_server, live_world):
    w = live_world
    order = services.order_report(category=Category.objects.get(code="sanitation"), description="楼道堆满杂物",
                                  channel=Channel.GRID, by=w.grid_worker_a1, grid=w.grid_a1)
    order = services.order_accept(order=order, by=w.community_worker_a, version=order.version)
    services.order_dispatch(order=order, by=w.community_worker_a, version=order.version, place=w.grid_a1)
    login(page, live_server, "gw_a1")
    report = page.get_by_role("link", name="上报事件")
    assert report.is_visible() and report.bounding_box()["height"] >= 44  # a thumb-sized target
    assert page.get_by_role("link", name="记民情日记").is_visible()
    assert page.get_by_test_id("desk-waiting").inner_text() == "1"
    page.get_by_role("link", name="楼道堆满杂物").click()
    page.wait_for_url(f"**/orders/{order.pk}/")
