"""Password rules (MLPS level 3): complexity, history, expiry, forced change of initial passwords, and
the self-service change that ends the user's other sessions."""
import datetime as dt
import os
import subprocess
import sys

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongzhi.accounts import passwords, services
from gongzhi.accounts.forms import ERR_MISMATCH, ERR_OLD_PASSWORD
from gongzhi.accounts.models import PasswordHistory, User
from tests.factories import PASSWORD

NEW = "Qing-shui-2027"


def _errors(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as e:
        return e.messages
    return []


def test_rules_speak_chinese(world):
    assert _errors("Ab1!x") == [passwords.ERR_TOO_SHORT.format(n=8)]
    assert _errors("qingshuihe2027") == [passwords.ERR_CLASSES.format(n=3)]  # lower + digit only
    assert _errors("QINGSHUIHE-") == [passwords.ERR_CLASSES.format(n=3)]  # upper + symbol only
    assert _errors("P@ssw0rd") == [passwords.ERR_COMMON]
    # three of the four classes, in any combination, pass
    for ok in ("Qingshuihe2027", "qingshuihe-2027", "QINGSHUIHE-2027", "Qingshuihe-he"):
        assert _errors(ok) == [], ok


def test_not_like_the_user_name_or_name(world):
    someone = User(username="zhangweiming", display_name="张伟明")
    assert _errors("Zhangweiming-1", someone) == [passwords.ERR_SIMILAR.format(what="用户名")]
    named = User(username="u1", display_name="zhou.jianming")
    assert _errors("Zhou.jianming1", named) == [passwords.ERR_SIMILAR.format(what="姓名")]
    assert _errors("Wo-shi-zhangweiming", someone) == [passwords.ERR_SIMILAR.format(what="用户名")]  # contains it
    assert _errors(NEW, someone) == []


def test_minimum_length_comes_from_the_environment(tmp_path):
    code = ("import django; django.setup(); from django.contrib.auth.password_validation import validate_password;"
            "from django.core.exceptions import ValidationError\n"
            "try:\n validate_password('Qingshui-27')\nexcept ValidationError as e:\n print(e.messages[0])")
    env = {**os.environ, "GONGZHI_PASSWORD_MIN_LENGTH": "12", "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
           "GONGZHI_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == passwords.ERR_TOO_SHORT.format(n=12), out.stderr


def test_the_last_five_passwords_cannot_come_back(world, settings):
    user = world.community_worker_a
    used = [PASSWORD] + [f"Qingshui-{n}x" for n in range(1, 6)]
    for password in used[1:]:
        validate_password(password, user)
        services.password_change(user=user, new_password=password)
    assert PasswordHistory.objects.filter(user=user).count() == settings.GONGZHI_PASSWORD_HISTORY
    for password in used[1:]:  # the current one and the four before it
        assert _errors(password, user) == [passwords.ERR_REUSED.format(n=5)], password
    assert _errors(used[0], user) == []  # six changes ago: allowed again


def test_expired_passwords_force_the_change_page(client, world, settings):
    settings.GONGZHI_PASSWORD_MAX_AGE_DAYS = 90
    user = world.community_worker_a
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    user.refresh_from_db()
    client.force_login(user)
    r = client.get("/people/residents/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/password/")
    page = client.get(r["Location"]).content.decode()
    assert "您的密码已过期" in page
    r = client.post(r["Location"], {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302 and r["Location"] == "/people/residents/"
    assert client.get("/people/residents/").status_code == 200
    # 89 days is not expired; 0 turns expiry off
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=89))
    assert not passwords.password_expired(User.objects.get(pk=user.pk))
    settings.GONGZHI_PASSWORD_MAX_AGE_DAYS = 0
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=9999))
    assert not passwords.password_expired(User.objects.get(pk=user.pk))


def test_an_account_made_by_an_admin_must_change_its_password_first(client, world):
    client.force_login(world.admin)
    r = client.post("/accounts/new/", {"username": "gw_new", "display_name": "新网格员", "role": "grid",
                                       "place_code": world.grid_a1.code, "password": "Chushi-mima-2026"})
    assert r.status_code == 302
    assert User.objects.get(username="gw_new").must_change_password
    client.logout()
    r = client.post("/accounts/login/", {"username": "gw_new", "password": "Chushi-mima-2026"}, follow=True)
    assert r.redirect_chain[-1][0].startswith("/accounts/password/")
    assert "您的密码由管理员设置" in r.content.decode()
    # nothing else answers meanwhile: pages, the JSON API, HTMX fragments
    for url in ("/people/residents/", "/orders/", f"/places/{world.grid_a1.code}/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/password/"), url
    r = client.get("/api/residents")
    assert r.status_code == 403 and "请先修改密码" in r.json()["detail"]
    r = client.get("/orders/", HTTP_HX_REQUEST="true")
    assert r["HX-Redirect"] == "/accounts/password/"
    # ... except static files and logging out
    assert client.get("/static/gongzhi/app.css").status_code == 200
    r = client.post("/accounts/password/", {"old_password": "Chushi-mima-2026", "new_password1": "Wode-mima-2026",
                                            "new_password2": "Wode-mima-2026"})
    assert r.status_code == 302
    assert not User.objects.get(username="gw_new").must_change_password
    assert client.get("/orders/").status_code == 200


