from django.conf import settings

from gongzhi.accounts.models import RoleAssignment, User
from tests import factories as f


def test_admin_creates_a_grid_worker_who_can_log_in(client, world):
    client.force_login(world.admin)
    r = client.post("/accounts/new/", {"username": "gw_new", "display_name": "新网格员", "role": "grid",
                                       "place_code": world.grid_b1.code, "password": "Grid-worker-2026"})
    assert r.status_code == 302
    a = RoleAssignment.objects.get(user__username="gw_new")
    assert a.role == "grid" and a.place == world.grid_b1
    client.logout()
    assert client.post("/accounts/login/", {"username": "gw_new", "password": "Grid-worker-2026"}).status_code == 302


def test_role_must_fit_the_level(client, world):
    client.force_login(world.admin)
    r = client.post("/accounts/new/", {"username": "x1", "display_name": "x", "role": "grid",
                                       "place_code": world.comm_a.code, "password": "Grid-worker-2026"})
    assert "网格员只能设在网格一级" in r.content.decode()
    assert not User.objects.filter(username="x1").exists()


def test_admin_of_another_district_cannot_touch_our_accounts(client, world):
    other = f.district("320281", "江阴市")
    other_admin = f.user("admin_jy", "admin", other)
    client.force_login(other_admin)
    assert "cw_a" not in client.get("/accounts/").content.decode()
    assert client.post(f"/accounts/{world.community_worker_a.pk}/toggle/").status_code == 404
    r = client.post("/accounts/new/", {"username": "x2", "display_name": "x", "role": "community",
                                       "place_code": world.comm_a.code, "password": "Grid-worker-2026"})
    assert "不在您的管辖范围内" in r.content.decode()
    world.community_worker_a.refresh_from_db()
    assert world.community_worker_a.is_active


def test_admin_unlocks_a_locked_account(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "cw_a", "password": "wrong"})
    client.force_login(world.admin)
    assert "已锁定" in client.get("/accounts/").content.decode()
    client.post(f"/accounts/{world.community_worker_a.pk}/unlock/")
    client.logout()
    assert client.post("/accounts/login/", {"username": "cw_a", "password": f.PASSWORD}).status_code == 302


def test_deactivated_account_cannot_log_in(client, world):
    client.force_login(world.admin)
    client.post(f"/accounts/{world.grid_worker_a1.pk}/toggle/")
    client.logout()
    r = client.post("/accounts/login/", {"username": "gw_a1", "password": f.PASSWORD})
    assert r.status_code == 200


def test_the_account_list_shows_a_lock_from_any_address(client, world, settings):
    """Axes locks an account from one address; the admin looking from another still sees it locked."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    AccessAttempt.objects.create(username="cw_b", ip_address="10.9.9.9", user_agent="x", path_info="/accounts/login/",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT, attempt_time=timezone.now(),
                                 get_data="", post_data="")
    client.force_login(world.admin)
    page = client.get("/accounts/", REMOTE_ADDR="127.0.0.1").content.decode()
    assert f"/accounts/{world.community_worker_b.pk}/unlock/" in page
    assert f"/accounts/{world.community_worker_a.pk}/unlock/" not in page
