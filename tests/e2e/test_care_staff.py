"""A station's staff account bound on a phone (390 px, Chromium, zh-CN): the community worker opens the station from
养老服务站点, an unknown account is refused in Chinese, the provider account is bound and listed, then its binding
is ended and moves to the past staff; every page fits the phone."""
from playwright.sync_api import expect

from gongzhi.care.models import Station, StationStaff
from tests.e2e.conftest import fits_phone, login
from tests.factories import user


def test_the_community_binds_a_station_account_on_a_phone(page, live_server, live_world):
    w = live_world
    station = Station.objects.create(place=w.comm_a, level="community", name="东虹社区居家养老服务站",
                                     services=["meal", "cleaning"], hours="8:00-17:00", capacity=30)
    user("prov_a", "provider", w.comm_a, display_name="陈服务")
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/care/stations/")
    page.locator("[data-testid=stations]").get_by_role("link", name="东虹社区居家养老服务站").click()
    expect(page.locator("h1")).to_have_text("东虹社区居家养老服务站")
    assert page.title().startswith("东虹社区居家养老服务站")
    fits_phone(page)
    form = page.get_by_role("form", name="绑定工作人员账号")
    form.get_by_label("账号登录名").fill("nobody")
    form.get_by_role("button", name="绑定").click()
    expect(page.locator("#staff-error")).to_contain_text("没有名为「nobody」的有效账号")
    fits_phone(page)
    assert not StationStaff.objects.exists()
    page.get_by_role("form", name="绑定工作人员账号").get_by_label("账号登录名").fill("prov_a")
    page.get_by_role("form", name="绑定工作人员账号").get_by_role("button", name="绑定").click()
    expect(page.locator(".messages")).to_contain_text("已将账号「prov_a」绑定为「东虹社区居家养老服务站」的工作人员账号")
    expect(page.locator("[data-testid=staff-current]")).to_contain_text("陈服务")
    fits_phone(page)
    binding = StationStaff.objects.get()
    assert (binding.station, binding.user.username, binding.bound_by) == (station, "prov_a", w.community_worker_a)
    page.get_by_role("form", name="结束陈服务的绑定").get_by_role("button", name="结束绑定").click()
    expect(page.locator(".messages")).to_contain_text("不再是「东虹社区居家养老服务站」的工作人员账号")
    expect(page.locator("[data-testid=staff-past]")).to_contain_text("陈服务")
    expect(page.locator("[data-testid=staff-current]")).to_contain_text("没有在岗的工作人员账号")
    fits_phone(page)
    binding.refresh_from_db()
    assert binding.ended_on is not None and binding.ended_by == w.community_worker_a
