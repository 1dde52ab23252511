"""analyze_if_stale: a table filled a moment ago (never analyzed) gets statistics before a bulk
INSERT … SELECT is planned from it; SQLite is left alone."""
import pytest
from django.db import connection

from gongzhi.core.db_statistics import analyze_if_stale

pytestmark = pytest.mark.django_db


def test_a_table_never_analyzed_is_analyzed_and_sqlite_is_skipped():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE stats_probe (n integer)")
        cursor.execute("INSERT INTO stats_probe (n) VALUES (1)" if connection.vendor == "sqlite"
                       else "INSERT INTO stats_probe (n) SELECT generate_series(1, 5000)")
    if connection.vendor != "postgresql":
        assert analyze_if_stale("stats_probe") == []
        return
    assert analyze_if_stale("stats_probe", "no_such_table") == ["stats_probe"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'stats_probe'")
        assert cursor.fetchone()[0] == 5000
