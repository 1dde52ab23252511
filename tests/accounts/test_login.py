import pytest
from django.conf import settings

from tests.factories import PASSWORD


@pytest.mark.argon2
def test_passwords_are_hashed_with_argon2(world):
    world.admin.set_password("a-new-Password-1")
    assert world.admin.password.startswith("argon2$")


def test_login_and_wrong_password_message(client, world):
    r = client.post("/accounts/login/", {"username": "cw_a", "password": "wrong"})
    assert "用户名或密码不正确" in r.content.decode()
    r = client.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD})
    assert r.status_code == 302


def test_repeated_failures_lock_the_account(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "cw_a", "password": "wrong"})
    r = client.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD})
    assert r.status_code == 429
    assert "锁定" in r.content.decode()
    # Another account from the same office address is not locked.
    assert client.post("/accounts/login/", {"username": "cw_b", "password": PASSWORD}).status_code == 302


def test_idle_sessions_expire(client, world):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 1800
    client.force_login(world.community_worker_a)
    client.get("/")
    assert 0 < client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE


def test_pages_need_login(client, world):
    for url in ("/", "/places/", "/people/residents/", "/api/residents"):
        r = client.get(url)
        assert r.status_code in (302, 401), url


def test_a_lockout_from_elsewhere_does_not_lock_the_owner_out(client, world):
    """Failures from one address lock that address's tries at the account, not the account's owner at
    another address; the cool-down does not restart with every try during the lockout."""
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        client.post("/accounts/login/", {"username": "cw_a", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    assert client.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD},
                       REMOTE_ADDR="203.0.113.9").status_code == 429
    r = client.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 302
    assert settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False


def test_sessions_end_after_their_absolute_lifetime(client, world, settings):
    from gongzhi.core.middleware import SessionLifetimeMiddleware
    client.force_login(world.community_worker_a)
    assert client.get("/").status_code == 200
    session = client.session
    session[SessionLifetimeMiddleware.KEY] = 0  # signed in long ago
    session.save()
    r = client.get("/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert client.get("/").status_code == 302  # signed out


def test_personal_pages_are_not_stored(client, world):
    client.force_login(world.community_worker_a)
    for url in ("/", f"/people/residents/{world.res_a1.pk}/", f"/api/residents/{world.res_a1.pk}"):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_a_change_of_posts_ends_the_session(client, world):
    from gongzhi.accounts.models import RoleAssignment
    client.force_login(world.street_officer_a)
    assert client.get("/").status_code == 200
    RoleAssignment.objects.filter(user=world.street_officer_a).update(place=world.street_b)  # moved to street B
    r = client.get("/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
