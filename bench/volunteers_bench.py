"""Volunteers at scale (issue 17): 100,000 volunteers and 2,000,000 service records on PostgreSQL;
a volunteer's hours page (staff and the volunteer's own), a community's and a street's yearly hours
report, and check-ins at one event from many phones at once.

    python bench/volunteers_bench.py build   [--backend pg]      # fresh database bench_volunteers (timed)
    python bench/volunteers_bench.py measure [--backend pg] [--requests 200]
    python bench/volunteers_bench.py checkin [--backend pg] [--phones 500] [--threads 16]

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


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("step", choices=("build", "measure", "checkin", "checkin-procs"))
    p.add_argument("--backend", choices=("pg",), default="pg")
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--phones", type=int, default=500)
    p.add_argument("--threads", type=int, default=16)
    p.add_argument("--procs", type=int, default=4)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    if args.step == "build":
        build(args.backend)
    elif args.step == "measure":
        measure(args.backend, args.requests, args.seed)
    elif args.step == "checkin":
        checkin(args.backend, args.phones, args.threads)
    else:
        checkin_procs(args.backend, args.phones, args.procs)


if __name__ == "__main__":
    main()
