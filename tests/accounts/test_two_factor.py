"""Two-factor sign-in (MLPS level 3): who must use it, enrolment, the code step, recovery codes, and that
someone who must use it reaches nothing before they have."""
import re
import time

import pytest
from django.conf import settings as django_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.accounts import two_factor
from gongzhi.accounts.models import RoleAssignment
from tests import factories as f
from tests.factories import PASSWORD

SETUP = "/accounts/two-factor/setup/"
CODE = "/accounts/login/code/"


@pytest.fixture(autouse=True)
def _mandatory(settings):
    settings.GONGZHI_2FA_REQUIRED = "mandatory"


def token(device, steps_ahead=0) -> str:
    """What the user's authenticator shows (steps_ahead=1: the next 30 s; the device accepts it, and a code
    already used is never accepted twice)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def enrol(client, user=None) -> tuple[TOTPDevice, list[str]]:
    """Through the pages: open the set-up, type the code, read the recovery codes."""
    r = client.get(SETUP)
    assert r.status_code == 200
    secret = r.context["secret"].replace(" ", "")
    device = TOTPDevice.objects.get(user=r.context["user"], confirmed=False)
    from base64 import b32encode
    assert b32encode(device.bin_key).decode() == secret
    r = client.post(SETUP, {"code": token(device)})
    assert r.status_code == 302 and r["Location"] == "/accounts/two-factor/recovery-codes/"
    codes = client.get(r["Location"]).context["codes"]
    device.refresh_from_db()
    return device, codes


def sign_in(client, username, code=None):
    r = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert r.status_code == 302
    if code is not None:
        return client.post(CODE, {"code": code})
    return r


# -- who -------------------------------------------------------------------------------

def _required(user, mode, settings):
    settings.GONGZHI_2FA_REQUIRED = mode
    return two_factor.required_for(user, list(RoleAssignment.objects.filter(user=user, active=True)))


def test_who_must_use_it(world, settings):
    mandatory = {u: _required(getattr(world, u), "mandatory", settings) for u in
                 ("admin", "street_officer_a", "community_worker_a", "grid_worker_a1", "department", "resident_user")}
    # admins manage accounts; street officers export; community workers unmask and export
    assert mandatory == {"admin": True, "street_officer_a": True, "community_worker_a": True,
                         "grid_worker_a1": False, "department": False, "resident_user": False}
    staff = {u: _required(getattr(world, u), "staff", settings) for u in ("grid_worker_a1", "department",
                                                                         "resident_user")}
    assert staff == {"grid_worker_a1": True, "department": True, "resident_user": False}
    assert not any(_required(getattr(world, u), "off", settings) for u in ("admin", "community_worker_a"))
    assert _required(world.admin, "of", settings)  # a typo never turns the rule off
    superuser = f.user("root", is_superuser=True)
    assert _required(superuser, "mandatory", settings)


def test_the_roles_come_from_the_capabilities_not_a_list(world, settings):
    settings.GONGZHI_2FA_CAPABILITIES = ["verify_orders"]  # held by grid workers alone
    assert _required(world.grid_worker_a1, "mandatory", settings)
    assert not _required(world.admin, "mandatory", settings)
    assert two_factor.mandatory_roles() == {"grid"}


def test_a_resident_with_a_staff_post_is_judged_by_the_post(world, settings):
    both = f.user_with_posts("both", ("resident", world.comm_a, ""), ("community", world.comm_a, ""))
    assert _required(both, "mandatory", settings)


# -- nothing before enrolment ----------------------------------------------------------------

def _plain_urls():
    """Every URL of the project without parameters (the admin's and the sign-in pages aside)."""
    urls = []

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern) and "<" not in route and not route.startswith("^"):
                urls.append("/" + (prefix + route).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted({u for u in urls if not u.startswith(("/admin/", "/accounts/login/", "/accounts/logout/",
                                                        "/accounts/two-factor/", "/accounts/password/"))
                   and "(?P" not in u})


def test_without_an_authenticator_no_data_page_answers(client, world):
    """An admin who must use two-factor sign-in and has not set it up reaches no page by typing its address:
    every page sends them to the set-up, the JSON API refuses, and nothing is written."""
    client.force_login(world.admin)
    urls = _plain_urls() + [f"/people/residents/{world.res_b1.pk}/", f"/people/households/{world.hh_a1.pk}/",
                            f"/places/{world.comm_a.code}/", f"/api/residents/{world.res_a1.pk}",
                            f"/accounts/{world.grid_worker_a1.pk}/password/"]
    assert len(urls) > 40
    for url in urls:
        r = client.get(url)
        if url.startswith("/api/") or url.startswith("/open311/"):
            assert r.status_code == 403, url
        else:
            assert r.status_code == 302 and r["Location"].startswith(SETUP), (url, r.status_code)
    r = client.post(f"/accounts/{world.grid_worker_a1.pk}/toggle/")
    assert r.status_code == 302 and r["Location"].startswith(SETUP)
    world.grid_worker_a1.refresh_from_db()
    assert world.grid_worker_a1.is_active


def test_residents_and_optional_staff_go_straight_in(client, world):
    for who, url in ((world.resident_user, "/people/me/"), (world.grid_worker_a1, "/orders/")):
        client.force_login(who)
        r = client.get(url)
        assert r.status_code in (200, 302) and SETUP not in r.get("Location", ""), who


# -- enrolment and signing in --------------------------------------------------------------

def test_enrol_then_sign_in_with_the_code(client, world):
    r = sign_in(client, "admin")
    r = client.get(r["Location"])
    assert r.status_code == 302 and r["Location"].startswith(SETUP)
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and "扫描此二维码" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0]
    # a wrong code is refused with a clear message
    assert two_factor.ERR_SETUP_CODE in client.post(SETUP, {"code": "000000"}).content.decode()
    assert two_factor.ERR_THROTTLED in client.post(SETUP, {"code": "000000"}).content.decode()  # straight after
    TOTPDevice.objects.filter(user=world.admin).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device, codes = enrol(client)
    assert device.confirmed and len(codes) == 10 == len(set(codes))
    assert client.get("/accounts/two-factor/recovery-codes/").context["codes"] is None  # shown once
    assert client.get("/people/residents/").status_code == 200
    client.post("/accounts/logout/")

    r = sign_in(client, "admin")
    r = client.get("/people/residents/")
    assert r.status_code == 302 and r["Location"].startswith(CODE)
    assert client.get("/api/residents").status_code == 403
    r = client.post(CODE + "?next=/people/residents/", {"code": "123456", "next": "/people/residents/"})
    assert two_factor.ERR_CODE in r.content.decode() or two_factor.ERR_THROTTLED in r.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    key_before = client.session.session_key
    r = client.post(CODE, {"code": token(device, 1), "next": "/people/residents/"})
    assert r.status_code == 302 and r["Location"] == "/people/residents/"
    assert client.session.session_key != key_before  # a new session key once the code is given
    assert client.get("/people/residents/").status_code == 200


