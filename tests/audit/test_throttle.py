"""Throttling sign-ins by source address, and alerts on sustained attempts."""
import datetime as dt

import pytest

from gongzhi.audit.models import AuditAction, AuditEvent, AuditKind
from tests.factories import PASSWORD, user

SOURCE = "203.0.113.50"


@pytest.fixture
def limits(settings):
    settings.LOGIN_SOURCE_FAILURE_LIMIT = 6
    settings.LOGIN_SOURCE_WINDOW_MINUTES = 15
    settings.LOGIN_ALERT_FAILURES = 4
    settings.LOGIN_ALERT_WINDOW_MINUTES = 60
    return settings


def _fail(client, username, ip=SOURCE):
    return client.post("/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def test_one_source_trying_many_usernames_waits(client, world, limits):
    for i in range(6):  # different usernames: Axes's per-account lock never triggers
        assert _fail(client, f"guess{i}").status_code == 200
    r = client.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD}, REMOTE_ADDR=SOURCE)
    assert r.status_code == 429
    assert "登录失败次数过多" in r.content.decode() and "分钟后再试" in r.content.decode()
    assert 0 < int(r["Retry-After"]) <= 15 * 60
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_THROTTLED, ip=SOURCE).count() == 1
    # the password was not even checked: no sign-in, no new failure counted
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
    # another address is not held up
    assert client.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD},
                       REMOTE_ADDR="10.9.9.9").status_code == 302


def test_the_wait_ends_when_the_failures_leave_the_window(client, world, limits, monkeypatch):
    for i in range(6):
        _fail(client, f"guess{i}")
    assert _fail(client, "cw_a").status_code == 429
    from django.utils import timezone
    later = timezone.now() + dt.timedelta(minutes=16)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD},
                       REMOTE_ADDR=SOURCE).status_code == 302


def test_a_disabled_throttle_never_answers_429(client, world, limits):
    limits.LOGIN_SOURCE_FAILURE_LIMIT = 0
    for i in range(8):
        assert _fail(client, f"guess{i}").status_code == 200


def test_sustained_failures_on_one_account_raise_one_alert_shown_to_security_staff(client, world, limits):
    for i in range(5):  # from several addresses: Axes locks none of them, the account is still under attack
        _fail(client, "admin", ip=f"198.51.100.{i + 1}")
    alerts = AuditEvent.objects.filter(kind=AuditKind.ALERT)
    assert [a.action for a in alerts] == [AuditAction.ALERT_ACCOUNT]  # once per window
    assert alerts[0].object_label == "admin" and "登录失败 4 次" in alerts[0].detail
    security = user("security", "security", world.district)
    auditor = user("auditor", "auditor", world.district)
    for who in (world.admin, security, auditor):
        client.force_login(who)
        text = client.get("/").content.decode()
        assert "告警:同一账号连续登录失败" in text, who
    client.force_login(world.community_worker_a)
    assert "安全告警" not in client.get("/").content.decode()
    # the auditor may not close it; the security administrator does, and it leaves the home page
    client.force_login(auditor)
    assert client.post(f"/audit/alerts/{alerts[0].pk}/handled/").status_code == 403
    client.force_login(security)
    assert client.post(f"/audit/alerts/{alerts[0].pk}/handled/").status_code == 302
    assert "告警:同一账号连续登录失败" not in client.get("/").content.decode()
    ack = AuditEvent.objects.get(action=AuditAction.ALERT_ACK)
    assert ack.actor == security and ack.object_id == str(alerts[0].pk)


def test_sustained_failures_from_one_source_raise_an_alert(client, world, limits):
    for i in range(4):
        _fail(client, f"guess{i}")
    alert = AuditEvent.objects.get(action=AuditAction.ALERT_SOURCE)
    assert alert.object_id == SOURCE and alert.ip == SOURCE


def test_behind_the_proxy_each_client_is_its_own_source(client, world, limits):
    """The proxy (a trusted address) passes the client's address in X-Forwarded-For: one client's
    failures hold up that client only, not everyone behind the proxy; Axes reads the same address."""
    limits.TRUSTED_PROXIES = ["10.0.0.0/24"]
    for i in range(6):
        client.post("/accounts/login/", {"username": f"guess{i}", "password": "wrong"}, REMOTE_ADDR="10.0.0.2",
                    HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.77")  # 1.2.3.4: what the client claimed itself
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert set(failed.values_list("ip", flat=True)) == {"203.0.113.77"}
    from axes.models import AccessAttempt
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.77"}
    assert client.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2",
                       HTTP_X_FORWARDED_FOR="203.0.113.77").status_code == 429
    assert client.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2",
                       HTTP_X_FORWARDED_FOR="203.0.113.78").status_code == 302


def test_a_client_cannot_choose_its_own_address(client, world, limits):
    limits.TRUSTED_PROXIES = ["10.0.0.0/24"]
    for i in range(6):  # straight to the server, with a forged header: the header is ignored
        client.post("/accounts/login/", {"username": f"guess{i}", "password": "wrong"}, REMOTE_ADDR=SOURCE,
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert set(AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).values_list("ip", flat=True)) == {SOURCE}
    assert _fail(client, "cw_a").status_code == 429
