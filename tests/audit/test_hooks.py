"""Each administrative action lands on the audit trail: who, from where, what, before/after."""
import datetime as dt

import pytest
from django.core.management import call_command

from gongzhi.audit.models import AuditAction, AuditEvent, AuditKind, Outcome
from tests.factories import PASSWORD

IP = "198.51.100.7"


def last(action):
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def test_login_logout_and_failed_login(client, world):
    client.post("/accounts/login/", {"username": "cw_a", "password": "wrong"}, REMOTE_ADDR=IP)
    e = last(AuditAction.LOGIN_FAILED)
    assert (e.actor_id, e.actor_username, e.ip, e.outcome, e.kind) == (None, "cw_a", IP, Outcome.FAILED,
                                                                       AuditKind.SIGN_IN)
    assert "wrong" not in str(e.before) + str(e.after) + e.detail  # never the password tried
    client.post("/accounts/login/", {"username": "cw_a", "password": PASSWORD}, REMOTE_ADDR=IP)
    e = last(AuditAction.LOGIN)
    assert e is not None and (e.actor, e.ip) == (world.community_worker_a, IP)
    client.post("/accounts/logout/", REMOTE_ADDR=IP)
    e = last(AuditAction.LOGOUT)
    assert e is not None and (e.actor, e.ip) == (world.community_worker_a, IP)


def test_an_axes_lockout_is_recorded(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "cw_a", "password": "wrong"}, REMOTE_ADDR=IP)
    e = last(AuditAction.ACCOUNT_LOCKED)
    assert e is not None and (e.actor_username, e.ip, e.outcome) == ("cw_a", IP, Outcome.REFUSED)


def test_account_creation_names_the_admin_and_the_post(client, world):
    client.force_login(world.admin)
    r = client.post("/accounts/new/", {"username": "new_cw", "display_name": "新同事", "role": "community",
                                       "place_code": world.comm_a.code, "password": "Long-enough-2026x"},
                    REMOTE_ADDR=IP)
    assert r.status_code == 302, r.content.decode()[:2000]
    e = last(AuditAction.ACCOUNT_CREATE)
    assert (e.actor, e.ip, e.object_label) == (world.admin, IP, "新同事")
    assert e.after["用户名"] == "new_cw" and not any("密码" in k or "password" in k for k in e.after)
    post = last(AuditAction.POST_GIVE)
    assert post.actor == world.admin and post.after["角色"] == "社区工作者" and "东虹社区" in post.after["地点"]


def test_role_changes_moved_and_ended(world):
    from gongzhi.accounts.models import RoleAssignment
    a = RoleAssignment.objects.get(user=world.street_officer_a)
    a.place = world.street_b
    a.save()
    e = last(AuditAction.POST_CHANGE)
    assert "宜城街道" in e.before["地点"] and "新街街道" in e.after["地点"] and "角色" not in e.after
    a.active = False
    a.save()
    assert last(AuditAction.POST_END).after == {"有效": False}
    a.delete()
    assert AuditEvent.objects.filter(action=AuditAction.POST_END).count() == 2


def test_unlock_and_deactivation_by_the_admin(client, world):
    client.force_login(world.admin)
    client.post(f"/accounts/{world.community_worker_a.pk}/unlock/", REMOTE_ADDR=IP)
    e = last(AuditAction.ACCOUNT_UNLOCK)
    assert (e.actor, e.ip, e.object_id) == (world.admin, IP, str(world.community_worker_a.pk))
    client.post(f"/accounts/{world.community_worker_a.pk}/toggle/", REMOTE_ADDR=IP)
    e = last(AuditAction.ACCOUNT_DEACTIVATE)
    assert (e.actor, e.before, e.after) == (world.admin, {"启用": True}, {"启用": False})
    client.post(f"/accounts/{world.community_worker_a.pk}/toggle/", REMOTE_ADDR=IP)
    assert last(AuditAction.ACCOUNT_ACTIVATE).actor == world.admin


def test_catalogue_edits(client, world):
    from gongzhi.workorders.models import Category
    client.force_login(world.admin)
    sanitation = Category.objects.get(code="sanitation")
    r = client.post("/orders/catalogue/sanitation/", {
        "code": "sanitation", "kind": sanitation.kind, "name": "环境卫生(改)", "description": sanitation.description,
        "route_level": sanitation.route_level, "route_department": sanitation.route_department,
        "window": sanitation.window, "accept_days": sanitation.accept_days, "handle_days": 9,
        "verify_days": sanitation.verify_days, "is_public": "on" if sanitation.is_public else "",
        "is_dispute": "", "active": "on", "sort": sanitation.sort, "version": sanitation.version,
        "materials": "\n".join(sanitation.materials), "attributes": "[]"}, REMOTE_ADDR=IP)
    assert r.status_code == 302, r.content.decode()[:3000]
    e = last(AuditAction.CATEGORY_EDIT)
    assert (e.actor, e.ip, e.object_type) == (world.admin, IP, "工单类别")
    assert e.before["名称"] == sanitation.name and e.after["名称"] == "环境卫生(改)"
    assert 9 in e.after.values() and sanitation.handle_days in e.before.values()
    assert "版本" not in e.after