def test_logout_answers_while_a_change_is_due(client, world):
    User.objects.filter(pk=world.grid_worker_a1.pk).update(must_change_password=True)
    world.grid_worker_a1.refresh_from_db()
    client.force_login(world.grid_worker_a1)
    assert client.get("/").status_code == 302
    r = client.post("/accounts/logout/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_demo_and_test_accounts_need_no_change(client, world):
    assert not world.admin.must_change_password
    client.force_login(world.admin)
    assert client.get("/people/residents/").status_code == 200


def test_change_page_refuses_with_chinese_messages(client, world):
    client.force_login(world.grid_worker_a1)
    page = client.get("/accounts/password/").content.decode()
    assert "原密码" in page and "再次输入新密码" in page and "至少 8 个字符" in page
    r = client.post("/accounts/password/", {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW})
    assert ERR_OLD_PASSWORD in r.content.decode()
    r = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW,
                                            "new_password2": NEW + "x"})
    assert ERR_MISMATCH in r.content.decode()
    r = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "gw_a1gw_a1",
                                            "new_password2": "gw_a1gw_a1"})
    body = r.content.decode()
    assert passwords.ERR_SIMILAR.format(what="用户名") in body
    r = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": PASSWORD,
                                            "new_password2": PASSWORD})
    assert passwords.ERR_REUSED.format(n=5) in r.content.decode()
    world.grid_worker_a1.refresh_from_db()
    assert world.grid_worker_a1.check_password(PASSWORD)


def test_guessing_the_old_password_ends_the_session(client, world):
    client.force_login(world.grid_worker_a1)
    for _ in range(5):
        r = client.post("/accounts/password/", {"old_password": "guess", "new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302  # signed out


def test_changing_the_password_ends_the_other_sessions(client, world, django_user_model):
    from django.test import Client
    other = Client()
    for c in (client, other):
        assert c.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD}).status_code == 302
        assert c.get("/people/residents/").status_code == 200
    r = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert r.status_code == 302
    assert client.get("/people/residents/").status_code == 200  # this one goes on
    r = other.get("/people/residents/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")  # the other one has ended


def test_admin_resets_a_password(client, world):
    from django.test import Client
    owner = Client()
    owner.force_login(world.grid_worker_a1)
    client.force_login(world.admin)
    r = client.post(f"/accounts/{world.grid_worker_a1.pk}/password/", {"password": "abc"})
    assert passwords.ERR_TOO_SHORT.format(n=8) in r.content.decode()
    r = client.post(f"/accounts/{world.grid_worker_a1.pk}/password/", {"password": "Chongzhi-2026"})
    assert r.status_code == 302
    user = User.objects.get(pk=world.grid_worker_a1.pk)
    assert user.must_change_password and user.check_password("Chongzhi-2026")
    assert owner.get("/").status_code == 302  # the owner's session has ended
    assert "待本人修改初始密码" in client.get("/accounts/").content.decode()


def test_admin_of_another_district_cannot_reset(client, world):
    from tests import factories as f
    other_admin = f.user("admin_jy", "admin", f.district("320281", "江阴市"))
    client.force_login(other_admin)
    r = client.post(f"/accounts/{world.community_worker_a.pk}/password/", {"password": "Chongzhi-2026"})
    assert r.status_code == 404
    assert not User.objects.get(pk=world.community_worker_a.pk).must_change_password
    assert client.post(f"/accounts/{world.community_worker_a.pk}/two-factor/reset/").status_code == 404


@pytest.mark.parametrize("who", ["grid_worker_a1", "department", "resident_user"])
def test_only_account_managers_reset(client, world, who):
    client.force_login(getattr(world, who))
    assert client.post(f"/accounts/{world.community_worker_a.pk}/password/",
                       {"password": "Chongzhi-2026"}).status_code == 403
    assert not User.objects.get(pk=world.community_worker_a.pk).must_change_password
