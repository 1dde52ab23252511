"""Backup and restore on the database the suite runs on (SQLite or PostgreSQL).

The restore runs as `gongzhi restore` in a subprocess pointed (DATABASE_URL)
at a new, empty database; the restored data is read back directly."""
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from gongzhi.accounts.models import User
from gongzhi.core.access_log import access_log_write
from gongzhi.core.backup import BackupError, backup_database, manifest_path, restore_database
from gongzhi.core.models import AccessLog
from gongzhi.people.models import CareTag, Household, Resident
from gongzhi.places.models import Place

# pg_dump and the subprocess must see the test's data: commit it.
pytestmark = pytest.mark.django_db(transaction=True)


def gongzhi(*args, database_url: str, data_dir=None, env=None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).parent / "gongzhi"
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "gongzhi.cli"]
    env = dict(os.environ, DATABASE_URL=database_url, GONGZHI_DATA_DIR=str(data_dir or settings.DATA_DIR),
               **(env or {}))
    return subprocess.run([*argv, *args], env=env, capture_output=True, text=True, timeout=300)


class Target:
    """A new, empty database of the suite's engine: its URL and a way to query it."""

    def __init__(self, url, query):
        self.url, self.query = url, query

    def count(self, table):
        return self.query(f'SELECT COUNT(*) FROM "{table}"')[0][0]


@pytest.fixture
def empty_target(tmp_path):
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def query(sql):
            with closing(sqlite3.connect(path)) as db:
                return [tuple(r) for r in db.execute(sql).fetchall()]

        yield Target(f"sqlite:///{path}", query)
        return

    import psycopg

    from gongzhi.core.backup import _pg_params

    params = _pg_params(connection.settings_dict)
    name = f"gz_restore_{uuid.uuid4().hex[:12]}"
    admin = {**params, "dbname": "postgres"}
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
    user = quote(params.get("user", ""), safe="")
    password = f":{quote(params['password'], safe='')}" if params.get("password") else ""
    host = quote(params.get("host", ""), safe="")
    port = f":{params['port']}" if params.get("port") else ""

    def query(sql):
        with psycopg.connect(**{**params, "dbname": name}) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]

    try:
        yield Target(f"postgres://{user}{password}@{host}{port}/{name}", query)
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def snapshot():
    """What must come back, straight from the source database."""
    return {
        "people_resident": list(Resident.objects.order_by("id").values_list(
            "id", "name", "id_number_hash", "id_number_enc", "phone_enc", "household_id")),
        "people_household": list(Household.objects.order_by("id").values_list("id", "number", "community_id")),
        "places_place": list(Place.objects.order_by("id").values_list("id", "code", "name", "parent_id")),
        "accounts_user": list(User.objects.order_by("id").values_list("id", "username", "password")),
    }


SNAPSHOT_SQL = {
    "people_resident": "SELECT id, name, id_number_hash, id_number_enc, phone_enc, household_id "
                       "FROM people_resident ORDER BY id",
    "people_household": "SELECT id, number, community_id FROM people_household ORDER BY id",
    "places_place": "SELECT id, code, name, parent_id FROM places_place ORDER BY id",
    "accounts_user": "SELECT id, username, password FROM accounts_user ORDER BY id",
}


def make_backup(world, tmp_path):
    # (Created here: the transactional tests' flush removes the migration-seeded tags.)
    tag, _ = CareTag.objects.get_or_create(code="empty_nest", defaults={"name": "空巢老人"})
    world.res_a1.care_tags.add(tag)
    access_log_write(user=world.admin, action="export", target="residents", detail="before backup")
    path = tmp_path / "gongzhi.backup"
    return path, backup_database(path=path)


