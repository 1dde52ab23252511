"""Volunteers at scale (issue 17): 100,000 volunteers and 2,000,000 service records on PostgreSQL;
a volunteer's hours page (staff and the volunteer's own), a community's and a street's yearly hours
report, and check-ins at one event from many phones at once.

    python bench/volunteers_bench.py build   [--backend pg]      # fresh database bench_volunteers (timed)
    python bench/volunteers_bench.py measure [--backend pg] [--requests 200]
    python bench/volunteers_bench.py checkin [--backend pg] [--phones 500] [--threads 16]
    python bench/volunteers_bench.py checkin-procs [--phones 1000] [--procs 4]
    python bench/volunteers_bench.py checkin-http [--phones 1000] [--nodes 1] [--workers 4] [--server-threads 2]
                                                  [--concurrency 32] [--client-procs 2] [--follow]
    python bench/volunteers_bench.py checkin-profile [--phones 400]     # after checkin-http (its accounts)

build: migrate, one street with 20 communities of 5,000 residents each, all of them volunteers,
5,000 activities per community over two years (100,000), and 20 sign-ups per activity (2,000,000
records, 90 % with confirmed hours) in INSERT … SELECT statements; then every volunteer's cumulative
hours from one UPDATE, and VACUUM ANALYZE. The services are not used (they are tested elsewhere);
this is the data the pages read.

measure: in process, the full stack through Django's test Client, a seeded mix of the pages below.
The floor is each page's own queries on the volunteers' tables run bare on the cursor; page/floor
says what the page adds on top of what the database must do anyway.

checkin-procs: the same from `--procs` processes (each its own connection, as gunicorn workers), the
two presses of each phone shuffled, against a floor measured in the same run just before and after:
the same number of bare single-row UPDATEs by primary key from the same number of processes. The
rate is stated in check-ins per second and as presses per second over the floor's (the lower one).

checkin-http: the same over HTTP, as phones send it. `--nodes` servers (`gongzhi serve`, gunicorn gthread,
`--workers` × `--server-threads`, access log on, no queue worker beside them; BENCH_SRC as in open311_load.py)
on the bench's database. The volunteers get accounts (residents of the community, made once) and are signed in
before the load (the session rows and the sign-in signals, as after a real sign-in, without argon2: Django's
test client's force_login). Each phone then opens the scan page with its session cookie and gets the CSRF
cookie and the form's token, as a browser does (measured apart: "open_scan_page"); then the 2 × N presses
(签到: POST with the session and CSRF cookies, the form's token, Origin and Referer), shuffled, phone i on node
i mod N, each on a new connection, from `--client-procs` processes with `--concurrency` threads in all
(a plain http.client pool: a fixed list of presses sent once each, not a user model, and no extra tool on the
two cores). `--follow`: a press also fetches the page the 302 leads to, as a browser does. What each press was
told is read from the flash-message cookie its answer set; every phone must have been told 签到成功 once and
refused once, and the database must hold every volunteer checked in once, during the presses. Floor: the same
number of GET /healthz (no session, no database) through the same servers from the same clients, just before
and just after; the figure is presses/s over the lower floor.

checkin-profile: one process, Django's test client with CSRF checks on (no gunicorn): the queries of a first
and of a refused second press, and cProfile over `--phones` presses (bench/out/vhttp/profile-pg.txt).

checkin: an activity with `--phones` sign-ups, and each volunteer checks in through
`services.check_in` from a pool of threads, plus one second press each from another thread: every
volunteer checked in exactly once, every second press refused, the rate in check-ins per second.
"""
from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections import defaultdict

import common
from list_bench import summarise

DB = "bench_volunteers"
COMMUNITIES, PER_COMMUNITY, ACTIVITIES_EACH, SIGNUPS_EACH = 20, 5_000, 5_000, 20
KINDS = ("volunteer_staff", "volunteer_own", "report_community", "report_street")


