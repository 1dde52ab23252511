"""A resident opens their own account on a 390 px phone (zh-CN): from the login page's link, through the
registry match, the code the console sender prints, and their own password, to their home page made of
the modules' resident panels. A wrong field says only 「信息与登记不符」. A community worker opens one at
the desk for an elder, who must change the first password at first sign-in."""
import datetime as dt
import re

from gongzhi.accounts.models import User
from tests.e2e.conftest import fits_phone, login
from tests.factories import id_number, resident

PHONE = "13900002222"
PASSWORD_NEW = "Qing-he-2026!"


def test_a_resident_signs_up_on_a_phone_and_lands_on_their_home(page, live_server, live_world, capfd):
    w = live_world
    number = id_number(dt.date(1975, 3, 8))
    fang = resident(w.hh_a2, "王芳", relation="10", id_number=number, phone=PHONE)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="用手机开通居民账号").click()
    page.wait_for_url("**/people/signup/")
    fits_phone(page)
    # one wrong field: the one message, naming no field
    page.get_by_label("姓名").fill("王方")
    page.get_by_label("公民身份号码").fill(number)
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    assert page.get_by_test_id("signup-error").inner_text() == "信息与登记不符"
    fits_phone(page)

    page.get_by_label("姓名").fill("王芳")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/people/signup/code/")
    assert page.get_by_test_id("signup-phone").inner_text() == "139****2222"
    fits_phone(page)
    code = re.findall(r"验证码是 (\d{6})", capfd.readouterr().out)[-1]  # what the console sender printed
    page.get_by_label("短信验证码").fill(code)
    page.get_by_role("button", name="下一步").click()
    page.wait_for_url("**/people/signup/password/")
    page.get_by_label("登录名").fill("wangfang")
    page.fill("#id_password1", PASSWORD_NEW)
    page.fill("#id_password2", PASSWORD_NEW)
    fits_phone(page)
    page.get_by_role("button", name="开通账号").click()
    page.wait_for_url("**/people/home/")
    assert page.locator("h1").inner_text() == "王芳,您好"
    for title in ("我的家庭", "我的诉求", "社区议题", "消息"):
        assert page.get_by_role("heading", name=re.compile(title)).first.is_visible(), title
    assert "HA2" in page.locator("main").inner_text()
    fits_phone(page)
    assert User.objects.get(username="wangfang").resident == fang

    # the next day: signs in with the password chosen, and lands on the same home
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "wangfang")
    page.fill("#id_password", PASSWORD_NEW)
    page.click("button[type=submit]")
    page.wait_for_url("**/people/home/")


def test_a_community_worker_opens_an_account_at_the_desk(page, live_server, live_world):
    w = live_world
    login(page, live_server, "cw_a")
    page.goto(f"{live_server.url}/people/residents/{w.res_a2.pk}/")
    page.get_by_role("link", name="代为开通居民账号").click()
    fits_phone(page)
    page.get_by_label("登录名").fill("lisi")
    page.fill("#id_password1", PASSWORD_NEW)
    page.fill("#id_password2", PASSWORD_NEW)
    page.get_by_role("button", name="开通账号").click()
    page.wait_for_url(f"**/people/residents/{w.res_a2.pk}/")
    assert page.get_by_test_id("has-account").is_visible()
    assert User.objects.get(username="lisi").must_change_password
