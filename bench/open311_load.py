"""Open311 POST and GET under load, against the production server (`gongzhi serve`).

What is measured
  * POST /open311/v2/requests.json (form body: api_key, service_code=sanitation, lat/long inside
    a grid of the demo, a Chinese description with a unique marker, phone 138xxxxxxxx):
    throughput and latency p50/p90/p95/p99 at `--connections` (default 32) for `--duration`
    seconds (default 30) after a `--warmup` (default 10 s, same script, not counted in the figures).
  * GET /open311/v2/requests.json?status=open and GET /open311/v2/services.json, same way.
  * Exactly-once check: every 200 response's service_request_id (parsed by wrk's Lua `response()`
    hook and written to bench/out/o311/<label>-*.ids) must be a distinct open311 row in the
    database; the new open311 rows (id above the maximum before the run) must number the 200
    responses plus at most the requests still in flight when wrk stopped (wrk drops those), and
    their descriptions (each carrying a unique marker) must all be distinct.

The load tool is wrk (Debian package `wrk`, C + LuaJIT, one thread by default) on loopback;
the server is `gongzhi serve --host 127.0.0.1 --port P --workers N [--threads T]` (gunicorn
gthread, the project's gunicorn_conf.py otherwise unchanged: access log on, preload).

Run (PG_URL from `source scripts/lib/postgres.sh && pg_start`):

    python bench/open311_load.py setup   --backend pg|sqlite     # fresh DB bench_o311: migrate, demo --scale 0.05, apikey
    python bench/open311_load.py run     --backend pg [--workers N] [--threads T] [--connections 32] [--duration 30]
    python bench/open311_load.py profile --backend pg [--requests 500]   # in-process cProfile + SQL per POST

Every figure is appended to bench/out/results.jsonl (kind "open311_load" / "open311_profile").
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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

DB = "bench_o311"
BASE = "bench_o311_base"  # after setup; every run and the profile start from a fresh copy of it
PREFILL = 20_000  # open311 orders of the last 24 h already there (≥ 200 per grid: the duplicate scan's cap)
O311 = common.OUT / "o311"
O311.mkdir(parents=True, exist_ok=True)
GONGZHI = str(common.ROOT / ".venv" / "bin" / "gongzhi")
DESCRIPTIONS = [
    "小区门口垃圾桶满溢,已经两天没有清运,气味很大",
    "楼道里堆放杂物,影响通行,存在消防隐患",
    "绿化带内有人倾倒建筑垃圾,请尽快处理",
    "小区污水井冒水,路面积水严重,居民出行不便",
    "菜场旁边卫生死角蚊蝇滋生,希望安排保洁",
]


def url_for(backend: str, db: str = DB) -> str:
    return common.db_url(backend, db)


def meta_path(backend: str) -> Path:
    return O311 / f"setup-{backend}.json"


def gongzhi(args: list[str], url: str) -> str:
    proc = subprocess.run([GONGZHI, *args], env=env_for(url), cwd=str(common.ROOT),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"gongzhi {' '.join(args)} failed")
    return proc.stdout


# -- setup ----------------------------------------------------------------------------------
def setup(backend: str) -> None:
    url = url_for(backend, BASE)
    common.drop_db(backend, BASE)
    if backend == "pg":
        common.psql(f"CREATE DATABASE \"{BASE}\" TEMPLATE template0 ENCODING 'UTF8'")
    t0 = time.perf_counter()
    gongzhi(["migrate", "--noinput", "-v", "0"], url)
    t1 = time.perf_counter()
    gongzhi(["demo", "--scale", "0.05", "--quiet-progress"], url)
    t2 = time.perf_counter()
    raw_key = gongzhi(["apikey", "create", "--name", "bench"], url).strip().splitlines()[-1].strip()
    # Points inside the grids' boundaries, read from the database (Django in a child process).
    out = common.run_child([__file__, "_points", backend], url=url)
    meta = {"backend": backend, "db_url": url, "prefill": PREFILL, "api_key": raw_key, "migrate_s": round(t1 - t0, 1),
            "demo_s": round(t2 - t1, 1), **out}
    meta_path(backend).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in meta.items() if k != "points"}, ensure_ascii=False))


def _points(n: int = 2000, seed: int = 20261125) -> dict:
    """Random points inside the grids' GeoJSON rings, checked with the locator the view uses."""
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from gongzhi.places.models import Level, Place
    from gongzhi.workorders import locate
    from gongzhi.workorders.models import Category, Escalation, WorkOrder, WorkOrderEvent

    rng = random.Random(seed)
    grids = locate._grids()
    points = []
    while len(points) < n:
        entry = rng.choice(grids)  # (grid_id, bbox, polygons, …) as locate caches it
        grid_id, (x0, y0, x1, y1) = entry[0], entry[1]
        lon, lat = round(rng.uniform(x0, x1), 6), round(rng.uniform(y0, y1), 6)
        found = locate.grid_at(lat, lon)
        if found is not None and found.pk == grid_id:
            points.append([lat, lon])
    # Steady state of a busy day: PREFILL reported open311 orders of the last 24 h in the sample's grids.
    orders_before = WorkOrder.objects.count()
    places = {g.pk: g for g in Place.objects.filter(level=Level.GRID).select_related("parent__parent__parent")}
    category = Category.objects.get(code="sanitation")
    now = timezone.now()
    batch = []
    for i in range(PREFILL):
        lat, lon = points[i % len(points)]
        g = places[locate.grid_at(lat, lon).pk]
        created = now - dt.timedelta(seconds=rng.randrange(60, 86400))
        batch.append(WorkOrder(category=category, kind=category.kind, title=DESCRIPTIONS[i % 5][:30],
                               description=f"{DESCRIPTIONS[i % 5]} [prefill {i}]", channel="open311",
                               district=g.parent.parent.parent, street=g.parent.parent, community=g.parent, grid=g,
                               lat=lat, lon=lon, reporter_phone_masked="138****0000", state="reported",
                               step_due_at=now + dt.timedelta(days=1),
                               extra={"attributes": {}, "open311_client": "prefill"}, created_at=created))
    field = WorkOrder._meta.get_field("created_at")
    field.auto_now_add = False  # this process only: keep the spread-out report times
    made = WorkOrder.objects.bulk_create(batch, batch_size=2000)
    field.auto_now_add = True
    # Since 5386bd5 the sweep's clock is a row of workorders_escalation per order (order_report creates it).
    Escalation.objects.bulk_create([Escalation(order=o, next_at=o.step_due_at) for o in made], batch_size=2000)
    WorkOrderEvent.objects.bulk_create(
        [WorkOrderEvent(order=o, action="report", from_state="", to_state="reported", actor_name="匿名",
                        at=o.created_at, note=o.description, data={"channel": "open311"}) for o in made],
        batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    else:
        with connection.cursor() as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"kind": "o311_points", "grids_with_boundary": len(grids), "orders_demo": orders_before,
            "grids": Place.objects.filter(level=Level.GRID).count(), "orders_after_prefill": WorkOrder.objects.count(),
            "points": points}