def test_a_code_is_good_once(client, world):
    client.force_login(world.admin)
    device, _ = enrol(client)
    used = token(device)
    client.post("/accounts/logout/")
    r = sign_in(client, "admin", code=used)  # the code the set-up just used
    assert two_factor.ERR_CODE in r.content.decode()


def test_repeated_wrong_codes_are_throttled(client, world):
    client.force_login(world.admin)
    device, _ = enrol(client)
    client.post("/accounts/logout/")
    sign_in(client, "admin", code="000001")
    r = client.post(CODE, {"code": token(device, 1)})  # right, but straight after a failure
    assert two_factor.ERR_THROTTLED in r.content.decode()
    assert client.get("/orders/").status_code == 302


def test_a_recovery_code_works_once(client, world):
    client.force_login(world.admin)
    device, codes = enrol(client)
    client.post("/accounts/logout/")
    r = sign_in(client, "admin", code=codes[3].upper())
    assert r.status_code == 302
    assert "还剩 9 个" in client.get("/orders/", follow=True).content.decode()
    client.post("/accounts/logout/")
    r = sign_in(client, "admin", code=codes[3])
    assert r.status_code == 200 and two_factor.ERR_CODE in r.content.decode()
    assert StaticToken.objects.filter(device__user=world.admin).count() == 9


def test_new_recovery_codes_replace_the_old(client, world):
    client.force_login(world.admin)
    _, codes = enrol(client)
    new = client.post("/accounts/two-factor/recovery-codes/").context["codes"]
    assert len(new) == 10 and not set(new) & set(codes)
    assert set(StaticToken.objects.filter(device__user=world.admin).values_list("token", flat=True)) == set(new)
    assert client.get("/orders/").status_code == 200  # this session stays verified