def test_calendar_edits(client, world):
    client.force_login(world.admin)
    client.post("/orders/calendar/", {"date": "2026-10-08", "is_workday": "0", "name": "国庆"}, REMOTE_ADDR=IP)
    e = last(AuditAction.CALENDAR_SET)
    assert e.actor == world.admin and e.before is None and e.after["日期"] == "2026-10-08"
    client.post("/orders/calendar/", {"remove": "2026-10-08"}, REMOTE_ADDR=IP)
    e = last(AuditAction.CALENDAR_REMOVE)
    assert e.actor == world.admin and e.before["说明"] == "国庆"


def test_assessment_start_publish_unpublish_and_pack_change(world):
    from gongzhi.standards import assess, packs, results
    from gongzhi.core.scope import Scope
    pack = packs.load("yixing-2019")
    run = assess.run(assess.start(pack=pack, period=2025, scope=world.district, by=world.admin), pack)
    e = last(AuditAction.RUN_START)
    assert e.actor == world.admin and e.after["政策包"] == "yixing-2019" and e.object_id == str(run.pk)
    assert last(AuditAction.PACK_CHANGE) is None
    scope = Scope.for_user(world.admin)
    results.publish(run=run, scope=scope, by=world.admin)
    assert last(AuditAction.RUN_PUBLISH).after == {"公示": True}
    results.publish(run=run, scope=scope, by=world.admin, publish=False)
    assert last(AuditAction.RUN_UNPUBLISH).after == {"公示": False}
    changed = packs.from_text(pack.text + "\n# 2026 修订\n", "yixing-2019.yaml")
    assess.start(pack=changed, period=2025, scope=world.district, by=world.admin)
    e = last(AuditAction.PACK_CHANGE)
    assert e.object_id == "yixing-2019" and e.before["校验值"] == pack.sha256 and e.after["校验值"] == changed.sha256


def test_api_key_create_and_revoke_from_the_command_line(db, capsys):
    call_command("apikey", "create", "--name", "12345 热线")
    e = last(AuditAction.APIKEY_CREATE)
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert e.actor_username == "system" and "命令行" in e.detail and e.after["名称"] == "12345 热线"
    assert raw not in str(e.after) + e.object_label  # the key itself never
    call_command("apikey", "revoke", "--prefix", e.after["前缀"])
    assert last(AuditAction.APIKEY_REVOKE).after == {"有效": False}


def test_backup_restore_and_access_log_purge(db, tmp_path, settings):
    from django.db import connection
    if connection.vendor != "sqlite":
        pytest.skip("the backup tests of core cover PostgreSQL; here the hook")
    from gongzhi.core.backup import backup_database
    backup_database(path=tmp_path / "b.sqlite3")
    e = last(AuditAction.BACKUP)
    assert e is not None and e.object_label.endswith("b.sqlite3") and e.after["校验值"]
    from gongzhi.core.access_log import access_log_purge
    access_log_purge(before=dt.date.today() - dt.timedelta(days=200))
    e = last(AuditAction.ACCESS_LOG_PURGE)
    assert e is not None and e.after["删除条数"] == 0


def test_password_changes_own_and_by_an_administrator(world, rf):
    from simple_history.models import HistoricalRecords
    world.community_worker_a.set_password("Another-pass-2026")
    world.community_worker_a.save()
    e = last(AuditAction.PASSWORD_CHANGE)
    assert e is not None and e.object_id == str(world.community_worker_a.pk)
    assert world.community_worker_a.password not in str(e.after) + str(e.before) + e.detail
    request = rf.post("/accounts/x/", REMOTE_ADDR=IP)
    request.user = world.admin
    HistoricalRecords.context.request = request
    try:
        world.community_worker_a.set_password("Initial-pass-2026")
        world.community_worker_a.save(update_fields=["password"])
    finally:
        del HistoricalRecords.context.request
    e = last(AuditAction.PASSWORD_RESET)
    assert (e.actor, e.ip, e.object_id) == (world.admin, IP, str(world.community_worker_a.pk))
    world.community_worker_a.save(update_fields=["last_login"])  # a sign-in's save: nothing recorded
    assert AuditEvent.objects.filter(action__in=[AuditAction.PASSWORD_CHANGE, AuditAction.PASSWORD_RESET]).count() == 2


def test_two_factor_enrolment_and_reset(world):
    from django.apps import apps
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        pytest.skip("django-otp not installed")
    from django_otp.plugins.otp_totp.models import TOTPDevice
    device = TOTPDevice.objects.create(user=world.admin, name="手机", confirmed=False)
    assert last(AuditAction.TWO_FACTOR_ON) is None  # not yet confirmed
    device.confirmed = True
    device.save()
    assert last(AuditAction.TWO_FACTOR_ON).object_id == str(world.admin.pk)
    device.delete()
    assert last(AuditAction.TWO_FACTOR_OFF).object_id == str(world.admin.pk)
    assert "key" not in str(last(AuditAction.TWO_FACTOR_ON).after)
