"""Residents' topics at scale (issue 12): one community of 50,000 residents with 100,000 topics
and 1,000,000 supports; the topic list with its filters, for the community worker and a resident.

    python bench/topics_bench.py build   --backend sqlite|pg     # fresh database bench_topics (timed)
    python bench/topics_bench.py measure --backend sqlite|pg [--requests 300]

build: migrate an empty database, then one district / street / community / 10 grids, 16,667
households and 50,000 residents (bulk inserts), 100,000 topics over two years in every state and
category (bulk inserts), and 1,000,000 supports — each resident supports 20 distinct topics — in
one INSERT … SELECT, then every topic's support_count from one UPDATE. Nothing here goes through
the services (they are tested elsewhere); this is the data the pages read.

measure: in process, the full stack through Django's test Client (middleware, session, scope,
query, paginator, template), a seeded mix of list requests (kinds below). The floor is the same
page's own queries (its id page and its count) run bare on the cursor: the ratio page / floor says
how much the page adds on top of what the database must do anyway.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict

import common
from list_bench import summarise

DB = "bench_topics"
RESIDENTS, TOPICS, SUPPORTS_EACH = 50_000, 100_000, 20
KINDS = ("newest", "state", "state_category", "most_supported", "due", "deep", "resident")


def build(backend: str) -> None:
    common.drop_db(backend, DB)
    if backend == "pg":
        common.psql(f'CREATE DATABASE "{DB}"')
    common.django_setup(common.db_url(backend, DB))
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.accounts.models import Role, RoleAssignment, User
    from gongzhi.governance.models import Topic, TopicCategory, TopicState
    from gongzhi.people.models import Household, Resident
    from gongzhi.places.models import Level, Place

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - t0
    rng = random.Random(12)
    t1 = time.perf_counter()
    with transaction.atomic():
        district = Place.objects.create(code="320282", name="基准区", level=Level.DISTRICT)
        street = Place.objects.create(code="320282901", name="基准街道", level=Level.STREET, parent=district)
        community = Place.objects.create(code="320282901001", name="基准社区", level=Level.COMMUNITY, parent=street)
        grids = [Place.objects.create(code=f"320282901001{i:03d}", name=f"基准社区第{i}网格", level=Level.GRID,
                                      parent=community) for i in range(1, 11)]
        households = Household.objects.bulk_create(
            [Household(number=f"B{i:07d}", community=community, grid=grids[i % 10]) for i in range(RESIDENTS // 3 + 1)],
            batch_size=5000)
        Resident.objects.bulk_create(
            [Resident(name=f"居民{i}", residence_status="registered", household=households[i // 3],
                      relation="01" if i % 3 == 0 else "20", community=community, grid=households[i // 3].grid,
                      birth_date=dt.date(1940 + i % 70, 1 + i % 12, 1 + i % 28)) for i in range(RESIDENTS)],
            batch_size=5000)
        worker = User.objects.create(username="bench_topics_worker", display_name="基准社区工作者")
        RoleAssignment.objects.create(user=worker, role=Role.COMMUNITY, place=community)
        first = Resident.objects.filter(community=community).order_by("pk").first()
        resident_user = User.objects.create(username="bench_topics_resident", display_name="", resident=first)
        RoleAssignment.objects.create(user=resident_user, role=Role.RESIDENT, place=grids[0])
    t_people = time.perf_counter() - t1
    t2 = time.perf_counter()
    now = timezone.now()
    states = [s for s, _ in TopicState.choices]
    weights = [30, 8, 20, 5, 20, 17]  # collecting, waiting, deliberation, merged, ordered, declined
    categories = [c for c, _ in TopicCategory.choices]
    batch = []
    with transaction.atomic():
        for i in range(TOPICS):
            created = now - dt.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
            state = rng.choices(states, weights)[0]
            waiting = state != "collecting"
            batch.append(Topic(
                community=community, grid=grids[i % 10], category=rng.choice(categories),
                title=f"议题{i}:{rng.choice(('楼道灯', '停车', '垃圾分类', '电梯', '绿化', '噪声'))}",
                text="基准测试议题内容。" * 5, raised_by=resident_user, raised_as="resident", state=state,
                created_at=created, waiting_since=created + dt.timedelta(days=3) if waiting else None,
                answer_due_at=created + dt.timedelta(days=10) if waiting else None,
                answered_at=created + dt.timedelta(days=8) if state not in ("collecting", "waiting") else None))
            if len(batch) == 10_000:
                Topic.objects.bulk_create(batch)
                batch = []
        Topic.objects.bulk_create(batch)
    t_topics = time.perf_counter() - t2
    t3 = time.perf_counter()
    # Resident r supports topics (r·7919 + j·4729) mod 100,000 for j < 20: distinct for each r.
    topic_min = Topic.objects.order_by("pk").values_list("pk", flat=True).first()
    res_min = Resident.objects.order_by("pk").values_list("pk", flat=True).first()
    with transaction.atomic(), connection.cursor() as c:
        if connection.vendor == "postgresql":
            nums = f"(SELECT generate_series(0, {RESIDENTS - 1}) AS r) rr CROSS JOIN " \
                   f"(SELECT generate_series(0, {SUPPORTS_EACH - 1}) AS j) jj"
            c.execute(f"INSERT INTO governance_support (topic_id, resident_id, created_at) "
                      f"SELECT {topic_min} + ((r::bigint * 7919 + j * 4729) % {TOPICS}), {res_min} + r, now() "
                      f"FROM {nums}")
        else:
            c.execute(f"""INSERT INTO governance_support (topic_id, resident_id, created_at)
                WITH RECURSIVE rr(r) AS (SELECT 0 UNION ALL SELECT r + 1 FROM rr WHERE r < {RESIDENTS - 1}),
                               jj(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM jj WHERE j < {SUPPORTS_EACH - 1})
                SELECT {topic_min} + ((r * 7919 + j * 4729) % {TOPICS}), {res_min} + r, datetime('now')
                FROM rr CROSS JOIN jj""")
        c.execute("UPDATE governance_topic SET support_count = (SELECT COUNT(*) FROM governance_support s "
                  "WHERE s.topic_id = governance_topic.id)")
    if connection.vendor == "postgresql":  # autovacuum's steady state: statistics and the visibility map
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as c:
            c.execute("ANALYZE")
    t_supports = time.perf_counter() - t3
    common.record({"kind": "topics_build", "backend": backend, "residents": RESIDENTS, "topics": TOPICS,
                   "supports": RESIDENTS * SUPPORTS_EACH, "migrate_s": round(t_migrate, 1),
                   "people_s": round(t_people, 1), "topics_s": round(t_topics, 1),
                   "supports_s": round(t_supports, 1)})


def measure(backend: str, requests: int, seed: int) -> None:
    common.django_setup(common.db_url(backend, DB))
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongzhi.accounts.models import User
    from gongzhi.governance.models import Support, Topic, TopicCategory, TopicState

    worker = User.objects.get(username="bench_topics_worker")
    resident = User.objects.get(username="bench_topics_resident")
    staff, own = Client(), Client()
    staff.force_login(worker)
    own.force_login(resident)
    rng = random.Random(seed)
    states = [s for s, _ in TopicState.choices]
    categories = [c for c, _ in TopicCategory.choices]
    total = Topic.objects.count()

    def make(kind: str) -> tuple[Client, str]:
        if kind == "newest":
            return staff, "/governance/"
        if kind == "state":
            return staff, f"/governance/?state={rng.choice(states)}"
        if kind == "state_category":
            return staff, f"/governance/?state={rng.choice(states)}&category={rng.choice(categories)}"
        if kind == "most_supported":
            return staff, f"/governance/?sort=support&state={rng.choice(('', 'collecting'))}"
        if kind == "due":
            return staff, "/governance/?state=waiting&sort=due"
        if kind == "deep":
            return staff, f"/governance/?page={rng.choice((10, 100, 1000))}"
        return own, f"/governance/?state={rng.choice(('', 'collecting'))}&category={rng.choice(['', *categories])}"

    def timed(client, url) -> float:
        t0 = time.perf_counter()
        r = client.get(url)
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            raise SystemExit(f"{url}: HTTP {r.status_code}")
        return ms

    for kind in KINDS:  # warm-up: templates, connection, the OS page cache
        timed(*make(kind))
    plan = [KINDS[i % len(KINDS)] for i in range(requests)]
    rng.shuffle(plan)
    samples, floor, slowest = defaultdict(list), defaultdict(list), {}
    for kind in plan:
        client, url = make(kind)
        ms = timed(client, url)
        samples[kind].append(ms)
        if ms > slowest.get(kind, (0, ""))[0]:
            slowest[kind] = (ms, url, client)
        # the floor: the queries on the topics table this page ran, bare on the cursor
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        own_sql = [q["sql"] for q in ctx.captured_queries if '"governance_topic"' in q["sql"]]
        t0 = time.perf_counter()
        with connection.cursor() as c:
            for sql in own_sql:
                c.execute(sql)
                c.fetchall()
        floor[kind].append((time.perf_counter() - t0) * 1000)
    queries = {}
    for kind, (ms, url, client) in slowest.items():
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries[kind] = {"url": url, "ms": round(ms), "n_queries": len(ctx.captured_queries)}
    page, bare = summarise(samples), summarise(floor)
    result = {"kind": "topics_list", "backend": backend, "topics": total, "supports": Support.objects.count(),
              "requests": len(plan), "page": page, "floor": bare,
              "p95_ratio": {k: round(page[k]["p95"] / max(bare[k]["p95"], 1), 1) for k in page},
              "queries": queries}
    common.record(result)
    print(f"\n{backend}: {total:,} topics, {result['supports']:,} supports\n"
          "| kind | n | p50 ms | p95 ms | p99 ms | floor p95 ms | page/floor p95 |\n|---|---:|---:|---:|---:|---:|---:|",
          file=sys.stderr)
    for kind, s in page.items():
        print(f"| {kind} | {s['n']} | {s['p50']} | {s['p95']} | {s['p99']} | {bare[kind]['p95']} | "
              f"{result['p95_ratio'][kind]} |", file=sys.stderr)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("step", choices=("build", "measure"))
    p.add_argument("--backend", choices=("sqlite", "pg"), required=True)
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    if args.step == "build":
        build(args.backend)
    else:
        measure(args.backend, args.requests, args.seed)


if __name__ == "__main__":
    main()
