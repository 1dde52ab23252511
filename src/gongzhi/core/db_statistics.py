"""Planner statistics before a bulk INSERT … SELECT.

PostgreSQL plans a statement from the tables' statistics, which autovacuum refreshes a while after
rows change. A roll built right after a large import is planned as if the residents' table were
nearly empty: measured on 1,000,000 residents, the voter roll's build ran over 6 minutes with the
statistics missing and 9 s with them (bench/RESULTS.md, elections). `analyze_if_stale` ANALYZEs the
named tables whose statistics are missing or behind by more than a fifth of their rows (a sample of
30,000 rows: well under a second on a million); SQLite plans without such statistics and is skipped.
"""
from __future__ import annotations

from django.db import connection

STALE_FRACTION = 0.2


def analyze_if_stale(*tables: str) -> list[str]:
    """ANALYZE those of `tables` whose statistics are missing or stale; returns their names."""
    if connection.vendor != "postgresql" or not tables:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
            "WHERE s.relname = ANY(%s) AND (c.reltuples < 0 OR (s.last_analyze IS NULL AND s.last_autoanalyze IS NULL)"
            " OR s.n_mod_since_analyze > %s * GREATEST(c.reltuples, 1000))", [list(tables), STALE_FRACTION])
        stale = [row[0] for row in cursor.fetchall()]
        for name in stale:  # names come from the catalogue, matched against the caller's constants
            cursor.execute(f'ANALYZE "{name}"')
    return stale