# -- the server -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, backend: str, workers: int | None, threads: int | None, label: str):
        self.port = free_port()
        self.log = O311 / f"{label}-server.log"
        args = [GONGZHI, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if workers:
            args += ["--workers", str(workers)]
        if threads:
            args += ["--threads", str(threads)]
        self.logf = self.log.open("w")
        self.proc = subprocess.Popen(args, env=env_for(url_for(backend)), cwd=str(common.ROOT),
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(self.base + "/open311/v2/services.json", timeout=5) as r:
                    if r.status == 200:
                        break
            except Exception:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise SystemExit(f"server did not start, see {self.log}")
            time.sleep(0.3)
        # The banner line ("gongzhi: gunicorn on … — N workers × T threads …"); system-check warnings may precede it.
        lines = self.log.read_text().splitlines()
        self.banner = next((ln for ln in lines if ln.startswith("gongzhi: gunicorn")), lines[0] if lines else "")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # gunicorn master: graceful stop of its workers
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()


# -- wrk ------------------------------------------------------------------------------------
LUA_COMMON = r"""
threads_ = {}
counter_ = 0
function setup(thread)
  counter_ = counter_ + 1
  thread:set("tid", counter_)
  table.insert(threads_, thread)
end
function done(summary, latency, requests)
  local sent, ok, other, idlines = 0, 0, 0, 0
  for _, t in ipairs(threads_) do
    sent = sent + (t:get("sent") or 0)
    ok = ok + (t:get("ok200") or 0)
    other = other + (t:get("other") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"sent":%d,"ok200":%d,"other_status":%d,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
    '"lat_mean_us":%.1f,"lat_max_us":%d,"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,"p999_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, sent, ok, other,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9)))
end
sent, ok200, other = 0, 0, 0
"""

LUA_GET = LUA_COMMON + r"""
function request()
  sent = sent + 1
  return wrk.format("GET")
end
function response(status, headers, body)
  if status == 200 then ok200 = ok200 + 1 else other = other + 1 end
end
"""

LUA_POST = r"""
local points = %(points)s
local descs = %(descs)s
local key = "%(key)s"
local run = "%(run)s"
local ids_prefix = "%(ids_prefix)s"
local idf = nil
local function enc(s)
  return (s:gsub("[^%%w%%-%%._~]", function(c) return string.format("%%%%%%02X", string.byte(c)) end))
end
function init(args)
  idf = io.open(ids_prefix .. "-t" .. tid .. ".ids", "w")
  math.randomseed(tid * 7919)
end
function request()
  sent = sent + 1
  local p = points[math.random(#points)]
  local d = descs[(sent %% #descs) + 1] .. " [" .. run .. " t" .. tid .. " n" .. sent .. "]"
  local body = "api_key=" .. key .. "&service_code=sanitation&lat=" .. p[1] .. "&long=" .. p[2] ..
               "&description=" .. enc(d) .. "&phone=138" .. string.format("%%08d", (tid * 1000000 + sent) %% 100000000)
  return wrk.format("POST", nil, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
function response(status, headers, body)
  if status == 200 then
    ok200 = ok200 + 1
    local id = string.match(body, '"service_request_id": "([^"]+)"')
    idf:write(id or "?", "\n")
    if ok200 %% 200 == 0 then idf:flush() end
  else
    other = other + 1
    if other <= 3 then io.stderr:write("status ", status, ": ", string.sub(body, 1, 300), "\n") end
  end
end
"""


def lua_table(rows) -> str:
    def lit(v):
        return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else repr(v)
    return "{" + ",".join("{" + ",".join(lit(x) for x in r) + "}" if isinstance(r, list) else lit(r)
                          for r in rows) + "}"


def wrk(url: str, script: str, *, connections: int, duration: int, threads: int, name: str) -> dict:
    path = O311 / f"{name}.lua"
    path.write_text(script, encoding="utf-8")
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", str(path), url]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    (O311 / f"{name}.wrk.txt").write_text(" ".join(cmd) + "\n" + proc.stdout + proc.stderr)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if proc.returncode != 0 or line is None:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit("wrk failed")
    r = json.loads(line[len("WRKJSON "):])
    secs = r["duration_us"] / 1e6
    out = {"rps": round(r["requests"] / secs, 1), "ok_rps": round(r["ok200"] / secs, 1),
           **{k.replace("_us", "_ms"): round(r[k] / 1000, 1) for k in
              ("lat_mean_us", "p50_us", "p90_us", "p95_us", "p99_us", "p999_us", "lat_max_us")},
           "requests": r["requests"], "ok200": r["ok200"], "other_status": r["other_status"], "sent": r["sent"],
           "socket_errors": r["err_connect"] + r["err_read"] + r["err_write"] + r["err_timeout"],
           "mean_bytes": round(r["bytes"] / max(1, r["requests"])), "seconds": round(secs, 2),
           "wall_s": round(time.perf_counter() - t0, 1)}
    return out


def cpu_ticks(pid: int) -> float:
    """CPU seconds of a process and its children that are alive (utime+stime of each)."""
    total = 0.0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                    text=True).stdout.split()]
    for p in pids:
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError):
            pass
    return total


