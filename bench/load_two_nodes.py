"""Two app nodes, one PostgreSQL, one Redis, 200 staff users and Open311 clients at once (locust).

What is measured
  * N app nodes (`gongzhi serve`, default 2) on loopback ports against one PostgreSQL database (a fresh
    copy of bench/open311_load.py's `bench_o311_base`: demo at scale 0.05 + 20,000 open311 orders of the
    last day) and one Redis (GONGZHI_CACHE_URL; started here from Debian's redis-server, or --cache-url).
  * `--users` (default 200) staff users (the demo's street, community, grid and district accounts; the
    driver signs in `--sessions` times first and the users share those sessions, so 200 argon2 sign-ins
    are not what is measured), user i on node i mod N, each with `--think` 5-15 s between clicks:
    the order list, an order's page, a search, the figures page (weights 4:4:2:1).
  * `--clients` (default 20) Open311 clients POSTing reports (the open311_load.py body: a point inside a
    grid, a Chinese description with a unique marker) with 0.2-0.6 s between posts, alternating nodes.
  * Latency p50/p95/p99 per request name (locust's CSV), errors, and nothing lost: every POST answered
    200 is one distinct open311 row, and no row appeared without a 200 beyond the requests in flight.

Run by hand (never in the tests); PG_URL from `source scripts/lib/postgres.sh && pg_start`; locust in a
virtualenv of its own (it patches the standard library through gevent and registers a pytest plugin, so
never in the project's .venv): `python3 -m venv /tmp/locust-venv && /tmp/locust-venv/bin/pip install locust`
(or LOCUST=/path/to/locust).

    python bench/open311_load.py setup --backend pg          # once: bench_o311_base and its api key
    python bench/load_two_nodes.py run --nodes 2 --duration 120
    python bench/load_two_nodes.py run --nodes 1 --duration 120   # the one-node figure beside it

Every run appends one line to bench/out/results.jsonl (kind "load_two_nodes").
This file is also the locustfile (`locust -f bench/load_two_nodes.py`), driven by LOAD_* variables.
"""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out" / "load2n"
DEMO_STAFF = ["street", "community", "community2", "grid", "admin", "department"]
DEMO_PASSWORD = os.environ.get("GONGZHI_DEMO_PASSWORD", "gongzhi-demo")

# -- the locust side (imported by locust in its own process) ----------------------------------------
try:
    from locust import HttpUser, between, events, task
except ImportError:  # the driver below does not need locust itself
    HttpUser = None

if HttpUser is not None and os.environ.get("LOAD_NODES"):
    NODES = os.environ["LOAD_NODES"].split(",")
    META = json.loads(Path(os.environ["LOAD_META"]).read_text(encoding="utf-8"))
    IDS = open(os.environ["LOAD_IDS"], "a", encoding="utf-8")  # noqa: SIM115 (open for the run)
    _counter = {"staff": 0, "client": 0}
    _ORDER_LINK = re.compile(r'href="/orders/(\d+)/"')
    SESSIONS = json.loads(os.environ["LOAD_SESSIONS"])

    class Staff(HttpUser):
        weight = 10
        wait_time = between(float(os.environ.get("LOAD_THINK_MIN", "5")), float(os.environ.get("LOAD_THINK_MAX", "15")))
        host = NODES[0]

        def on_start(self):
            n = _counter["staff"]
            _counter["staff"] += 1
            self.client.base_url = NODES[n % len(NODES)]
            # signed in before the load (a workday's steady state; argon2 sign-ins are not what is measured):
            # the sessions are rows in the database, good on every node
            self.client.cookies.set("sessionid", SESSIONS[n % len(SESSIONS)])
            self.orders: list[str] = []

        @task(4)
        def order_list(self):
            page = self.client.get("/orders/", name="order list")
            found = _ORDER_LINK.findall(page.text)
            if found:
                self.orders = found

        @task(4)
        def order_detail(self):
            if not self.orders:
                return self.order_list()
            self.client.get(f"/orders/{random.choice(self.orders)}/", name="order page")

        @task(2)
        def search(self):
            self.client.get("/orders/?q=" + random.choice(["垃圾", "路灯", "楼道", "噪音", "漏水"]), name="order search")

        @task(1)
        def figures(self):
            self.client.get("/orders/figures/", name="figures")

    class Open311Client(HttpUser):
        fixed_count = int(os.environ.get("LOAD_CLIENTS", "20"))
        wait_time = between(0.2, 0.6)
        host = NODES[0]

        def on_start(self):
            n = _counter["client"]
            _counter["client"] += 1
            self.n, self.sent = n, 0
            self.client.base_url = NODES[n % len(NODES)]

        @task
        def post(self):
            lat, lon = random.choice(META["points"])
            self.sent += 1
            marker = f"[{os.environ['LOAD_RUN']} c{self.n} n{self.sent}]"
            with self.client.post("/open311/v2/requests.json", name="Open311 POST", catch_response=True, data={
                    "api_key": META["api_key"], "service_code": "sanitation", "lat": lat, "long": lon,
                    "description": f"小区门口垃圾桶满溢,已经两天没有清运 {marker}",
                    "phone": f"138{random.randrange(10**8):08d}"}) as answer:
                if answer.status_code == 200:
                    IDS.write(answer.json()[0]["service_request_id"] + "\n")
                    IDS.flush()
                else:
                    answer.failure(f"{answer.status_code}: {answer.text[:200]}")

    @events.quitting.add_listener
    def _close(environment, **kw):
        IDS.close()


