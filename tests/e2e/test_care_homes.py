"""残疾人之家 set up on a phone (390 px, Chromium, zh-CN): the community worker opens the 残疾人之家 page, follows
新建残疾人之家, is refused in Chinese naming the field (no service chosen, then places missing), then saves the
home and finds it on the list; every page fits the phone."""
from playwright.sync_api import expect

from gongzhi.care.models import DisabilityHome
from tests.e2e.conftest import fits_phone, login


def test_the_community_sets_up_a_home_on_a_phone(page, live_server, live_world):
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/care/disabled/")
    page.get_by_role("link", name="新建残疾人之家").click()
    fits_phone(page)
    form = page.get_by_role("form", name="新建残疾人之家")
    page.fill("#h-name", "东虹社区残疾人之家")
    page.fill("#h-hours", "周一至周五 8:30-16:30")
    page.fill("#h-phone", "0510-87654321")
    for box in form.locator("input[name=services]").all():
        box.uncheck()
    form.get_by_role("button", name="新建").click()
    expect(page.locator("#home-error")).to_contain_text("服务:请至少选择一项")
    fits_phone(page)
    assert not DisabilityHome.objects.exists()
    page.check("input[name=services][value=day_care]")
    page.check("input[name=services][value=job_help]")
    page.fill("#h-day", "0")
    page.get_by_role("form", name="新建残疾人之家").get_by_role("button", name="新建").click()
    expect(page.locator("#home-error")).to_contain_text("日间照料名额")
    fits_phone(page)
    page.fill("#h-day", "8")
    page.fill("#h-contact", "王主任")
    page.get_by_role("form", name="新建残疾人之家").get_by_role("button", name="新建").click()
    expect(page.locator(".messages")).to_contain_text("已设置东虹社区残疾人之家")
    fits_phone(page)
    home = DisabilityHome.objects.get()
    assert home.services == ["day_care", "job_help"] and home.day_care_places == 8 and home.rehab_places == 0
    page.goto(f"{live_server.url}/care/disabled/")
    expect(page.locator("[data-testid=homes]")).to_contain_text("东虹社区残疾人之家")
    fits_phone(page)
