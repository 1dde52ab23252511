"""The audit trail is append-only: the ORM refuses to change or delete a row, and so does the
database (a trigger, on SQLite and on PostgreSQL); only rows past the legal retention can be purged."""
import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gongzhi.audit import services
from gongzhi.audit.models import MIN_RETENTION_DAYS, AuditAction, AuditEvent

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def event(db):
    return services.record(None, AuditAction.BACKUP, label="/srv/backup.db", after={"大小": 1})


def test_the_orm_refuses_to_change_or_delete(event):
    event.detail = "篡改"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="篡改")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.bulk_update([event], ["detail"])
    assert AuditEvent.objects.get(pk=event.pk).detail == "命令行(操作系统用户 %s)" % services._os_user()


def test_the_database_refuses_an_update_in_raw_sql(event):
    with pytest.raises(DatabaseError) as e, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET detail = 'x', actor_username = 'someone' WHERE id = %s", [event.pk])
    assert "审计日志只能追加" in str(e.value)
    assert AuditEvent.objects.get(pk=event.pk).actor_username == "system"


def test_the_database_keeps_recent_rows_against_a_raw_delete(event):
    """PostgreSQL raises; SQLite skips the row (its test runner empties tables with DELETE, see the migration)."""
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def _old_event(days):
    return AuditEvent.objects.create(at=timezone.now() - dt.timedelta(days=days), kind="admin",
                                     action=AuditAction.BACKUP, actor_username="system")


def test_purge_removes_only_what_is_past_the_retention(db):
    old, recent = _old_event(MIN_RETENTION_DAYS + 30), _old_event(MIN_RETENTION_DAYS - 30)
    with pytest.raises(CommandError, match="至少保留 183 天"):
        call_command("purge_audit_log", "--before", (timezone.localdate() - dt.timedelta(days=100)).isoformat())
    with pytest.raises(CommandError, match="日期格式"):
        call_command("purge_audit_log", "--before", "2026-13-01")
    day = timezone.localdate() - dt.timedelta(days=MIN_RETENTION_DAYS)
    call_command("purge_audit_log", "--before", day.isoformat())
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    purge = AuditEvent.objects.get(action=AuditAction.AUDIT_PURGE)  # the purge itself is on the trail
    assert purge.after == {"清理早于": day.isoformat(), "删除条数": 1}


def test_the_database_refuses_a_raw_delete_of_recent_rows_even_among_old_ones(db):
    old, recent = _old_event(MIN_RETENTION_DAYS + 1), _old_event(1)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
        assert AuditEvent.objects.filter(pk=old.pk).exists()
    else:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
        assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()


def test_no_secrets_nor_whole_id_or_phone_numbers(db):
    e = services.record(None, AuditAction.ACCOUNT_CREATE, label="张三 320282198005170013 13812345678",
                        after={"password": "Secret-1", "api_key": "k", "电话": "13812345678",
                               "身份证": "32028219800517001X", "姓名": "张三"})
    assert e.after == {"电话": "138****5678", "身份证": "3202**********1X", "姓名": "张三"}
    assert "198005170013" not in e.object_label and "13812345678" not in e.object_label


def test_before_and_after_keep_only_what_changed(db):
    e = services.record(None, AuditAction.CATEGORY_EDIT, before={"名称": "甲", "时限": 5, "公开": True},
                        after={"名称": "乙", "时限": 5, "公开": True})
    assert (e.before, e.after) == ({"名称": "甲"}, {"名称": "乙"})
