import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongzhi.core.access_log import access_log_write
from gongzhi.core.models import AccessLog


def test_entries_cannot_be_edited_or_deleted_one_by_one(world):
    entry = access_log_write(user=world.admin, action="export", target="x")
    entry.detail = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_purge_keeps_six_months(world):
    old = access_log_write(user=world.admin, action="export", target="old")
    AccessLog.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=400))
    access_log_write(user=world.admin, action="export", target="recent")
    with pytest.raises(CommandError, match="至少保留 183 天"):
        call_command("purge_access_log", before=(timezone.localdate() - dt.timedelta(days=30)).isoformat())
    call_command("purge_access_log", before=(timezone.localdate() - dt.timedelta(days=200)).isoformat())
    assert list(AccessLog.objects.values_list("target", flat=True)) == ["recent"]