def test_backup_then_restore_into_empty_database(world, tmp_path, empty_target):
    path, manifest = make_backup(world, tmp_path)
    expected = snapshot()

    # The dump, its manifest, and the access log entry.
    assert path.is_file() and manifest_path(path).is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    on_disk = json.loads(manifest_path(path).read_text())
    assert on_disk["engine"] == ("sqlite" if connection.vendor == "sqlite" else "postgresql")
    assert on_disk["sha256"] == manifest.sha256 and on_disk["size"] == path.stat().st_size
    assert manifest.counts["people_resident"] == Resident.objects.count() == 3
    assert manifest.counts["people_household"] == Household.objects.count() == 3
    assert manifest.counts["places_place"] == Place.objects.count()
    assert manifest.counts["accounts_user"] == User.objects.count() == 7
    assert manifest.counts["people_resident_care_tags"] == 1
    assert manifest.counts["core_accesslog"] == 1  # the export above; the backup's own entry comes after
    entry = AccessLog.objects.get(action="backup")
    assert entry.target == str(path) and entry.username == "system" and manifest.sha256 in entry.detail

    result = gongzhi("restore", str(path), database_url=empty_target.url)
    assert result.returncode == 0, result.stderr
    assert "people_resident" in result.stdout

    for table, rows in manifest.counts.items():
        # The restore writes one access log entry and one audit event of its own (needs the restored id sequence).
        extra = 1 if table in ("core_accesslog", "audit_auditevent") else 0
        assert empty_target.count(table) == rows + extra, table
    for table, sql in SNAPSHOT_SQL.items():
        assert empty_target.query(sql) == [tuple(r) for r in expected[table]], table
    assert empty_target.query("SELECT target FROM core_accesslog WHERE id = "
                              "(SELECT MAX(id) FROM core_accesslog)")[0][0] == f"restore:{path}"

    # Now the target holds data: refused without --force, nothing changed ...
    again = gongzhi("restore", str(path), database_url=empty_target.url)
    assert again.returncode != 0
    assert "--force" in again.stderr and "not empty" in again.stderr and "不是空的" in again.stderr
    assert empty_target.count("core_accesslog") == manifest.counts["core_accesslog"] + 1
    # ... and replaced with it.
    forced = gongzhi("restore", "--force", str(path), database_url=empty_target.url)
    assert forced.returncode == 0, forced.stderr
    assert empty_target.count("people_resident") == 3
    assert empty_target.count("core_accesslog") == manifest.counts["core_accesslog"] + 1
    assert empty_target.query(SNAPSHOT_SQL["people_resident"]) == [tuple(r) for r in expected["people_resident"]]


def test_restore_refuses_database_with_data(world, tmp_path):
    path, _manifest = make_backup(world, tmp_path)
    with pytest.raises(BackupError, match="--force") as excinfo:
        restore_database(path=path)
    assert "people_resident" in str(excinfo.value)
    assert Resident.objects.count() == 3