# -- the driver -------------------------------------------------------------------------------------
def _driver():
    import argparse

    sys.path.insert(0, str(BENCH))
    import common
    import open311_load as o311

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run")
    run.add_argument("--nodes", type=int, default=2)
    run.add_argument("--workers", type=int, default=4, help="gunicorn workers per node")
    run.add_argument("--threads", type=int, default=2)
    run.add_argument("--users", type=int, default=200)
    run.add_argument("--clients", type=int, default=20)
    run.add_argument("--spawn-rate", type=float, default=10)
    run.add_argument("--sessions", type=int, default=12, help="sign-ins before the load, shared by the staff users")
    run.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                     help="seconds a staff user reads a page before the next click")
    run.add_argument("--duration", type=int, default=120, help="seconds after every user has started")
    run.add_argument("--cache-url", default=os.environ.get("GONGZHI_CACHE_URL", ""))
    run.add_argument("--label", default="")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    meta_file = o311.meta_path("pg")
    if not meta_file.exists():
        raise SystemExit("run `python bench/open311_load.py setup --backend pg` first")
    label = args.label or f"n{args.nodes}-w{args.workers}t{args.threads}-u{args.users}-c{args.clients}"
    common.clone_db("pg", o311.BASE, o311.DB)
    url = o311.url_for("pg")

    redis_started = False
    cache_url = args.cache_url
    if not cache_url:
        port = 56390
        out = subprocess.run(["bash", "-c", f"source {BENCH.parent}/scripts/lib/redis.sh && REDIS_PORT={port} "
                              f"REDIS_DIR={OUT}/redis redis_start >&2 && echo $REDIS_URL"],
                             capture_output=True, text=True, check=True)
        cache_url, redis_started = out.stdout.strip(), True
    subprocess.run(["redis-cli", "-u", cache_url, "flushdb"], capture_output=True)

    env = {**o311.env_for(url), "GONGZHI_CACHE_URL": cache_url, "GONGZHI_2FA_REQUIRED": "off",
           "GONGZHI_LOGIN_SOURCE_FAILURE_LIMIT": "100000", "GONGZHI_NOTIFY_SENDERS": ""}
    try:
        with common.serve_nodes(args.nodes, env, OUT, label, workers=args.workers, threads=args.threads) as servers:
            nodes = [f"http://127.0.0.1:{p}" for p, _ in servers]
            max_before = o311.db_query("pg", "SELECT coalesce(max(id), 0) FROM workorders_workorder")[0][0]
            ids_file = OUT / f"{label}.ids"
            ids_file.unlink(missing_ok=True)
            sessions = [_sign_in(nodes[i % len(nodes)], DEMO_STAFF[i % len(DEMO_STAFF)]) for i in range(args.sessions)]
            ramp = int((args.users + args.clients) / args.spawn_rate) + 1
            run_id = f"{label}-{int(time.time())}"
            lenv = {**os.environ, "LOAD_NODES": ",".join(nodes), "LOAD_META": str(meta_file), "LOAD_IDS": str(ids_file),
                    "LOAD_RUN": run_id, "LOAD_CLIENTS": str(args.clients),
                    "LOAD_SESSIONS": json.dumps(sessions), "LOAD_THINK_MIN": str(args.think[0]),
                    "LOAD_THINK_MAX": str(args.think[1])}
            csv = OUT / label
            t0 = time.time()
            cpu0 = sum(o311.cpu_ticks(p.pid) for _, p in servers)
            locust = os.environ.get("LOCUST", "/tmp/locust-venv/bin/locust")
            proc = subprocess.run([locust, "-f", __file__, "--headless",
                                   "-u", str(args.users + args.clients), "-r", str(args.spawn_rate),
                                   "-t", f"{ramp + args.duration}s", "--csv", str(csv), "--only-summary",
                                   "--reset-stats", "--stop-timeout", "10"],
                                  env=lenv, capture_output=True, text=True)
            wall = time.time() - t0
            server_cpu = (sum(o311.cpu_ticks(p.pid) for _, p in servers) - cpu0) / wall
            time.sleep(1)
            stats = _read_stats(Path(f"{csv}_stats.csv"))
            failures = Path(f"{csv}_failures.csv").read_text(encoding="utf-8") if Path(f"{csv}_failures.csv").exists() \
                else ""
            in_flight = args.clients  # at most one request per client when locust stops
            verify = o311.verify("pg", max_before, [ids_file], in_flight)
            result = {"kind": "load_two_nodes", "label": label, "nodes": args.nodes, "workers": args.workers,
                      "threads": args.threads, "users": args.users, "clients": args.clients, "duration_s": args.duration,
                      "sessions": args.sessions, "think_s": list(args.think),
                      "ramp_s": ramp, "cache_url": cache_url.split("@")[-1], "cpus": os.cpu_count(),
                      "load_avg_before": os.getloadavg(), "server_cpu_s_per_s": round(server_cpu, 2),
                      **o311.src_state(), "stats": stats, "failures_csv": failures[-2000:], "verify": verify,
                      "locust_rc": proc.returncode, "locust_tail": proc.stderr[-1500:]}
            with common.RESULTS.open("a", encoding="utf-8") as f:
                f.write(json.dumps(result, ensure_ascii=False) + "\n")
            print(_table(result))
            print("verify", json.dumps(verify, ensure_ascii=False))
    finally:
        if redis_started:
            subprocess.run(["redis-cli", "-u", cache_url, "shutdown", "nosave"], capture_output=True)


