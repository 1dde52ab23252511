"""Sign-in security in the browser (zh-CN, phone width): an admin who must use two-factor sign-in is
sent to set it up, reads the secret (no camera here), confirms with the code an authenticator would show,
sees the recovery codes once, and signs in again with password and code; a recovery code works once;
an initial password is changed before anything else."""
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from gongzhi.accounts import two_factor
from gongzhi.accounts.models import User
from tests.e2e.conftest import fits_phone
from tests.factories import PASSWORD, World


@pytest.fixture
def mandatory(settings):
    settings.GONGZHI_2FA_REQUIRED = "mandatory"


def code_for(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app that was given `secret` by hand shows now (or `steps_ahead` × 30 s on)."""
    totp = TOTP(b32decode(secret.replace(" ", "")), step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def password_step(page, live_server, username, password=PASSWORD, next_url="/people/residents/"):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/?" not in url and not url.endswith("/accounts/login/"))


def log_out(page):
    if page.locator(".menu-toggle").is_visible():  # phones: the header's links sit behind 菜单
        page.click(".menu-toggle")
    page.click("header form button[type=submit]")
    page.wait_for_url("**/accounts/login/")


def test_admin_enrols_and_signs_in_with_a_code(page, live_server, transactional_db, mandatory):
    World()
    password_step(page, live_server, "admin")
    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator(".qr svg").is_visible()
    fits_phone(page)
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.fill("#id_code", "000000")
    page.click("main button[type=submit]")
    # the form posts back to the same address: wait for the answer, not for a new URL
    expect(page.get_by_role("alert").filter(has_text="验证码不正确")).to_be_visible()
    time.sleep(1.1)  # one wrong code: the next try waits a second
    page.fill("#id_code", code_for(secret))
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/recovery-codes/")
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10 and all(len(c) == 8 for c in codes)
    assert page.get_by_text("只显示这一次").is_visible()
    fits_phone(page)
    page.reload()  # shown once
    assert page.get_by_test_id("recovery-codes").count() == 0
    page.goto(f"{live_server.url}/people/residents/")
    assert "/people/residents/" in page.url
    page.click(".menu-toggle")
    page.get_by_role("link", name="修改密码").click()  # the header's link to one's own password
    page.wait_for_url("**/accounts/password/")
    log_out(page)

    password_step(page, live_server, "admin")
    assert "/accounts/login/code/" in page.url
    assert page.get_by_role("heading", name="两步验证").is_visible()
    fits_phone(page)
    page.fill("#id_code", code_for(secret, 1))  # the set-up used this period's code: the next one
    page.click("main button[type=submit]")
    page.wait_for_url("**/people/residents/")


def test_a_recovery_code_works_once(page, live_server, transactional_db, mandatory):
    world = World()
    device = two_factor.enrolment_device(world.community_worker_a)
    device.confirmed = True
    device.save()
    codes = two_factor.new_recovery_codes(user=world.community_worker_a)
    password_step(page, live_server, "cw_a")
    assert "/accounts/login/code/" in page.url
    page.fill("#id_code", codes[0])
    page.click("main button[type=submit]")
    page.wait_for_url("**/people/residents/")
    assert page.get_by_text("已使用一个恢复码,还剩 9 个").is_visible()
    log_out(page)

    password_step(page, live_server, "cw_a")
    page.fill("#id_code", codes[0])
    page.click("main button[type=submit]")
    expect(page.get_by_role("alert").filter(has_text="验证码不正确或已过期")).to_be_visible()
    assert "/accounts/login/code/" in page.url
    page.goto(f"{live_server.url}/people/residents/")
    assert "/accounts/login/code/" in page.url  # still nothing without a good code


def test_an_initial_password_is_changed_first(page, live_server, transactional_db):
    world = World()
    User.objects.filter(pk=world.grid_worker_a1.pk).update(must_change_password=True)
    password_step(page, live_server, "gw_a1", next_url="/orders/")
    assert "/accounts/password/" in page.url
    assert page.get_by_test_id("password-reason").is_visible()
    fits_phone(page)
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "abcdefgh")
    page.fill("#id_new_password2", "abcdefgh")
    page.click("main button[type=submit]")
    expect(page.get_by_text("四类中的至少 3 类").first).to_be_visible()
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "Wode-mima-2026")
    page.fill("#id_new_password2", "Wode-mima-2026")
    page.click("main button[type=submit]")
    page.wait_for_url("**/orders/")
    assert page.get_by_text("密码已修改").is_visible()



def test_demo_accounts_under_the_demo_servers_rule(page, live_server, transactional_db, mandatory):
    """The demo server runs with two-factor sign-in mandatory: the demo admin enrols in the browser with the
    printed password; the accounts that must use it are sent to set it up, the others go straight in."""
    from gongzhi.accounts.demo import two_factor_accounts
    from gongzhi.core import demo
    demo.build_demo(scale=0.02)
    must = set(two_factor_accounts())  # what the demo prints
    assert "admin" in must and "grid" not in must
    for account in demo.ACCOUNTS:
        page.context.clear_cookies()
        password_step(page, live_server, account.username, demo.demo_password(), next_url="/orders/")
        assert ("/accounts/two-factor/setup/" in page.url) == (account.username in must), (account.username, page.url)
    page.context.clear_cookies()
    password_step(page, live_server, "admin", demo.demo_password())
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.fill("#id_code", code_for(secret))
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/recovery-codes/")
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    page.goto(f"{live_server.url}/accounts/")
    assert "/accounts/" in page.url and page.get_by_role("heading", name="账号管理").is_visible()
