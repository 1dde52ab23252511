"""The overdue sweep (`gongzhi.workorders.escalation.escalate_overdue`) over 1,000,000 work orders.

What is measured
  The wall time of one call `escalate_overdue(now=T0)` in a process with Django already set up
  and the database connection open (the clock covers only the call: its working-day look-up and
  its INSERT … SELECT / UPDATE statements, committed), the rows it escalated, the 督办 events and
  notifications it inserted (counted before/after), then a second call at the same `now`, which
  must escalate 0 (idempotence).

The data (`load`, written once into a template database, every sweep runs on a fresh copy of it)
  The demo territory (`gongzhi demo --scale 0.05`: 宜兴市, 9 streets, 26 communities, 82 grids,
  its staff and role assignments) plus 1,000,000 generated orders, bulk-inserted with the raw
  DB-API (PostgreSQL COPY; SQLite executemany in one transaction, indexes dropped during the load
  and created again after it), not through the services. Fixed seed. T0 = 2026-11-25 10:00
  Asia/Shanghai (a Wednesday). Mix:
    * 680,000 final: 640,000 closed, 30,000 declined, 10,000 merged; created over the 2 years
      before T0, closed 1–20 days after; no deadlines (escalation next_at NULL);
    * 320,000 open (reported 60k, accepted 40k, dispatched 80k, handling 80k, replied 40k,
      verified 20k; created in the 60 days before T0; owner set from "accepted" on), of which
        - 150,000 (15 % of all) past their step deadline at T0: next_at in [T0−20 d, T0),
          120,000 at level 0 (community) and 30,000 already at level 1 (street);
        - 150,000 with next_at in (T0, T0+20 d] (not yet due);
        - 20,000 at level 2 (district): overdue, next_at NULL (the sweep never looks again).
  Since 5386bd5 the sweep's bookkeeping (level, overdue, next_at) lives in the narrow table
  workorders_escalation, one row per order: the orders get explicit ids (after the demo's max id),
  their escalation rows the same ids; PostgreSQL's id sequence is reset after the load.
  Category, kind, channel, title, description (Chinese), street/community/grid (weighted by the
  demo's planned households), lat/lon, masked phone, encrypted phone (a pool of 64 values), extra '{}'.
  After the load: PostgreSQL `VACUUM ANALYZE` (what autovacuum would do within a minute),
  SQLite `ANALYZE` (SQLite has no autovacuum; see the notes in RESULTS.md).

Cases
  normal  now = T0:        150,000 due (15 % of the million)
  worst   now = T0 + 30 d: every order with a deadline is due: 300,000

Run (PG_URL from `source scripts/lib/postgres.sh && pg_start`):

    python bench/sweep_1m.py load  --backend pg|sqlite [--rows 1000000]
    python bench/sweep_1m.py sweep --backend pg|sqlite --case normal|worst

Figures go to bench/out/results.jsonl (kind "sweep_load" / "sweep_1m").
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

# BENCH_SRC: measure the gongzhi in that directory (e.g. a `git archive HEAD src` snapshot) instead of
# the working tree's src/, which another engineer may be editing. Children and servers get it first
# on their path.
SRC = os.environ.get("BENCH_SRC", "")


def env_for(url: str) -> dict:
    env = common.child_env(url)
    if SRC:
        env["PYTHONPATH"] = SRC + os.pathsep + env["PYTHONPATH"]
    return env


def setup_django() -> None:
    if SRC:
        sys.path.insert(0, SRC)
    common.django_setup()


def src_state() -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=str(common.ROOT), capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--short", "--", "src"], cwd=str(common.ROOT), capture_output=True,
                           text=True).stdout.split("\n")
    return {"gongzhi_src": SRC or str(common.ROOT / "src"), "head": commit if not SRC else "n/a (snapshot)",
            "working_tree_src_changes": [ln.strip() for ln in dirty if ln.strip()] if not SRC else "n/a (snapshot)"}

TEMPLATE = "bench_sweep_tpl"
RUN_DB = "bench_sweep_run"
GONGZHI = str(common.ROOT / ".venv" / "bin" / "gongzhi")
SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
CASES = {"normal": T0, "worst": T0 + dt.timedelta(days=30)}
UTC = dt.UTC

# (state, share of all rows) — a million: 320k open, 680k final.
FINAL_MIX = [("closed", 640_000), ("declined", 30_000), ("merged", 10_000)]
OPEN_MIX = [("reported", 60_000), ("accepted", 40_000), ("dispatched", 80_000), ("handling", 80_000),
            ("replied", 40_000), ("verified", 20_000)]
# Of the open ones: (profile, count): due now at level 0 / level 1, later, at level 2 (no next).
OPEN_PROFILES = [("due0", 120_000), ("due1", 30_000), ("later", 150_000), ("lvl2", 20_000)]
CHANNELS = ["grid"] * 45 + ["web"] * 25 + ["open311"] * 15 + ["window"] * 10 + ["visit"] * 5
TITLES = ["楼道堆放杂物", "垃圾桶满溢未清运", "绿化带内建筑垃圾", "小区污水井冒水", "电梯经常停运", "地下车库照明损坏",
          "消防通道被占用", "电动车楼道内充电", "占道经营", "车辆乱停影响通行", "邻里噪音纠纷", "咨询医保报销",
          "老人助餐需求", "开具居住情况证明", "申请最低生活保障", "申领高龄津贴"]
COLUMNS = ["id", "token", "kind", "title", "description", "channel", "address", "lat", "lon", "reporter_name",
           "reporter_phone_enc", "reporter_phone_masked", "reporter_email_enc", "state", "handling_department",
           "step_due_at", "due_at", "rework_count", "rating",
           "rating_comment", "resolved", "extra", "created_at", "accepted_at", "first_response_at",
           "responded_on_time", "replied_at", "closed_at", "version", "category_id", "community_id", "district_id",
           "grid_id", "handling_place_id", "owner_id", "street_id"]
ESC_COLUMNS = ["order_id", "level", "overdue", "next_at"]


def scaled(mix, rows):
    return [(k, round(n * rows / 1_000_000)) for k, n in mix] if rows != 1_000_000 else mix


# -- generation (in a child process with Django set up on the template) ---------------------------
def generate(rows: int, first_id: int, seed: int = 20261125):
    """Yield (order row in COLUMNS order, escalation row in ESC_COLUMNS order), datetimes aware;
    ids first_id, first_id + 1, …"""
    from gongzhi.accounts.models import RoleAssignment
    from gongzhi.core import crypto
    from gongzhi.places import demo as places_demo
    from gongzhi.places.models import Level, Place
    from gongzhi.workorders.models import Category

    rng = random.Random(seed)
    district = Place.objects.get(level=Level.DISTRICT)
    plan = places_demo.plan_households()
    grids = list(Place.objects.filter(level=Level.GRID).select_related("parent__parent"))
    weights = [plan.get(g.parent.code, 100) / max(1, sum(1 for h in grids if h.parent_id == g.parent_id))
               for g in grids]
    boxes = {}
    for g in grids:
        ring = (g.boundary or {}).get("coordinates", [[None]])[0]
        if ring and ring[0]:
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            boxes[g.pk] = (min(xs), max(xs), min(ys), max(ys))
    workers = {}
    for ra in RoleAssignment.objects.filter(active=True, role="community"):
        workers.setdefault(ra.place_id, []).append(ra.user_id)
    cats = list(Category.objects.filter(active=True).values_list("id", "kind"))
    phones = [f"138{rng.randrange(10**8):08d}" for _ in range(64)]
    phone_pool = [(crypto.encrypt(p), crypto.mask_phone(p)) for p in phones]

    final = [s for s, n in scaled(FINAL_MIX, rows) for _ in range(n)]
    open_states = [s for s, n in scaled(OPEN_MIX, rows) for _ in range(n)]
    profiles = [p for p, n in scaled(OPEN_PROFILES, rows) for _ in range(n)]
    assert len(profiles) == len(open_states), (len(profiles), len(open_states))
    rng.shuffle(profiles)
    kinds = [("final", s, None) for s in final] + [("open", s, p) for s, p in zip(open_states, profiles)]
    rng.shuffle(kinds)
    grid_choice = rng.choices(grids, weights=weights, k=len(kinds))
    day = dt.timedelta(days=1)
    two_years = 730 * 86400
    for pk, ((group, state, profile), grid) in enumerate(zip(kinds, grid_choice), start=first_id):
        community, street = grid.parent, grid.parent.parent
        cat_id, kind = cats[rng.randrange(len(cats))]
        title = TITLES[rng.randrange(len(TITLES))]
        enc, masked = phone_pool[rng.randrange(64)]
        lat = lon = None
        if grid.pk in boxes and rng.random() < 0.7:
            x0, x1, y0, y1 = boxes[grid.pk]
            lon, lat = round(rng.uniform(x0, x1), 6), round(rng.uniform(y0, y1), 6)
        level, overdue = 0, False
        step_due = due = next_at = accepted = first_resp = on_time = replied = closed = None
        owner = handling = None
        rating, resolved = None, None
        if group == "final":
            created = T0 - dt.timedelta(seconds=rng.randrange(60 * 86400, two_years))
            closed = created + dt.timedelta(seconds=rng.randrange(86400, 20 * 86400))
            first_resp = created + dt.timedelta(seconds=rng.randrange(3600, 86400))
            on_time = rng.random() < 0.9
            if state == "closed":
                accepted = first_resp
                due = created + 7 * day
                replied = closed - dt.timedelta(hours=6)
                resolved = rng.random() < 0.92
                rating = rng.choice([5, 5, 5, 4, 4, 3, None])
                overdue = rng.random() < 0.12
                level = 1 if overdue and rng.random() < 0.8 else (2 if overdue else 0)
        else:
            created = T0 - dt.timedelta(seconds=rng.randrange(3600, 60 * 86400))
            if profile in ("due0", "due1"):
                next_at = T0 - dt.timedelta(seconds=rng.randrange(1, 20 * 86400))
            elif profile == "later":
                next_at = T0 + dt.timedelta(seconds=rng.randrange(1, 20 * 86400))
            level = {"due0": 0, "due1": 1, "later": rng.choice([0, 0, 0, 1]), "lvl2": 2}[profile]
            overdue = level > 0
            step_due = next_at if level == 0 else (next_at or T0) - dt.timedelta(days=rng.randrange(1, 10))
            if state != "reported":
                accepted = first_resp = created + dt.timedelta(seconds=rng.randrange(600, 86400))
                on_time = True
                due = accepted + 7 * day
                pool = workers.get(community.pk)
                owner = pool[rng.randrange(len(pool))] if pool else None
            if state in ("dispatched", "handling", "replied", "verified"):
                handling = community.pk
            if state in ("replied", "verified"):
                replied = created + dt.timedelta(days=2)
                resolved = True
        yield ((pk, uuid.UUID(int=rng.getrandbits(128), version=4), kind, title,
                f"{title},请尽快处理。居民反映情况属实,已现场拍照。", CHANNELS[rng.randrange(len(CHANNELS))],
                f"{community.name}{rng.randrange(1, 60)}幢", lat, lon, "", enc, masked, "", state, "",
                step_due, due, 0, rating, "", resolved, "{}", created, accepted,
                first_resp, on_time, replied, closed, 1, cat_id, community.pk, district.pk, grid.pk, handling, owner,
                street.pk),
               (pk, level, overdue, next_at))


def _load_child(backend: str, rows: int) -> dict:
    setup_django()
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT coalesce(max(id), 0) FROM workorders_workorder")
        first_id = c.fetchone()[0] + 1
    t0 = time.perf_counter()
    gen = generate(rows, first_id)
    first = next(gen)  # the generator's own ORM reads run now, not while the connection is in COPY
    import itertools
    rows_iter = itertools.chain([first], gen)
    if backend == "pg":
        n = _copy_pg(connection, rows_iter)
    else:
        n = _insert_sqlite(connection, rows_iter)
    t_insert = time.perf_counter() - t0
    t1 = time.perf_counter()
    if backend == "pg":
        connection.ensure_connection()
        raw = connection.connection
        raw.autocommit = True
        raw.execute("SELECT setval(pg_get_serial_sequence('workorders_workorder', 'id'), max(id)) "
                    "FROM workorders_workorder")
        raw.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as c:
            c.execute("ANALYZE")
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    t_analyze = time.perf_counter() - t1
    with connection.cursor() as c:
        c.execute("SELECT state, count(*) FROM workorders_workorder GROUP BY state ORDER BY state")
        states = dict(c.fetchall())
        c.execute("SELECT count(*) FROM workorders_workorder")
        total = c.fetchone()[0]
        c.execute("SELECT count(*) FROM workorders_escalation")
        esc_total = c.fetchone()[0]
        c.execute("SELECT count(*) FROM workorders_workorder wo LEFT JOIN workorders_escalation es "
                  "ON es.order_id = wo.id WHERE es.order_id IS NULL")
        without_esc = c.fetchone()[0]
        counts = {}
        for case, now in CASES.items():
            c.execute("SELECT count(*) FROM workorders_escalation es JOIN workorders_workorder wo "
                      "ON wo.id = es.order_id WHERE es.next_at IS NOT NULL AND es.next_at <= %s "
                      "AND wo.state IN ('reported','accepted','dispatched','handling','replied','verified')",
                      [connection.ops.adapt_datetimefield_value(now)])
            counts[case] = c.fetchone()[0]
    return {"kind": "sweep_load", **src_state(), "backend": backend, "inserted": n, "rows_total": total,
            "insert_s": round(t_insert, 1), "rows_per_s": round(n / t_insert), "analyze_s": round(t_analyze, 1),
            "escalation_rows": esc_total, "orders_without_escalation": without_esc, "first_id": first_id,
            "states": states, "due": counts}


def _copy_pg(connection, rows) -> int:
    connection.ensure_connection()
    raw = connection.connection
    n = 0
    escalations = []
    with raw.cursor() as cur:
        with cur.copy(f"COPY workorders_workorder ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row, esc in rows:
                copy.write_row(row)
                escalations.append(esc)
                n += 1
        with cur.copy(f"COPY workorders_escalation ({', '.join(ESC_COLUMNS)}) FROM STDIN") as copy:
            for esc in escalations:
                copy.write_row(esc)
    raw.commit()
    return n


def _sqlite_dt(value):
    # What Django's SQLite backend stores: naive UTC, str() form.
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


def _insert_sqlite(connection, rows) -> int:
    connection.ensure_connection()
    raw = connection.connection
    raw.isolation_level = None
    cur = raw.cursor()
    indexes = cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                          "('workorders_workorder', 'workorders_escalation') AND sql IS NOT NULL").fetchall()
    cur.execute("PRAGMA synchronous=OFF")
    cur.execute("PRAGMA cache_size=-262144")
    cur.execute("BEGIN")
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    dt_cols = [i for i, c in enumerate(COLUMNS) if c.endswith("_at")]
    token = COLUMNS.index("token")
    sql = (f"INSERT INTO workorders_workorder ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})")
    esc_sql = (f"INSERT INTO workorders_escalation ({', '.join(ESC_COLUMNS)}) "
               f"VALUES ({', '.join('?' * len(ESC_COLUMNS))})")
    n, batch, esc_batch = 0, [], []
    for row, (pk, level, overdue, next_at) in rows:
        row = list(row)
        row[token] = row[token].hex
        for i in dt_cols:
            row[i] = _sqlite_dt(row[i])
        batch.append(row)
        esc_batch.append((pk, level, overdue, _sqlite_dt(next_at)))
        if len(batch) == 50_000:
            cur.executemany(sql, batch)
            cur.executemany(esc_sql, esc_batch)
            n += len(batch)
            batch, esc_batch = [], []
    if batch:
        cur.executemany(sql, batch)
        cur.executemany(esc_sql, esc_batch)
        n += len(batch)
    for _, create in indexes:
        cur.execute(create)
    cur.execute("COMMIT")
    cur.execute("PRAGMA synchronous=NORMAL")
    return n


def load(args) -> None:
    url = common.db_url(args.backend, TEMPLATE)
    common.drop_db(args.backend, TEMPLATE)
    if args.backend == "pg":
        common.psql(f"CREATE DATABASE \"{TEMPLATE}\" TEMPLATE template0 ENCODING 'UTF8'")
    import subprocess
    t0 = time.perf_counter()
    for cmd in (["migrate", "--noinput", "-v", "0"], ["demo", "--scale", "0.05", "--quiet-progress"]):
        subprocess.run([GONGZHI, *cmd], env=env_for(url), cwd=str(common.ROOT), check=True,
                       capture_output=True)
    territory_s = time.perf_counter() - t0
    result = common.run_child([__file__, "_load", args.backend, str(args.rows)], url=url)
    result["territory_s"] = round(territory_s, 1)
    if args.backend == "pg":
        result["db_mb"] = int(common.psql(f"SELECT pg_database_size('{TEMPLATE}') / 1048576"))
    else:
        result["db_mb"] = round(common.sqlite_path(TEMPLATE).stat().st_size / 2**20)
    common.record(result)


# -- the sweep ------------------------------------------------------------------------------------
def _sweep_child(backend: str, case: str) -> dict:
    setup_django()
    from django.db import connection

    from gongzhi.workorders.escalation import escalate_overdue

    now = CASES[case]

    def counts():
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM workorders_workorderevent WHERE action = 'supervise'")
            events = c.fetchone()[0]
            c.execute("SELECT count(*), count(*) FILTER (WHERE order_id IS NULL) "
                      "FROM workorders_notification WHERE kind = 'overdue'" if connection.vendor == "postgresql" else
                      "SELECT count(*), sum(order_id IS NULL) FROM workorders_notification WHERE kind = 'overdue'")
            total, summaries = c.fetchone()
            counts.summaries = summaries or 0  # since 80d473f: one per supervisor and level, order_id NULL
            return events, total

    def levels():
        with connection.cursor() as c:
            c.execute("SELECT es.level, count(*) FROM workorders_workorder wo JOIN workorders_escalation es "
                      "ON es.order_id = wo.id "
                      "WHERE wo.state IN ('reported','accepted','dispatched','handling','replied','verified') "
                      "GROUP BY es.level ORDER BY 1")
            return {str(k): v for k, v in c.fetchall()}

    e0, n0 = counts()
    s0 = counts.summaries
    levels_before = levels()
    t0 = time.perf_counter()
    escalated = escalate_overdue(now=now)
    first_s = time.perf_counter() - t0
    e1, n1 = counts()
    s1 = counts.summaries
    t1 = time.perf_counter()
    again = escalate_overdue(now=now)
    second_s = time.perf_counter() - t1
    e2, n2 = counts()
    return {"kind": "sweep_1m", **src_state(), "backend": backend, "case": case, "now": now.isoformat(),
            "escalated": escalated, "seconds": round(first_s, 2), "events_inserted": e1 - e0,
            "notifications_inserted": n1 - n0, "notifications_without_order": s1 - s0,
            "second_run_escalated": again,
            "second_run_seconds": round(second_s, 3), "second_run_events": e2 - e1, "second_run_notifications": n2 - n1,
            "open_levels_before": levels_before, "open_levels_after": levels()}


def sweep(args) -> None:
    t0 = time.perf_counter()
    url = common.clone_db(args.backend, TEMPLATE, RUN_DB)
    copy_s = time.perf_counter() - t0
    try:
        result = common.run_child([__file__, "_sweep", args.backend, args.case], url=url)
    finally:
        if not args.keep:
            common.drop_db(args.backend, RUN_DB)
    result["copy_s"] = round(copy_s, 1)
    common.record(result)


def main() -> None:
    if len(sys.argv) >= 4 and sys.argv[1] == "_load":
        common.emit(_load_child(sys.argv[2], int(sys.argv[3])))
        return
    if len(sys.argv) >= 4 and sys.argv[1] == "_sweep":
        common.emit(_sweep_child(sys.argv[2], sys.argv[3]))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    lp = sub.add_parser("load", help=f"build the template database {TEMPLATE} (territory + generated orders)")
    lp.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    lp.add_argument("--rows", type=int, default=1_000_000, help="orders to generate (the mix scales with it)")
    sp = sub.add_parser("sweep", help=f"time escalate_overdue on a fresh copy ({RUN_DB}) of the template")
    sp.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    sp.add_argument("--case", choices=sorted(CASES), default="normal")
    sp.add_argument("--keep", action="store_true", help="keep the copy after the run (to inspect it)")
    args = p.parse_args()
    load(args) if args.cmd == "load" else sweep(args)


if __name__ == "__main__":
    main()