def test_whoever_enrolled_gives_a_code_even_when_not_required(client, world, settings):
    settings.GONGZHI_2FA_REQUIRED = "off"
    client.force_login(world.grid_worker_a1)
    assert client.get("/orders/").status_code == 200
    device, _ = enrol(client)
    client.post("/accounts/logout/")
    sign_in(client, "gw_a1")
    r = client.get("/orders/")
    assert r.status_code == 302 and r["Location"].startswith(CODE)
    client.post(CODE, {"code": token(device, 1)})
    assert client.get("/orders/").status_code == 200
    # not required: may turn it off again
    client.post("/accounts/two-factor/disable/")
    assert not TOTPDevice.objects.filter(user=world.grid_worker_a1).exists()
    assert client.get("/orders/").status_code == 200


def test_required_users_cannot_turn_it_off(client, world):
    client.force_login(world.admin)
    enrol(client)
    r = client.post("/accounts/two-factor/disable/", follow=True)
    assert "不能关闭" in r.content.decode()
    assert TOTPDevice.objects.filter(user=world.admin, confirmed=True).exists()


def test_admin_resets_a_lost_authenticator(client, world):
    from django.test import Client
    owner = Client()
    owner.force_login(world.community_worker_a)
    enrol(owner)
    assert owner.get("/people/residents/").status_code == 200
    client.force_login(world.admin)
    enrol(client)
    assert "重置两步验证" in client.get("/accounts/").content.decode()
    assert client.post(f"/accounts/{world.community_worker_a.pk}/two-factor/reset/").status_code == 302
    assert not TOTPDevice.objects.filter(user=world.community_worker_a).exists()
    r = owner.get("/people/residents/")  # the session the lost phone verified has ended
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    sign_in(owner, "cw_a")
    assert owner.get("/people/residents/")["Location"].startswith(SETUP)


def test_replacing_the_authenticator_needs_the_code_first(client, world):
    client.force_login(world.admin)
    old, _ = enrol(client)
    new, _ = enrol(client)  # a verified session may set up a new phone: the old one stops working
    assert new.pk != old.pk and list(TOTPDevice.objects.filter(user=world.admin)) == [new]
    client.post("/accounts/logout/")
    sign_in(client, "admin")
    assert client.get(SETUP)["Location"].startswith(CODE)  # signed in with the password alone: the code comes first


def test_the_password_lock_still_holds(client, world, settings):
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "admin", "password": "wrong"})
    assert client.post("/accounts/login/", {"username": "admin", "password": PASSWORD}).status_code == 429


def test_htmx_requests_are_sent_to_the_step(client, world):
    client.force_login(world.admin)
    r = client.get("/orders/", HTTP_HX_REQUEST="true")
    assert r["HX-Redirect"] == SETUP


def test_the_secret_is_hidden_in_the_admin_site(world):
    assert django_settings.OTP_ADMIN_HIDE_SENSITIVE_DATA


def test_secret_text_is_the_key_in_base32(world):
    device = TOTPDevice.objects.create(user=world.admin, confirmed=False)
    text = two_factor.secret_text(device)
    assert re.fullmatch(r"([A-Z2-7]{4} )*[A-Z2-7]{1,4}", text)


def test_a_normal_request_asks_nothing_of_the_two_factor_tables(client, world, settings):
    """Signed in with nothing due, a page costs no query for sign-in security (the session remembers)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    settings.GONGZHI_2FA_REQUIRED = "off"
    client.force_login(world.community_worker_a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/people/residents/").status_code == 200
    assert not [q for q in queries if "otp_" in q["sql"] or "passwordhistory" in q["sql"]]


def test_the_demo_says_who_enrols(settings):
    from gongzhi.accounts.demo import two_factor_accounts, two_factor_hint
    names = set(two_factor_accounts())
    assert {"admin", "street", "community", "community2"} <= names
    assert not {"grid", "department", "resident"} & names
    assert "、".join(two_factor_accounts()) in two_factor_hint()
    settings.GONGZHI_2FA_REQUIRED = "off"
    assert two_factor_accounts() == [] and "未强制" in two_factor_hint()


@pytest.mark.parametrize("bad", ["\x00", "1" * 1000, "１２３４５６", "' OR 1=1 --", "🙂", "   ", "12345\u200b6"])
def test_hostile_codes_get_a_chinese_answer(client, world, bad):
    from tests.accounts.test_passwords import NEW
    client.force_login(world.admin)
    device, _ = enrol(client)
    client.post("/accounts/logout/")
    sign_in(client, "admin")
    r = client.post(CODE, {"code": bad})
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    assert not r.wsgi_request.user.is_verified()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    client.post(CODE, {"code": token(device, 1)})
    r = client.post("/accounts/password/", {"old_password": bad, "new_password1": bad + NEW, "new_password2": bad})
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
