"""The restore drill (docs/operations.md, "Backups and restore"): back up, damage, restore, and compare every
table's row count and checksum with what was there before. On PostgreSQL the backup is pg_dump's custom format
and the restore pg_restore in one transaction; on SQLite the online backup API."""
import pytest
from django.db import connection

from gongzhi.core.backup import backup_database, restore_database, table_checksums
from gongzhi.people.models import CareTag, Household, Resident
from tests import factories as f
from tests.people.test_import import person, run, write_csv

pytestmark = pytest.mark.django_db(transaction=True)

# The backup's and the restore's own entries: the only rows allowed to differ.
LOGS = ("core_accesslog", "audit_auditevent")


def damage():
    """What an operator's mistake or a bad migration does: rows gone, rows changed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # past the append-only triggers, as a superuser's mistake would be
            cursor.execute("SET session_replication_role = replica")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
        cursor.execute("DELETE FROM people_resident_care_tags")
        cursor.execute("UPDATE people_household SET number = number || 'X'")
        cursor.execute("DELETE FROM people_resident WHERE id IN (SELECT MIN(id) FROM people_resident)")
        cursor.execute("UPDATE places_place SET name = '损坏'")
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")
        else:
            cursor.execute("PRAGMA foreign_keys = ON")


def test_back_up_damage_restore_and_compare_every_table(world, tmp_path):
    tag, _ = CareTag.objects.get_or_create(code="empty_nest", defaults={"name": "空巢老人"})
    rows = [person(world, id_number=f.id_number(), household=f"HD{i // 3}", tags="空巢老人") for i in range(30)]
    assert run(write_csv(tmp_path / "r.csv", rows)).accepted == 30
    before = table_checksums()
    assert before["people_resident"][0] == 33 and before["people_resident_care_tags"][0] == 30

    path = tmp_path / "drill.backup"
    manifest = backup_database(path=path)
    assert manifest.engine == ("postgresql" if connection.vendor == "postgresql" else "sqlite")
    if connection.vendor == "postgresql":
        assert path.read_bytes()[:5] == b"PGDMP" and manifest.tool.startswith("pg_dump")

    damage()
    damaged = table_checksums()
    assert {t for t in before if damaged[t] != before[t]} >= {
        "people_resident", "people_household", "places_place", "people_resident_care_tags"}

    restore_database(path=path, force=True)
    after = table_checksums()
    assert set(after) == set(before)
    differ = {t: (before[t], after[t]) for t in before if t not in LOGS and after[t] != before[t]}
    assert not differ, differ
    for table in LOGS:  # the restore's own entries come on top of what the backup held
        assert after[table][0] == before[table][0] + 1, table
    assert Household.objects.filter(number="HD0").exists() and Resident.objects.count() == 33