def build(backend: str) -> None:
    common.drop_db(backend, DB)
    if backend == "pg":
        common.psql(f'CREATE DATABASE "{DB}"')
    common.django_setup(common.db_url(backend, DB))
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection, transaction

    from gongzhi.accounts.models import Role, RoleAssignment, User
    from gongzhi.people.models import Household, Resident
    from gongzhi.places.models import Level, Place

    if connection.vendor != "postgresql":
        raise SystemExit("the build uses PostgreSQL's generate_series: --backend pg")
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - t0
    t1 = time.perf_counter()
    with transaction.atomic():
        district = Place.objects.create(code="320282", name="基准区", level=Level.DISTRICT)
        street = Place.objects.create(code="320282901", name="基准街道", level=Level.STREET, parent=district)
        communities = [Place.objects.create(code=f"320282901{c:03d}", name=f"基准{c}社区", level=Level.COMMUNITY,
                                            parent=street) for c in range(1, COMMUNITIES + 1)]
        grids = [Place.objects.create(code=f"{c.code}001", name=f"{c.name}第1网格", level=Level.GRID, parent=c)
                 for c in communities]
        for c, g in zip(communities, grids):
            households = Household.objects.bulk_create(
                [Household(number=f"V{c.code[-3:]}{i:06d}", community=c, grid=g) for i in range(PER_COMMUNITY // 2)],
                batch_size=5000)
            Resident.objects.bulk_create(
                [Resident(name=f"志愿者{c.code[-3:]}-{i}", residence_status="registered", household=households[i // 2],
                          relation="01" if i % 2 == 0 else "20", community=c, grid=g,
                          birth_date=dt.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)) for i in range(PER_COMMUNITY)],
                batch_size=5000)
        worker = User.objects.create(username="bench_vol_worker", display_name="基准社区工作者")
        RoleAssignment.objects.create(user=worker, role=Role.COMMUNITY, place=communities[0])
        officer = User.objects.create(username="bench_vol_street", display_name="基准街道干部")
        RoleAssignment.objects.create(user=officer, role=Role.STREET, place=street)
    t_people = time.perf_counter() - t1
    t2 = time.perf_counter()
    ids = ",".join(str(c.pk) for c in communities)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"""INSERT INTO volunteers_volunteer (resident_id, community_id, skills, availability, self_signed,
                        registered_on, hours)
                        SELECT id, community_id, '["care"]', 'any', false, DATE '2024-01-01', 0
                        FROM people_resident WHERE community_id IN ({ids})""")
        # activities: 5,000 per community, one every ~3.5 hours over two years, 3 hours each
        cur.execute(f"""INSERT INTO volunteers_activity (community_id, title, description, location, starts_at, ends_at,
                        places, taken, skills, organiser_id, state, token, created_at)
                        SELECT c.id, '志愿活动' || n, '', '活动室', now() - (n * interval '210 minutes'),
                               now() - (n * interval '210 minutes') + interval '3 hours', {SIGNUPS_EACH},
                               {SIGNUPS_EACH}, '["care"]', {worker.pk}, 'published', md5(c.id || '-' || n), now()
                        FROM (SELECT id FROM places_place WHERE id IN ({ids})) c
                        CROSS JOIN generate_series(1, {ACTIVITIES_EACH}) n""")
        # sign-ups: activity k of a community takes volunteers (k·7 + j·251) mod 5,000, j < 20: distinct per activity
        cur.execute(f"""
            WITH a AS (SELECT id, community_id, starts_at,
                              row_number() OVER (PARTITION BY community_id ORDER BY id) - 1 AS k FROM volunteers_activity),
                 v AS (SELECT id, community_id,
                              row_number() OVER (PARTITION BY community_id ORDER BY id) - 1 AS i FROM volunteers_volunteer)
            INSERT INTO volunteers_signup (activity_id, volunteer_id, community_id, served_on, state, signed_at,
                                           checked_in_at, checked_out_at, hours, confirmed_at, confirmed_by_id)
            SELECT a.id, v.id, a.community_id, (a.starts_at AT TIME ZONE 'Asia/Shanghai')::date, 'signed',
                   a.starts_at - interval '2 days', a.starts_at, a.starts_at + interval '3 hours',
                   CASE WHEN (a.k + j) % 10 = 0 THEN NULL ELSE 2.5 END,
                   CASE WHEN (a.k + j) % 10 = 0 THEN NULL ELSE a.starts_at + interval '4 hours' END,
                   CASE WHEN (a.k + j) % 10 = 0 THEN NULL ELSE {worker.pk} END
            FROM a CROSS JOIN generate_series(0, {SIGNUPS_EACH - 1}) j
            JOIN v ON v.community_id = a.community_id AND v.i = (a.k * 7 + j * 251) % {PER_COMMUNITY}""")
        cur.execute("""UPDATE volunteers_volunteer v SET hours = s.h FROM
                       (SELECT volunteer_id, SUM(hours) h FROM volunteers_signup WHERE hours IS NOT NULL
                        GROUP BY volunteer_id) s WHERE s.volunteer_id = v.id""")
    # the yearly rollup the reports read, as the confirmations would have left it
    from gongzhi.volunteers import services as vol_services
    vol_services.rollup_rebuild(community_ids=[c.pk for c in communities])
    t_records = time.perf_counter() - t2
    # residents' accounts for the "own page" requests
    from gongzhi.volunteers.models import Volunteer
    with transaction.atomic():
        for n, v in enumerate(Volunteer.objects.filter(community=communities[0]).order_by("pk")[:50]):
            u = User.objects.create(username=f"bench_vol_res{n}", display_name="", resident_id=v.resident_id)
            RoleAssignment.objects.create(user=u, role=Role.RESIDENT, place=communities[0])
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    from gongzhi.volunteers.models import SignUp
    common.record({"kind": "volunteers_build", "backend": backend, "volunteers": Volunteer.objects.count(),
                   "records": SignUp.objects.count(), "migrate_s": round(t_migrate, 1),
                   "people_s": round(t_people, 1), "records_s": round(t_records, 1)})


def measure(backend: str, requests: int, seed: int) -> None:
    common.django_setup(common.db_url(backend, DB))
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.volunteers.models import SignUp, Volunteer

    worker, officer = User.objects.get(username="bench_vol_worker"), User.objects.get(username="bench_vol_street")
    staff, street = Client(), Client()
    staff.force_login(worker)
    street.force_login(officer)
    own = []
    for u in User.objects.filter(username__startswith="bench_vol_res").order_by("pk")[:20]:
        c = Client()
        c.force_login(u)
        own.append(c)
    community = worker.assignments.get().place
    vol_ids = list(Volunteer.objects.filter(community=community).values_list("pk", flat=True))
    rng = random.Random(seed)
    year = timezone.localdate().year

    def make(kind):
        if kind == "volunteer_staff":
            return staff, f"/volunteers/volunteers/{rng.choice(vol_ids)}/"
        if kind == "volunteer_own":
            return rng.choice(own), "/volunteers/mine/"
        if kind == "report_community":
            return staff, f"/volunteers/report/?year={rng.choice((year, year - 1))}"
        return street, f"/volunteers/report/?year={rng.choice((year, year - 1))}"

    def timed(client, url) -> float:
        t0 = time.perf_counter()
        r = client.get(url)
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 200:
            raise SystemExit(f"{url}: HTTP {r.status_code}")
        return ms

    for kind in KINDS:
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
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        own_sql = [q["sql"] for q in ctx.captured_queries if '"volunteers_' in q["sql"]]
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
    result = {"kind": "volunteers_pages", "backend": backend, "volunteers": Volunteer.objects.count(),
              "records": SignUp.objects.count(), "requests": len(plan), "page": page, "floor": bare,
              "p95_ratio": {k: round(page[k]["p95"] / max(bare[k]["p95"], 1), 1) for k in page}, "queries": queries}
    common.record(result)
    print(f"\n{backend}: {result['volunteers']:,} volunteers, {result['records']:,} records\n"
          "| page | n | p50 ms | p95 ms | p99 ms | floor p95 ms | page/floor p95 |\n|---|---:|---:|---:|---:|---:|---:|",
          file=sys.stderr)
    for kind, s in page.items():
        print(f"| {kind} | {s['n']} | {s['p50']} | {s['p95']} | {s['p99']} | {bare[kind]['p95']} | "
              f"{result['p95_ratio'][kind]} |", file=sys.stderr)


def checkin(backend: str, phones: int, threads: int) -> None:
    common.django_setup(common.db_url(backend, DB))
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.core.errors import RuleError
    from gongzhi.volunteers import services
    from gongzhi.volunteers.models import Activity, SignUp, Volunteer

    worker = User.objects.get(username="bench_vol_worker")
    community = worker.assignments.get().place
    start = timezone.now() - dt.timedelta(minutes=5)
    a = services.activity_publish(community=community, title="大型活动签到", location="广场", starts_at=start,
                                  ends_at=start + dt.timedelta(hours=3), places=phones, organiser=worker)
    vols = list(Volunteer.objects.filter(community=community).select_related("resident").order_by("-pk")[:phones])
    SignUp.objects.bulk_create([SignUp(activity=a, volunteer=v, community=community, served_on=start.date())
                                for v in vols])
    Activity.objects.filter(pk=a.pk).update(taken=len(vols))
    jobs = [v.resident for v in vols] * 2  # every phone presses twice
    random.Random(3).shuffle(jobs)
    lock, ok, refused, failed = threading.Lock(), [0], [0], []

    def work():
        while True:
            with lock:
                if not jobs:
                    break
                resident = jobs.pop()
            try:
                services.check_in(token=a.token, resident=resident)
                with lock:
                    ok[0] += 1
            except RuleError:
                with lock:
                    refused[0] += 1
            except Exception as exc:  # noqa: BLE001 - counted and reported
                failed.append(repr(exc))
        connection.close()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - t0
    checked = SignUp.objects.filter(activity=a, checked_in_at__isnull=False).count()
    result = {"kind": "volunteers_checkin", "backend": backend, "phones": len(vols), "presses": 2 * len(vols),
              "threads": threads, "checked_in": checked, "ok": ok[0], "refused": refused[0], "failed": len(failed),
              "seconds": round(seconds, 2), "per_second": round(ok[0] / seconds, 1)}
    common.record(result)
    print(result, file=sys.stderr)
    if checked != len(vols) or ok[0] != len(vols) or failed:
        raise SystemExit(f"check-ins lost or doubled: {result} {failed[:3]}")


def _checkin_worker(args) -> dict:
    """One app process: django set up on its own connection, then its share of the presses, timed
    between the shared start and its last press. mode "floor": the same number of bare single-row
    UPDATEs by primary key on the same kind of connection (what any write costs here)."""
    mode, url, token, jobs, barrier = args
    common.django_setup(url)
    from django.db import connection

    from gongzhi.core.errors import RuleError
    from gongzhi.people.models import Resident
    from gongzhi.volunteers import services
    connection.ensure_connection()
    ok = refused = failed = 0
    barrier.wait()
    t0 = time.time()
    if mode == "floor":
        with connection.cursor() as cur:
            for pk in jobs:
                cur.execute("UPDATE volunteers_signup SET checked_out_at = checked_out_at WHERE id = %s", [pk])
                ok += 1
    else:
        for rid in jobs:
            try:
                services.check_in(token=token, resident=Resident(pk=rid))
                ok += 1
            except RuleError:
                refused += 1
            except Exception:  # noqa: BLE001 - counted and reported
                failed += 1
    t1 = time.time()
    connection.close()
    return {"ok": ok, "refused": refused, "failed": failed, "t0": t0, "t1": t1}


def checkin_procs(backend: str, phones: int, procs: int) -> None:
    """Check-ins from `procs` processes (as gunicorn workers would send them), each volunteer pressing
    twice, against a floor of bare single-row UPDATEs from the same number of processes in the same run."""
    import multiprocessing as mp
    import os
    url = common.db_url(backend, DB)
    common.django_setup(url)
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.volunteers import services
    from gongzhi.volunteers.models import Activity, SignUp, Volunteer

    worker = User.objects.get(username="bench_vol_worker")
    community = worker.assignments.get().place
    start = timezone.now() - dt.timedelta(minutes=5)
    a = services.activity_publish(community=community, title="大型活动签到", location="广场", starts_at=start,
                                  ends_at=start + dt.timedelta(hours=3), places=min(phones, 1000), organiser=worker)
    vols = list(Volunteer.objects.filter(community=community).order_by("-pk")[:phones])
    SignUp.objects.bulk_create([SignUp(activity=a, volunteer=v, community=community, served_on=start.date())
                                for v in vols])
    Activity.objects.filter(pk=a.pk).update(taken=len(vols))
    signup_ids = list(SignUp.objects.filter(activity=a).values_list("pk", flat=True))
    connection.close()
    presses = [v.resident_id for v in vols] * 2  # every phone presses twice
    random.Random(3).shuffle(presses)
    ctx = mp.get_context("fork")
    load = os.getloadavg()

    def run(mode, items):
        barrier, queue = ctx.Barrier(procs), ctx.Queue()
        shares = [items[i::procs] for i in range(procs)]
        workers = [ctx.Process(target=lambda share=share: queue.put(_checkin_worker((mode, url, a.token, share,
                                                                                       barrier))))
                   for share in shares]
        for w in workers:
            w.start()
        out = [queue.get() for _ in workers]
        for w in workers:
            w.join()
        seconds = max(o["t1"] for o in out) - min(o["t0"] for o in out)
        return {k: sum(o[k] for o in out) for k in ("ok", "refused", "failed")}, seconds

    floor, floor_s = run("floor", signup_ids * 2)
    got, got_s = run("checkin", presses)
    floor_after, floor_after_s = run("floor", signup_ids * 2)
    common.django_setup(url)
    checked = SignUp.objects.filter(activity=a, checked_in_at__isnull=False).count()
    floor_rate = min(floor["ok"] / floor_s, floor_after["ok"] / floor_after_s)
    result = {"kind": "volunteers_checkin_procs", "backend": backend, "phones": len(vols), "presses": len(presses),
              "procs": procs, "checked_in": checked, "ok": got["ok"], "refused": got["refused"],
              "failed": got["failed"], "seconds": round(got_s, 2), "per_second": round(got["ok"] / got_s, 1),
              "presses_per_second": round(len(presses) / got_s, 1),
              "floor_updates_per_second": [round(floor["ok"] / floor_s, 1), round(floor_after["ok"] / floor_after_s, 1)],
              "ratio_to_floor": round((len(presses) / got_s) / floor_rate, 2),
              "loadavg": [round(x, 2) for x in load]}
    common.record(result)
    print(result, file=sys.stderr)
    if checked != len(vols) or got["ok"] != len(vols) or got["refused"] != len(vols) or got["failed"]:
        raise SystemExit(f"check-ins lost or doubled: {result}")


# -- check-ins over HTTP, as phones send them (gunicorn, sessions, CSRF, the scan page's redirect) ------------
def _http_client(args) -> list:
    """One client process: `threads` threads take the next request of `jobs` (each a new connection, as a
    phone's), send it and read the whole answer. A job is (n, node, method, path, headers, body, mode); mode
    "follow": the 302's Location is fetched too (what the browser does), with the cookies the POST set;
    "keep": the answer's cookies and page are kept. Returns (n, status, follow_status, ms, t0, t1, what, error)
    per job, `what` being the messages cookie (or None), or with "keep" (Set-Cookie headers, page)."""
    import http.client
    from http.cookies import SimpleCookie
    jobs, threads, barrier = args
    out, lock, nxt = [], threading.Lock(), [0]

    def fetch(node, method, path, headers, body):
        host, port = node
        conn = http.client.HTTPConnection(host, port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            return r.status, r.getheader("Location"), r.msg.get_all("Set-Cookie") or [], r.read()
        finally:
            conn.close()

    def work():
        while True:
            with lock:
                if nxt[0] >= len(jobs):
                    return
                n, node, method, path, headers, body, mode = jobs[nxt[0]]
                nxt[0] += 1
            t0 = time.time()
            status = follow_status = None
            message, error = None, ""
            try:
                status, location, cookies, page = fetch(node, method, path, headers, body)
                if mode == "keep":
                    message = (cookies, page.decode())
                jar = SimpleCookie()
                for c in cookies:
                    jar.load(c)
                if mode != "keep":
                    message = jar["messages"].value if "messages" in jar else None
                if mode == "follow" and status == 302 and location:
                    sent = dict(headers)
                    sent.pop("Content-Type", None)
                    sent.pop("Origin", None)
                    if message:
                        sent["Cookie"] = headers["Cookie"] + f"; messages={jar['messages'].coded_value}"
                    follow_status = fetch(node, "GET", location, sent, None)[0]
            except Exception as exc:  # noqa: BLE001 - counted and reported
                error = repr(exc)[:200]
            t1 = time.time()
            with lock:
                out.append((n, status, follow_status, (t1 - t0) * 1000, t0, t1, message, error))

    barrier.wait()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return out


def _http_fire(jobs: list, *, concurrency: int, procs: int) -> tuple[list, float]:
    """`jobs` from `procs` client processes of concurrency/procs threads each, started together; all the
    answers and the seconds from the first request sent to the last answer read."""
    import multiprocessing as mp
    ctx = mp.get_context("fork")
    barrier, queue = ctx.Barrier(procs), ctx.Queue()
    shares = [jobs[i::procs] for i in range(procs)]
    per = max(1, concurrency // procs)
    workers = [ctx.Process(target=lambda share=share: queue.put(_http_client((share, per, barrier))))
               for share in shares]
    for w in workers:
        w.start()
    out = [row for _ in workers for row in queue.get()]
    for w in workers:
        w.join()
    return out, max(r[5] for r in out) - min(r[4] for r in out)


def _pct(values, q):
    from list_bench import pct
    return round(pct(values, q), 1) if values else None


def _uptime() -> str:
    import os
    import subprocess
    return subprocess.run(["uptime"], capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}).stdout.strip()


def _use_bench_src() -> None:
    """With BENCH_SRC (a snapshot of src/, see open311_load.py), this process imports gongzhi from there too."""
    import open311_load as o311
    if o311.SRC:
        sys.path.append(str(common.ROOT / "src"))  # so that django_setup does not put it first
        sys.path.insert(0, o311.SRC)


def checkin_http(backend: str, phones: int, nodes: int, workers: int, threads: int, concurrency: int,
                 client_procs: int, follow: bool, label: str) -> None:
    """Check-ins through the real server (`gongzhi serve`: gunicorn, the middleware, sessions, CSRF, the scan
    page and its redirect), each volunteer's phone pressing 签到 twice; floor: the same number of requests to
    /healthz through the same servers from the same clients, just before and just after."""
    import datetime as dt
    import os
    import re

    import open311_load as o311
    url = common.db_url(backend, DB)
    _use_bench_src()
    common.django_setup(url)
    from django.contrib.messages import constants as msg_levels
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.db import connection, transaction
    from django.http import HttpRequest
    from django.test import Client
    from django.utils import timezone

    from gongzhi.accounts.models import Role, RoleAssignment, User
    from gongzhi.volunteers import services
    from gongzhi.volunteers.models import Activity, SignUp, Volunteer

    load_before, uptime_before = [round(x, 2) for x in os.getloadavg()], _uptime()
    worker = User.objects.get(username="bench_vol_worker")
    community = worker.assignments.get().place
    start = timezone.now() - dt.timedelta(minutes=5)
    a = services.activity_publish(community=community, title="大型活动签到(HTTP)", location="广场", starts_at=start,
                                  ends_at=start + dt.timedelta(hours=3), places=min(phones, 1000), organiser=worker)
    vols = list(Volunteer.objects.filter(community=community).order_by("-pk")[:phones])
    SignUp.objects.bulk_create([SignUp(activity=a, volunteer=v, community=community, served_on=start.date())
                                for v in vols])
    Activity.objects.filter(pk=a.pk).update(taken=len(vols))
    # the volunteers' accounts (residents of the community), made once and kept in the bench's database
    names = {v.pk: f"bench_vol_phone{v.pk}" for v in vols}
    have = set(User.objects.filter(username__in=names.values()).values_list("username", flat=True))
    with transaction.atomic():
        made = User.objects.bulk_create([User(username=names[v.pk], display_name="", resident_id=v.resident_id)
                                         for v in vols if names[v.pk] not in have])
        RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.RESIDENT, place=community) for u in made])
    users = {u.username: u for u in User.objects.filter(username__in=names.values())}
    # signed in before the load, as after a real sign-in (the session row, the sign-in signals: audit, the
    # sign-in checks) but without argon2, which is not what is measured
    t_sign = time.perf_counter()
    sessions = []
    for v in vols:
        c = Client()
        c.force_login(users[names[v.pk]], backend="django.contrib.auth.backends.ModelBackend")
        sessions.append(c.cookies["sessionid"].value)
    t_sign = time.perf_counter() - t_sign
    connection.close()

    try:  # the database server's postmaster (its backends are its children): for the CPU it spends
        from pathlib import Path
        pg_pid = int(Path(common.psql("SHOW data_directory"), "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        pg_pid = None
    env = {**o311.env_for(url), "GONGZHI_2FA_REQUIRED": "off", "GONGZHI_NOTIFY_SENDERS": ""}
    out_dir = common.OUT / "vhttp"
    out_dir.mkdir(parents=True, exist_ok=True)
    label = label or f"n{nodes}-w{workers}t{threads}-c{concurrency}{'-follow' if follow else ''}"
    with common.serve_nodes(nodes, env, out_dir, label, workers=workers, threads=threads,
                            extra=("--no-worker",)) as servers:
        hosts = [("127.0.0.1", p) for p, _ in servers]
        path = f"/volunteers/scan/{a.token}/"
        node_of = [hosts[i % nodes] for i in range(len(vols))]

        def origin(node):
            return f"http://{node[0]}:{node[1]}"

        # each phone opens the scan page (the QR code) with its session cookie, and gets the CSRF cookie and
        # the form's token, as a browser does
        opened, open_s = _http_fire(
            [(i, node_of[i], "GET", path, {"Cookie": f"sessionid={sessions[i]}", "Host": f"{node_of[i][0]}:"
                                           f"{node_of[i][1]}"}, None, "keep") for i in range(len(vols))],
            concurrency=concurrency, procs=client_procs)
        forms = [None] * len(vols)
        for i, status, _f, _ms, _t0, _t1, kept, error in opened:
            cookies, page = kept if kept else ([], error)
            csrf_cookie = next((c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken=")), None)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            if status != 200 or csrf_cookie is None or token is None or 'value="in"' not in page:
                raise SystemExit(f"phone {i}: the scan page ({status}) has no 签到 form or CSRF cookie: {page[:300]}")
            forms[i] = (csrf_cookie, token.group(1))
        opened = [r[:6] + (None, r[7]) for r in opened]
        presses = [(i, k) for i in range(len(vols)) for k in (0, 1)]  # every phone presses twice
        random.Random(3).shuffle(presses)

        def press(n, i):
            node = node_of[i]
            body = f"csrfmiddlewaretoken={forms[i][1]}&action=in".encode()
            return (n, node, "POST", path, {
                "Host": f"{node[0]}:{node[1]}", "Cookie": f"sessionid={sessions[i]}; csrftoken={forms[i][0]}",
                "Content-Type": "application/x-www-form-urlencoded", "Origin": origin(node),
                "Referer": origin(node) + path}, body, "follow" if follow else None)

        def floor_jobs():
            return [(n, node_of[i], "GET", "/healthz", {"Host": f"{node_of[i][0]}:{node_of[i][1]}"}, None, None)
                    for n, (i, _) in enumerate(presses)]

        def cpu():  # CPU seconds so far of our servers' processes and of the database server's
            return sum(o311.cpu_ticks(p.pid) for _, p in servers), o311.cpu_ticks(pg_pid) if pg_pid else 0.0

        cpu0 = cpu()
        floor_before, floor_before_s = _http_fire(floor_jobs(), concurrency=concurrency, procs=client_procs)
        cpu1 = cpu()
        t_presses = time.time()
        got, got_s = _http_fire([press(n, i) for n, (i, _) in enumerate(presses)], concurrency=concurrency,
                                procs=client_procs)
        cpu2 = cpu()
        floor_after, floor_after_s = _http_fire(floor_jobs(), concurrency=concurrency, procs=client_procs)
        t_end = time.time()
    load_after, uptime_after = [round(x, 2) for x in os.getloadavg()], _uptime()

    # what each press was told (the flash message its answer set), and what the database holds
    storage = CookieStorage(HttpRequest())
    told = defaultdict(list)
    texts = defaultdict(int)
    for n, status, follow_status, ms, t0, t1, message, error in got:
        i = presses[n][0]
        decoded = storage._decode(message) if message else None
        last = decoded[-1] if decoded else None
        kind = ("ok" if last.level == msg_levels.SUCCESS and last.message.startswith("签到成功") else "refused") \
            if last is not None else "none"
        told[i].append(kind)
        texts[re.sub(r"\d\d:\d\d", "HH:MM", last.message) if last is not None else f"(no message: {status} {error})"] += 1
    common.django_setup(url)
    rows = list(SignUp.objects.filter(activity=a).values_list("checked_in_at", flat=True))
    checked = sum(1 for x in rows if x is not None)
    in_window = sum(1 for x in rows if x is not None and t_presses - 1 <= x.timestamp() <= t_end + 1)

    def stats(rows_, seconds):
        ms = [r[3] for r in rows_]
        codes = defaultdict(int)
        for r in rows_:
            codes[str(r[1])] += 1
        bad = sum(1 for r in rows_ if r[1] is None or not 200 <= r[1] < 400
                  or (r[2] is not None and not 200 <= r[2] < 400))
        return {"n": len(rows_), "seconds": round(seconds, 2), "per_second": round(len(rows_) / seconds, 1),
                "p50_ms": _pct(ms, 50), "p95_ms": _pct(ms, 95), "p99_ms": _pct(ms, 99),
                "max_ms": round(max(ms), 1), "status": dict(codes), "non_2xx_3xx": bad,
                "errors": sorted({r[7] for r in rows_ if r[7]})[:3]}

    press_stats, open_stats = stats(got, got_s), stats(opened, open_s)
    fb, fa = stats(floor_before, floor_before_s), stats(floor_after, floor_after_s)
    floor_rate = min(fb["per_second"], fa["per_second"])
    ok_phones = sum(1 for k in told.values() if sorted(k) == ["ok", "refused"])
    result = {"kind": "volunteers_checkin_http", "utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
              "backend": backend, "label": label, "nodes": nodes,
              "workers": workers, "threads": threads, "concurrency": concurrency, "client_procs": client_procs,
              "follow_redirect": follow, "phones": len(vols), "presses": len(presses),
              "checkins_per_second": round(len(vols) / got_s, 1), "presses_per_second": press_stats["per_second"],
              "floor_per_second": [fb["per_second"], fa["per_second"]],
              "ratio_to_floor": round(press_stats["per_second"] / floor_rate, 3),
              "press": press_stats, "floor_before": fb, "floor_after": fa, "open_scan_page": open_stats,
              "told": dict(texts), "phones_ok_then_refused": ok_phones,
              "db_checked_in": checked, "db_checked_in_during_presses": in_window,
              "server_cpu_s_per_s": {"floor": round((cpu1[0] - cpu0[0]) / floor_before_s, 2),
                                     "presses": round((cpu2[0] - cpu1[0]) / got_s, 2)},
              # CPU milliseconds per request: what a machine of our own would be limited by
              "cpu_ms_per_request": {"floor_app": round((cpu1[0] - cpu0[0]) * 1000 / fb["n"], 2),
                                     "floor_db": round((cpu1[1] - cpu0[1]) * 1000 / fb["n"], 2),
                                     "press_app": round((cpu2[0] - cpu1[0]) * 1000 / len(presses), 2),
                                     "press_db": round((cpu2[1] - cpu1[1]) * 1000 / len(presses), 2)},
              "sign_in_s": round(t_sign, 1), "loadavg_before": load_before, "loadavg_after": load_after,
              "uptime_before": uptime_before, "uptime_after": uptime_after, "cpus": os.cpu_count(),
              **o311.src_state()}
    common.record(result)
    print(f"{label}: {result['checkins_per_second']} check-ins/s, {result['presses_per_second']} presses/s, "
          f"floor {result['floor_per_second']} /s, ratio {result['ratio_to_floor']}, p50/p95/p99 "
          f"{press_stats['p50_ms']}/{press_stats['p95_ms']}/{press_stats['p99_ms']} ms, "
          f"non-2xx/3xx {press_stats['non_2xx_3xx']}, db {checked}/{len(vols)}, told {dict(texts)}",
          file=sys.stderr)
    if (checked != len(vols) or in_window != len(vols) or ok_phones != len(vols)
            or press_stats["non_2xx_3xx"]):
        raise SystemExit(f"check-ins lost or doubled: {result}")


def checkin_profile(backend: str, phones: int, label: str = "") -> None:
    """Where a check-in POST's time goes, in one process (Django's test client with CSRF checks on, no
    gunicorn): the queries of one press and of a refused second press, and cProfile over `phones` presses."""
    import cProfile
    import datetime as dt
    import io
    import pstats

    _use_bench_src()
    common.django_setup(common.db_url(backend, DB))
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    import gongzhi

    from gongzhi.accounts.models import User
    from gongzhi.volunteers import services
    from gongzhi.volunteers.models import Activity, SignUp, Volunteer

    worker = User.objects.get(username="bench_vol_worker")
    community = worker.assignments.get().place
    start = timezone.now() - dt.timedelta(minutes=5)
    a = services.activity_publish(community=community, title="签到剖析", location="广场", starts_at=start,
                                  ends_at=start + dt.timedelta(hours=3), places=min(phones, 1000), organiser=worker)
    users = list(User.objects.filter(username__startswith="bench_vol_phone").select_related("resident")
                 .order_by("pk")[:phones])
    if len(users) < phones:
        raise SystemExit("run checkin-http first (it makes the volunteers' accounts)")
    vols = {v.resident_id: v for v in Volunteer.objects.filter(resident_id__in=[u.resident_id for u in users])}
    SignUp.objects.bulk_create([SignUp(activity=a, volunteer=vols[u.resident_id], community=community,
                                       served_on=start.date()) for u in users])
    Activity.objects.filter(pk=a.pk).update(taken=len(users))
    path = f"/volunteers/scan/{a.token}/"
    clients = []
    for u in users:
        c = Client(enforce_csrf_checks=True)
        c.force_login(u, backend="django.contrib.auth.backends.ModelBackend")
        page = c.get(path)
        clients.append((c, page.context["csrf_token"] if page.context else c.cookies["csrftoken"].value))

    def press(c, token):
        r = c.post(path, {"csrfmiddlewaretoken": token, "action": "in"})
        assert r.status_code == 302, r.status_code
        return r

    class Seen:  # the statements of one press (CaptureQueriesContext loses them: each request resets the log)
        def __init__(self):
            self.captured_queries = []

        def __call__(self, execute, sql, params, many, context):
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                self.captured_queries.append({"sql": sql, "time": f"{time.perf_counter() - t0:.4f}"})

    first, second = Seen(), Seen()
    with connection.execute_wrapper(first):
        press(*clients[0])
    with connection.execute_wrapper(second):
        press(*clients[0])
    t0 = time.perf_counter()
    for c, token in clients[1: phones // 2]:
        press(c, token)
    plain_ms = (time.perf_counter() - t0) * 1000 / max(1, phones // 2 - 1)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for c, token in clients[phones // 2:]:
        press(c, token)
    prof.disable()
    prof_ms = (time.perf_counter() - t0) * 1000 / max(1, phones - phones // 2)
    text = io.StringIO()
    text.write(f"check-in POST in process, {backend}: {plain_ms:.2f} ms/press plain, {prof_ms:.2f} under cProfile\n"
               f"\nqueries of a first press ({len(first.captured_queries)}):\n")
    for q in first.captured_queries:
        text.write(f"  {q['time']} s  {q['sql'][:300]}\n")
    text.write(f"\nqueries of a second (refused) press ({len(second.captured_queries)}):\n")
    for q in second.captured_queries:
        text.write(f"  {q['time']} s  {q['sql'][:300]}\n")
    for sort in ("cumulative", "tottime"):
        text.write(f"\n=== top 60 by {sort} ===\n")
        pstats.Stats(prof, stream=text).sort_stats(sort).print_stats(60)
    out = common.OUT / "vhttp" / f"profile-{backend}{'-' + label if label else ''}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text.getvalue(), encoding="utf-8")
    common.record({"kind": "volunteers_checkin_profile", "backend": backend, "label": label, "presses": phones,
                   "plain_ms": round(plain_ms, 2), "profiled_ms": round(prof_ms, 2),
                   "queries_first": len(first.captured_queries), "queries_second": len(second.captured_queries),
                   "gongzhi": gongzhi.__file__, "utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                   "profile": str(out)})


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("step", choices=("build", "measure", "checkin", "checkin-procs", "checkin-http", "checkin-profile"))
    p.add_argument("--backend", choices=("pg",), default="pg")
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--phones", type=int, default=500)
    p.add_argument("--threads", type=int, default=16)
    p.add_argument("--procs", type=int, default=4)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--nodes", type=int, default=1, help="checkin-http: `gongzhi serve` nodes")
    p.add_argument("--workers", type=int, default=4, help="checkin-http: gunicorn workers per node")
    p.add_argument("--server-threads", type=int, default=2, help="checkin-http: threads per worker")
    p.add_argument("--concurrency", type=int, default=32, help="checkin-http: requests in flight at once")
    p.add_argument("--client-procs", type=int, default=2, help="checkin-http: client processes")
    p.add_argument("--follow", action="store_true", help="checkin-http: a press also fetches the redirect")
    p.add_argument("--label", default="")
    args = p.parse_args(argv)
    if args.step == "build":
        build(args.backend)
    elif args.step == "measure":
        measure(args.backend, args.requests, args.seed)
    elif args.step == "checkin":
        checkin(args.backend, args.phones, args.threads)
    elif args.step == "checkin-procs":
        checkin_procs(args.backend, args.phones, args.procs)
    elif args.step == "checkin-http":
        checkin_http(args.backend, args.phones, args.nodes, args.workers, args.server_threads, args.concurrency,
                     args.client_procs, args.follow, args.label)
    else:
        checkin_profile(args.backend, args.phones, args.label)


if __name__ == "__main__":
    main()