def _sign_in(node: str, username: str) -> str:
    """One real sign-in (form, CSRF token, password); returns the session cookie."""
    import requests
    browser = requests.Session()
    page = browser.get(node + "/accounts/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = browser.post(node + "/accounts/login/", allow_redirects=False, timeout=60,
                          data={"csrfmiddlewaretoken": token, "username": username, "password": DEMO_PASSWORD},
                          headers={"Referer": node + "/accounts/login/"})
    if answer.status_code != 302 or "sessionid" not in browser.cookies:
        raise SystemExit(f"sign-in of {username} on {node} failed: {answer.status_code}")
    return browser.cookies["sessionid"]


def _read_stats(path: Path) -> list[dict]:
    import csv
    rows = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows.append({"name": row["Name"], "requests": int(row["Request Count"]),
                         "failures": int(row["Failure Count"]), "rps": float(row["Requests/s"]),
                         "p50": row["50%"], "p95": row["95%"], "p99": row["99%"], "max": row["Max Response Time"]})
    return rows


def _table(result: dict) -> str:
    lines = [f"{result['label']}: {result['nodes']} node(s) × {result['workers']}w×{result['threads']}t, "
             f"{result['users']} staff + {result['clients']} Open311 clients, {result['duration_s']} s",
             "| request | count | req/s | p50 ms | p95 ms | p99 ms | max ms | failures |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in result["stats"]:
        lines.append(f"| {s['name']} | {s['requests']} | {s['rps']:.1f} | {s['p50']} | {s['p95']} | {s['p99']} | "
                     f"{float(s['max']):.0f} | {s['failures']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    _driver()