# -- verification (no Django in the orchestrator: plain DB-API) ------------------------------
def db_query(backend: str, sql: str, params=()) -> list[tuple]:
    if backend == "pg":
        import psycopg
        with psycopg.connect(common.pg_url(DB)) as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchall()
    import sqlite3
    conn = sqlite3.connect(str(common.sqlite_path(DB)), timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def verify(backend: str, max_id_before: int, ids_files: list[Path], in_flight: int) -> dict:
    rows = db_query(backend, "SELECT count(*), count(DISTINCT id), count(DISTINCT description), count(DISTINCT token) "
                             "FROM workorders_workorder WHERE channel = 'open311' AND id > ?", (max_id_before,))
    n, n_id, n_desc, n_token = rows[0]
    db_ids = {r[0] for r in db_query(backend, "SELECT id FROM workorders_workorder WHERE channel = 'open311' "
                                              "AND id > ?", (max_id_before,))}
    answered = []
    for f in ids_files:
        answered += [ln.strip() for ln in f.read_text().splitlines() if ln.strip()]
    answered_pk = [int(x[10:]) if x.startswith("GD") else -1 for x in answered]
    missing = [pk for pk in answered_pk if pk not in db_ids]
    extra = len(db_ids - set(answered_pk))
    ok = (n == n_id == n_desc == n_token and not missing and len(set(answered_pk)) == len(answered_pk)
          and 0 <= extra <= in_flight)
    return {"new_open311_rows": n, "distinct_descriptions": n_desc, "distinct_tokens": n_token,
            "ok200_ids_logged": len(answered), "distinct_ok200_ids": len(set(answered_pk)),
            "ok200_ids_missing_in_db": len(missing), "rows_without_200_seen": extra,
            "in_flight_at_stop_max": in_flight, "exactly_once": ok}


# -- run ------------------------------------------------------------------------------------
def run(args) -> None:
    meta = json.loads(meta_path(args.backend).read_text(encoding="utf-8"))
    cfg = f"w{args.workers or 'D'}t{args.threads or 'D'}"
    label = args.label or f"{args.backend}-{cfg}-c{args.connections}"
    for old in O311.glob(f"{label}-*.ids"):
        old.unlink()
    common.clone_db(args.backend, BASE, DB)  # every run starts from the same state
    server = Server(args.backend, args.workers, args.threads, label)
    result = {"kind": "open311_load", "backend": args.backend, "label": label, "server": server.banner, **src_state(),
              "prefill": meta.get("prefill", 0),
              "connections": args.connections, "wrk_threads": args.wrk_threads, "duration_s": args.duration}
    try:
        max_before = db_query(args.backend, "SELECT coalesce(max(id), 0) FROM workorders_workorder")[0][0]
        rows_before = db_query(args.backend, "SELECT count(*) FROM workorders_workorder")[0][0]
        in_flight = 0
        posts = {}
        for phase, duration in (("warmup", args.warmup), ("post", args.duration)):
            script = LUA_COMMON + LUA_POST % {"points": lua_table(meta["points"]), "descs": lua_table(DESCRIPTIONS),
                                 "key": meta["api_key"], "run": f"{label}-{phase}-{int(time.time())}",
                                 "ids_prefix": str(O311 / f"{label}-{phase}")}
            cpu0 = cpu_ticks(server.proc.pid)
            posts[phase] = r = wrk(server.base + "/open311/v2/requests.json", script, connections=args.connections,
                                   duration=duration, threads=args.wrk_threads, name=f"{label}-{phase}")
            r["server_cpu_s_per_s"] = round((cpu_ticks(server.proc.pid) - cpu0) / r["seconds"], 2)
            in_flight += max(0, r["sent"] - r["ok200"] - r["other_status"])
            print(phase, json.dumps(r), flush=True)
        time.sleep(1)  # let requests in flight when wrk stopped finish
        result["post"] = posts["post"]
        result["post_warmup"] = posts["warmup"]
        result["verify"] = verify(args.backend, max_before, sorted(O311.glob(f"{label}-*.ids")), in_flight)
        print("verify", json.dumps(result["verify"]), flush=True)
        result["rows_before"] = rows_before
        result["open_rows_at_get"] = db_query(
            args.backend, "SELECT count(*) FROM workorders_workorder WHERE state NOT IN ('closed','declined','merged')")[0][0]
        for phase, path in (("get_open", "/open311/v2/requests.json?status=open"),
                            ("get_services", "/open311/v2/services.json")):
            wrk(server.base + path, LUA_GET, connections=args.connections, duration=5, threads=args.wrk_threads,
                name=f"{label}-{phase}-warmup")
            result[phase] = wrk(server.base + path, LUA_GET, connections=args.connections,
                                duration=args.get_duration, threads=args.wrk_threads, name=f"{label}-{phase}")
            print(phase, json.dumps(result[phase]), flush=True)
        with urllib.request.urlopen(server.base + "/open311/v2/requests.json?status=open") as r:
            result["get_open_items"] = len(json.loads(r.read()))
    finally:
        server.stop()
    common.record(result)


# -- profile --------------------------------------------------------------------------------
def profile(args) -> None:
    common.clone_db(args.backend, BASE, DB)
    common.record(common.run_child([__file__, "_profile", args.backend, str(args.requests)],
                                   url=url_for(args.backend)))
    print((O311 / f"profile-{args.backend}.txt").read_text()[:6000])


def _profile(backend: str, n: int) -> None:
    import contextlib
    import cProfile
    import io
    import pstats

    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    meta = json.loads(meta_path(backend).read_text(encoding="utf-8"))
    rng = random.Random(7)
    client = Client()

    def post(i):
        lat, lon = rng.choice(meta["points"])
        return client.post("/open311/v2/requests.json", {
            "api_key": meta["api_key"], "service_code": "sanitation", "lat": lat, "long": lon,
            "description": f"{DESCRIPTIONS[i % len(DESCRIPTIONS)]} [profile {i}]", "phone": "13800000000"})

    sink = io.StringIO()  # the default ConsoleSender prints every notice
    with contextlib.redirect_stdout(sink):
        for i in range(30):
            assert post(i).status_code == 200
        with CaptureQueriesContext(connection) as q:
            assert post(10_000).status_code == 200
        queries = [x["sql"] for x in q.captured_queries]
        # plain timing (no profiler)
        t0 = time.perf_counter()
        for i in range(n):
            assert post(20_000 + i).status_code == 200
        plain_ms = (time.perf_counter() - t0) * 1000 / n
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for i in range(n):
            post(30_000 + i)
        prof.disable()
        prof_ms = (time.perf_counter() - t0) * 1000 / n
        # queries per POST over many requests (the per-process caches warm)
        with CaptureQueriesContext(connection) as q2:
            for i in range(50):
                post(40_000 + i)
        per_post = len(q2.captured_queries) / 50
    prof.dump_stats(str(O311 / f"profile-{backend}.prof"))
    text = io.StringIO()
    text.write(f"Open311 POST in process (Django test Client), backend {backend}, {n} requests\n")
    text.write(f"plain: {plain_ms:.2f} ms/request; under cProfile: {prof_ms:.2f} ms/request; "
               f"SQL queries per POST: {len(queries)} (mean over 50: {per_post:.1f})\n\nQueries of one POST:\n")
    for i, sql in enumerate(queries, 1):
        text.write(f"{i:2d}. {sql[:400]}\n")
    for sort in ("cumulative", "tottime"):
        text.write(f"\n=== top 45 by {sort} ===\n")
        pstats.Stats(prof, stream=text).sort_stats(sort).print_stats(45)
    (O311 / f"profile-{backend}.txt").write_text(text.getvalue(), encoding="utf-8")
    common.emit({"kind": "open311_profile", **src_state(), "backend": backend, "requests": n, "plain_ms": round(plain_ms, 2),
                 "profiled_ms": round(prof_ms, 2), "queries_one_post": len(queries),
                 "queries_per_post_mean": per_post})


def main() -> None:
    if len(sys.argv) >= 3 and sys.argv[1] == "_points":
        common.emit(_points())
        return
    if len(sys.argv) >= 4 and sys.argv[1] == "_profile":
        _profile(sys.argv[2], int(sys.argv[3]))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup", help="fresh database bench_o311: migrate, demo --scale 0.05, apikey, points")
    s.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    r = sub.add_parser("run", help="start gongzhi serve, run wrk POST/GET, verify, stop the server")
    r.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    r.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn_conf's)")
    r.add_argument("--threads", type=int, help="threads per worker (default: gunicorn_conf's)")
    r.add_argument("--connections", type=int, default=32)
    r.add_argument("--duration", type=int, default=30, help="seconds of measured POST load")
    r.add_argument("--warmup", type=int, default=10, help="seconds of POST warm-up (not counted)")
    r.add_argument("--get-duration", type=int, default=20, help="seconds of each measured GET load")
    r.add_argument("--wrk-threads", type=int, default=1)
    r.add_argument("--label")
    f = sub.add_parser("profile", help="cProfile + queries per POST, in process (Django test Client)")
    f.add_argument("--backend", choices=["pg", "sqlite"], required=True)
    f.add_argument("--requests", type=int, default=500)
    args = p.parse_args()
    if args.cmd == "setup":
        setup(args.backend)
    elif args.cmd == "run":
        run(args)
    else:
        profile(args)


if __name__ == "__main__":
    main()
