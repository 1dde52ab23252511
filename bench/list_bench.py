"""A community worker's resident list with a million residents loaded.

    python bench/list_bench.py --backend sqlite|pg [--db bench_import_csv] [--requests 200] [--api 60]

Reuses the database that `import_bench.py import` filled (the territory plus
1,000,000 imported residents). Logs in (force_login) as a community worker of
the community with the most residents (user `bench_community`, created on
first run), then requests through Django's test Client — in process, the full
stack: middleware, session, scope, query, paginator, template — the resident
list page, with a seeded mix of request kinds:

  page1    no query, page 1
  deep     no query, a deep page (100, 1000, or the last)
  name     a common surname alone ("张") or surname + given-name char ("王建")
  pinyin   pinyin initials ("zs", "wx", "ljh") or a full-pinyin prefix ("zhang")
  id4      the last 4 digits of an ID number
  address  a fragment of a dwelling address (an estate name)

and the JSON API /api/residents?q=… (page_size 50) with the same kinds.
Reports p50/p95/p99 per kind and overall. For every kind it also times each
SQL query of one request and writes the query plan of the slowest one
(EXPLAIN QUERY PLAN / EXPLAIN ANALYZE) to bench/out/explain-<backend>-<kind>.txt.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict

import common

KINDS = ("page1", "deep", "name", "pinyin", "id4", "address")
MIX = {"page1": 30, "deep": 30, "name": 40, "pinyin": 35, "id4": 35, "address": 30}
NAMES = ("张", "王", "陈", "王建", "张伟", "陈国", "吴晓", "周明", "李")
PINYIN = ("zs", "wx", "zw", "ljh", "cxm", "zhang", "wang", "chen")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summarise(samples: dict[str, list[float]]) -> dict:
    out = {}
    for kind, values in list(samples.items()) + [("overall", [v for vs in samples.values() for v in vs])]:
        out[kind] = {"n": len(values), "p50": round(pct(values, 50)), "p95": round(pct(values, 95)),
                     "p99": round(pct(values, 99)), "max": round(max(values))}
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backend", choices=("sqlite", "pg"), required=True)
    p.add_argument("--db", default="bench_import_csv")
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--api", type=int, default=60)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--no-explain", action="store_true")
    p.add_argument("--sqlite-pragmas", default="",
                   help='what-if: extra PRAGMAs on every SQLite connection, e.g. "mmap_size=1073741824;cache_size=-65536"')
    p.add_argument("--label", default="", help="a name for this variant in results.jsonl")
    args = p.parse_args(argv)

    common.django_setup(common.db_url(args.backend, args.db))
    from django.db import connection
    if args.sqlite_pragmas:
        from django.db.backends.signals import connection_created

        def pragmas(sender, connection, **kwargs):
            if connection.vendor == "sqlite":
                with connection.cursor() as c:
                    for p in args.sqlite_pragmas.split(";"):
                        if p.strip():
                            c.execute("PRAGMA " + p.strip())
        connection_created.connect(pragmas)
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongzhi.accounts.models import Role, RoleAssignment, User
    from gongzhi.people.models import Resident
    from gongzhi.places.models import Dwelling, Place

    total = Resident.objects.count()
    top = (Resident.objects.filter(status="active").values("community_id").annotate(n=Count("id"))
           .order_by("-n").first())
    community = Place.objects.get(pk=top["community_id"])
    user, _ = User.objects.get_or_create(username="bench_community", defaults={"display_name": "基准测试"})
    RoleAssignment.objects.get_or_create(user=user, role=Role.COMMUNITY, place=community)
    client = Client()
    client.force_login(user)
    rng = random.Random(args.seed)
    tails = [t for t in Resident.objects.filter(community=community).values_list("id_tail", flat=True)[:5000:50]]
    addresses = sorted({a.split("幢")[0].rstrip("0123456789")[:4] for a in
                        Dwelling.objects.filter(community=community).values_list("address", flat=True)[:3000:30]})
    per_page = 30
    last_page = (top["n"] + per_page - 1) // per_page

    def make(kind: str, api: bool = False) -> str:
        base = "/api/residents" if api else "/people/residents/"
        if kind == "page1":
            return base
        if kind == "deep":
            page = rng.choice((100, 1000, last_page if not api else top["n"] // 50))
            return f"{base}?page={page}"
        q = {"name": lambda: rng.choice(NAMES), "pinyin": lambda: rng.choice(PINYIN),
             "id4": lambda: rng.choice(tails), "address": lambda: rng.choice(addresses)}[kind]()
        return f"{base}?q={q}"

    def timed(url: str) -> float:
        t0 = time.perf_counter()
        r = client.get(url)
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            raise SystemExit(f"{url}: HTTP {r.status_code}")
        return ms

    # Warm-up (templates, connection, the OS page cache): not counted.
    for kind in KINDS:
        timed(make(kind))
        timed(make(kind, api=True))

    plan = [k for k, n in MIX.items() for _ in range(round(n * args.requests / 200))]
    rng.shuffle(plan)
    samples: dict[str, list[float]] = defaultdict(list)
    slowest: dict[str, tuple[float, str]] = {}
    t_all = time.perf_counter()
    for kind in plan:
        url = make(kind)
        ms = timed(url)
        samples[kind].append(ms)
        if ms > slowest.get(kind, (0, ""))[0]:
            slowest[kind] = (ms, url)
    page_s = time.perf_counter() - t_all
    api_plan = [KINDS[i % len(KINDS)] for i in range(args.api)]
    rng.shuffle(api_plan)
    api_samples: dict[str, list[float]] = defaultdict(list)
    for kind in api_plan:
        api_samples[kind].append(timed(make(kind, api=True)))

    # Where the time goes: each query of the slowest request of each kind, and its plan.
    queries = {}
    for kind, (_ms, url) in slowest.items():
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            client.get(url)
            wall = (time.perf_counter() - t0) * 1000
        timed_queries = []
        for q in ctx.captured_queries:
            sql = q["sql"]
            if sql.startswith(("SAVEPOINT", "RELEASE", "UPDATE \"django_session\"", "BEGIN", "COMMIT")):
                continue
            t0 = time.perf_counter()
            with connection.cursor() as c:
                c.execute(sql)
                c.fetchall()
            timed_queries.append(((time.perf_counter() - t0) * 1000, sql))
        timed_queries.sort(reverse=True)
        queries[kind] = {"url": url, "wall_ms": round(wall), "n_queries": len(ctx.captured_queries),
                         "top": [(round(ms, 1), sql[:160]) for ms, sql in timed_queries[:3]]}
        if not args.no_explain and timed_queries:
            ms, sql = timed_queries[0]
            with connection.cursor() as c:
                if connection.vendor == "sqlite":
                    c.execute("EXPLAIN QUERY PLAN " + sql)
                    plan_text = "\n".join(" | ".join(str(v) for v in row) for row in c.fetchall())
                else:
                    c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan_text = "\n".join(row[0] for row in c.fetchall())
            suffix = f"-{args.label}" if args.label else ""
            (common.OUT / f"explain-{args.backend}-{kind}{suffix}.txt").write_text(
                f"-- {url}\n-- {ms:.1f} ms\n{sql}\n\n{plan_text}\n", encoding="utf-8")

    result = {"kind": "list", "backend": args.backend, "db": args.db, "label": args.label or "as is",
              "sqlite_pragmas": args.sqlite_pragmas, "residents_total": total,
              "community": community.name, "community_active_residents": top["n"], "requests": len(plan),
              "page_total_s": round(page_s, 1), "page": summarise(samples), "api": summarise(api_samples),
              "queries": queries}
    common.record(result)
    print(f"\n{args.backend}: {community.name}, {top['n']:,} active residents of {total:,}", file=sys.stderr)
    for label, table in (("page /people/residents/", result["page"]), ("API /api/residents", result["api"])):
        print(f"\n{label}\n| kind | n | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|",
              file=sys.stderr)
        for kind, s in table.items():
            print(f"| {kind} | {s['n']} | {s['p50']} | {s['p95']} | {s['p99']} | {s['max']} |", file=sys.stderr)
    for kind, q in queries.items():
        print(f"\n{kind}: {q['url']} {q['wall_ms']} ms, {q['n_queries']} queries; slowest:", file=sys.stderr)
        for ms, sql in q["top"]:
            print(f"   {ms} ms  {sql}", file=sys.stderr)


if __name__ == "__main__":
    main()
