"""Volunteers on phones in a real browser: a resident signs up as a volunteer and for an activity,
the organiser opens the check-in QR page, the volunteer opens the address the QR holds and checks
in, the organiser confirms hours (an amount over the session is refused first), the volunteer
gets a certificate whose code a visitor checks on the public page."""
import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.volunteers import services
from gongzhi.volunteers.models import Certificate, SignUp
from tests.e2e.conftest import PHONE_VIEWPORT, _new_page, fits_phone, login


def test_sign_up_check_in_confirm_and_certificate_on_phones(page, browser, live_server, live_world):
    w = live_world
    start = timezone.now() - dt.timedelta(minutes=20)
    a = services.activity_publish(community=w.comm_a, title="社区环境清洁日", location="东虹社区中心广场",
                                  starts_at=start, ends_at=start + dt.timedelta(hours=2), places=3,
                                  organiser=w.community_worker_a, skills=["clean"])

    login(page, live_server, "res_a1")
    page.goto(f"{live_server.url}/volunteers/mine/")
    page.get_by_label("环境清洁").check()
    page.select_option("#e-availability", "weekend")
    fits_phone(page)
    page.click("button >> text=注册为志愿者")
    expect(page.locator(".messages")).to_contain_text("已注册为志愿者")
    page.click("text=社区环境清洁日")
    page.click("button >> text=报名参加")
    expect(page.locator(".messages")).to_contain_text("报名成功")
    expect(page.locator("[data-testid=places-left]")).to_have_text("2")
    fits_phone(page)

    context, cw = _new_page(browser, PHONE_VIEWPORT)
    login(cw, live_server, "cw_a")
    cw.goto(f"{live_server.url}/volunteers/activities/{a.pk}/checkin/")
    expect(cw.locator("[data-testid=qr] svg")).to_be_visible()
    expect(cw.locator("[data-testid=checked-in]")).to_have_text("0")
    fits_phone(cw)

    page.goto(f"{live_server.url}/volunteers/scan/{a.token}/")
    page.click("button >> text=签到")
    expect(page.locator(".messages")).to_contain_text("签到成功")
    expect(page.locator("[data-testid=scan-state]")).to_contain_text("已签到")
    fits_phone(page)

    cw.reload()
    expect(cw.locator("[data-testid=checked-in]")).to_have_text("1")
    cw.goto(f"{live_server.url}/volunteers/activities/{a.pk}/")
    record = SignUp.objects.get(activity=a)
    cw.fill(f"input[name=h_{record.pk}]", "5")
    cw.click("button >> text=确认时长")
    expect(cw.locator(".messages")).to_contain_text("超过本场活动的时长 2.0 小时")
    cw.fill(f"input[name=h_{record.pk}]", "1.5")
    cw.click("button >> text=确认时长")
    expect(cw.locator(".messages")).to_contain_text("已确认 1 人的服务时长")
    expect(cw.locator("[data-testid=signups]")).to_contain_text("1.5(已确认)")
    fits_phone(cw)
    context.close()

    page.goto(f"{live_server.url}/volunteers/mine/")
    expect(page.locator("[data-testid=my-hours]")).to_have_text("1.5 小时")
    expect(page.locator("[data-testid=my-points]")).to_have_text("15 分")
    page.click("button >> text=出具证明")
    expect(page.locator(".messages")).to_contain_text("已出具志愿服务证明")
    expect(page.get_by_role("link", name="下载证明")).to_be_visible()
    fits_phone(page)
    code = Certificate.objects.get().code

    context, visitor = _new_page(browser, PHONE_VIEWPORT)
    visitor.goto(f"{live_server.url}/volunteers/verify/")
    visitor.fill("#v-code", code)
    visitor.click("button >> text=核验")
    result = visitor.locator("[data-testid=verify-result]")
    expect(result).to_contain_text("该证明有效")
    expect(result).to_contain_text("张*")
    assert "张三" not in result.inner_text()
    fits_phone(visitor)
    context.close()
