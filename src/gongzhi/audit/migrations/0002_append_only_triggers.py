"""The database refuses to change the audit trail, whatever the client (MLPS level 3, 审计记录保护).

PostgreSQL: UPDATE is refused; DELETE is refused unless the row is older than the legal retention
(183 days, Cybersecurity Law art. 21): the retention purge is the one delete that passes.
TRUNCATE is a statement of its own that row triggers do not see (the test runner empties tables
with it); in production the application's role should not hold TRUNCATE on this table (docs/security.md).

SQLite: UPDATE is refused (RAISE ABORT); DELETE of a row younger than the retention is skipped
(RAISE IGNORE: the row stays, the statement goes on), because SQLite has no TRUNCATE and Django's
test runner empties every table with DELETE between transactional tests.
"""
from django.db import migrations

TABLE = "audit_auditevent"
RETENTION_DAYS = 183  # models.MIN_RETENTION_DAYS, fixed here as the migration ran

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '{RETENTION_DAYS} days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '审计日志只能追加,不能修改或删除 (% on {TABLE} refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
PG_BACKWARD = f"""
DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE};
DROP FUNCTION IF EXISTS audit_event_append_only();
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '审计日志只能追加,不能修改 (UPDATE on {TABLE} refused)'); END""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {TABLE}
        WHEN old.at >= datetime('now', '-{RETENTION_DAYS} days')
        BEGIN SELECT RAISE(IGNORE); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