def test_restore_checks_engine_and_checksum(world, tmp_path):
    path, manifest = make_backup(world, tmp_path)
    mpath = manifest_path(path)
    original = mpath.read_text()

    other = "postgresql" if manifest.engine == "sqlite" else "sqlite"
    mpath.write_text(original.replace(f'"engine": "{manifest.engine}"', f'"engine": "{other}"'))
    with pytest.raises(BackupError, match="cannot be restored into"):
        restore_database(path=path, force=True)

    mpath.write_text(original)
    with open(path, "r+b") as f:
        f.seek(manifest.size // 2)
        byte = f.read(1)
        f.seek(manifest.size // 2)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(BackupError, match="damaged"):
        restore_database(path=path, force=True)

    mpath.unlink()
    with pytest.raises(BackupError, match="manifest"):
        restore_database(path=path, force=True)
    assert Resident.objects.count() == 3


def test_backup_refuses_to_overwrite(world, tmp_path):
    path, _manifest = make_backup(world, tmp_path)
    with pytest.raises(BackupError, match="--force"):
        backup_database(path=path)
    assert backup_database(path=path, overwrite=True).counts["people_resident"] == 3


@pytest.mark.django_db(transaction=False)
def test_restore_missing_file(tmp_path):
    result = gongzhi("restore", str(tmp_path / "nope.backup"), database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.returncode != 0
    assert "not found" in result.stderr and "nope.backup" in result.stderr
    assert not (tmp_path / "x.sqlite3").exists()


# -- the keys' canary and the files (issue 15) ------------------------------------------------------------------

def store_files(settings, tmp_path):
    """Uploaded files as the pages store them (through the storage): order photos and case files
    (in a media directory of the test's own)."""
    settings.MEDIA_ROOT = tmp_path / "media-source"
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    files = {}
    for i in range(10):
        files[default_storage.save(f"workorders/2026/11/photo{i}.jpg",
                                   ContentFile(b"\xff\xd8\xff" + os.urandom(200)))] = None
    for i in range(8):
        files[default_storage.save(f"cases/2026/case{i}.pdf", ContentFile(b"%PDF-1.4 " + os.urandom(300)))] = None
    return {name: default_storage.open(name).read() for name in files}


def test_restore_brings_back_the_files_with_their_checksums_and_private_modes(world, tmp_path, empty_target,
                                                                             settings):
    files = store_files(settings, tmp_path)
    path, manifest = make_backup(world, tmp_path)
    assert {e["name"] for e in manifest.files["entries"]} == set(files)
    data_dir = tmp_path / "new-node"  # a new machine: nothing in its media directory
    result = gongzhi("restore", str(path), database_url=empty_target.url, data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert re.search(r"文件 files +18  ok", result.stdout), result.stdout
    media = data_dir / "media"
    for name, content in files.items():
        restored = media / name
        assert restored.read_bytes() == content, name
        assert stat.S_IMODE(restored.stat().st_mode) == 0o600, name
        assert stat.S_IMODE(restored.parent.stat().st_mode) == 0o700, name
    assert stat.S_IMODE(media.stat().st_mode) == 0o700


def test_a_damaged_file_in_the_backup_is_refused_before_anything_is_written(world, tmp_path, empty_target, settings):
    store_files(settings, tmp_path)
    path, manifest = make_backup(world, tmp_path)
    archive = path.with_name(manifest.files["archive"])
    with open(archive, "r+b") as fh:
        fh.seek(2000)
        byte = fh.read(1)
        fh.seek(2000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    result = gongzhi("restore", str(path), database_url=empty_target.url, data_dir=tmp_path / "n")
    assert result.returncode != 0 and "文件" in result.stderr and "损坏" in result.stderr, result.stderr
    assert not (tmp_path / "n" / "media" / "cases").exists()


def test_restore_under_other_keys_is_refused_before_anything_is_written(world, tmp_path, empty_target):
    import base64
    path, _manifest = make_backup(world, tmp_path)
    other = base64.b64encode(os.urandom(32)).decode()
    for variable in ("GONGZHI_ENCRYPTION_KEY", "GONGZHI_HMAC_KEY"):
        result = gongzhi("restore", str(path), database_url=empty_target.url, data_dir=tmp_path / "n",
                         env={variable: other})
        assert result.returncode != 0
        assert "密钥" in result.stderr and "备份时" in result.stderr, result.stderr
        if connection.vendor == "sqlite":
            assert not (tmp_path / "restored.sqlite3").exists() or empty_target.query(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'people_resident'") == [(0,)]
        else:
            assert empty_target.query("SELECT COUNT(*) FROM pg_tables WHERE tablename = 'people_resident'") == [(0,)]
    # the old key among the old keys: the canary opens, the restore goes on
    result = gongzhi("restore", str(path), database_url=empty_target.url, data_dir=tmp_path / "n",
                     env={"GONGZHI_ENCRYPTION_KEY": other,
                          "GONGZHI_ENCRYPTION_OLD_KEYS": settings.GONGZHI_ENCRYPTION_KEY})
    assert result.returncode == 0, result.stderr
