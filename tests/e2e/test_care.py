"""Care on a phone (390 px, Chromium): the grid worker opens the visit list, a visit without the person's
condition is refused with a Chinese message, the visit is recorded with a hardship report in one step;
the provider's check-out before check-in is refused, then check-in and check-out; every page fits the phone."""
from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.care import orders
from gongzhi.care.models import CareVisit, HardshipReport, ServiceOrder, Station, StationStaff
from tests.care.conftest import Households
from tests.e2e.conftest import fits_phone, login, nav_to
from tests.factories import user


def test_visit_and_service_on_a_phone(page, live_server, live_world):
    w = live_world
    homes = Households(w)
    login(page, live_server, "gw_a1")
    nav_to(page, "关爱对象")
    expect(page.locator("[data-testid=care-people]")).to_contain_text("孤老甲")
    fits_phone(page)
    page.click("text=走访名单")
    item = page.locator("[data-testid=due-list] li", has_text="孤老甲")
    item.get_by_role("link", name="记录走访").click()
    page.fill("#v-notes", "精神尚可,腿脚不便")
    page.click("button >> text=保存走访")
    expect(page.locator("#visit-error")).to_contain_text("身体和生活状况")
    fits_phone(page)
    assert not CareVisit.objects.exists()
    page.check("input[name=condition][value=poor]")
    page.fill("#v-findings", "老人摔伤后无人照料,医药费困难")
    page.select_option("#v-follow", "hardship")
    page.select_option("#v-hardship", "illness")
    page.click("button >> text=保存走访")
    expect(page.locator(".messages")).to_contain_text("已作困难上报")
    assert CareVisit.objects.get().resident == homes.alone
    assert HardshipReport.objects.get().state == "reported"

    station = Station.objects.create(place=w.comm_a, level="community", name="东虹社区居家养老服务站",
                                     services=["meal"], hours="8:00-17:00", capacity=30)
    provider = user("prov_a", "provider", w.comm_a)
    StationStaff.objects.create(user=provider, station=station)
    order = orders.order_place(resident=homes.alone, kind="meal", scheduled_for=timezone.now(),
                               by=w.community_worker_a, station=station)
    page.context.clear_cookies()
    login(page, live_server, "prov_a")
    nav_to(page, "服务工单")
    page.get_by_role("button", name="签退").click()
    expect(page.locator(".messages")).to_contain_text("还没有签到,不能签退")
    page.get_by_role("button", name="签到").click()
    expect(page.locator(".messages")).to_contain_text("已签到")
    page.fill(f"#n-{order.pk}", "送餐上门")
    page.get_by_role("button", name="签退").click()
    expect(page.locator(".messages")).to_contain_text("已签退")
    fits_phone(page)
    order.refresh_from_db()
    assert order.state == "done" and order.checked_in_at <= order.checked_out_at
    assert ServiceOrder.objects.count() == 1
