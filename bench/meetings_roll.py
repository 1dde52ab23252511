"""A residents' meeting's roll at scale (issue 12): one community of `--residents` residents, the
roll built from the registry on the meeting's date in one INSERT … SELECT (governance.meetings.
build_roll, called by meeting_create), for the adults form and the household form, checked against
a plain per-person reference; then 200 residents voting online at once (PostgreSQL: every vote
counted exactly once) and the close.

    python bench/meetings_roll.py --backend sqlite|pg [--residents 1000000] [--voters 200]

Build (not timed): migrate an empty database bench_meetings, one district, street, community and
grid, households of three and the residents (births 1930-2020, 1 % moved out before the date,
0.5 % moved out after it, 0.5 % with no birth date), bulk inserts.

Timed: `meeting_create` (rule, roll, notices) for the adults form and for the household form; the
reference (every resident read into Python and the rule applied one by one) must give the same
set; then `--voters` threads each casting one vote (and one in ten voting twice), and the close.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import threading
import time

import common

DB = "bench_meetings"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=("sqlite", "pg"), default="sqlite")
    ap.add_argument("--residents", type=int, default=1_000_000)
    ap.add_argument("--voters", type=int, default=200)
    ap.add_argument("--parallel", type=int, default=80,
                    help="votes in flight at once (PostgreSQL's default max_connections is 100)")
    ap.add_argument("--reuse", action="store_true", help="keep the residents of the last run; drop its meetings")
    args = ap.parse_args()
    reuse = args.reuse and (common.pg_exists(DB) if args.backend == "pg" else common.sqlite_path(DB).exists())
    if not reuse:
        common.drop_db(args.backend, DB)
        if args.backend == "pg":
            common.psql(f'CREATE DATABASE "{DB}"')
    common.django_setup(common.db_url(args.backend, DB))

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.accounts.models import RoleAssignment, User
    from gongzhi.core.errors import RuleError
    from gongzhi.governance import meetings
    from gongzhi.governance.models import RollEntry, Vote
    from gongzhi.people.models import Household, Resident
    from gongzhi.places.models import Level, Place

    call_command("migrate", verbosity=0)
    rng = random.Random(12)
    day = dt.date(2026, 12, 10)
    t0 = time.perf_counter()
    if reuse:
        from gongzhi.governance.models import ResidentMeeting
        from gongzhi.ledgers.models import Meeting
        from gongzhi.workorders.models import Notification
        Vote.objects.all().delete()
        RollEntry.objects.all().delete()
        Meeting.objects.filter(source="governance.meeting").delete()
        ResidentMeeting.objects.all().delete()
        Notification.objects.all().delete()
        User.objects.filter(username__startswith="bench-v").delete()
        community = Place.objects.get(code="320282900001")
        worker = User.objects.get(username="bench-cw")
    else:
        with transaction.atomic():
            district = Place.objects.create(code="320282", name="基准区", level=Level.DISTRICT)
            street = Place.objects.create(code="320282900", name="基准街道", level=Level.STREET, parent=district)
            community = Place.objects.create(code="320282900001", name="基准社区", level=Level.COMMUNITY, parent=street,
                                             area_kind="urban")
            grid = Place.objects.create(code="320282900001001", name="基准网格", level=Level.GRID, parent=community)
            n_hh = args.residents // 3 + 1
            batch = 20_000
            for start in range(0, n_hh, batch):
                Household.objects.bulk_create([Household(number=f"M{i:08d}", community=community, grid=grid)
                                               for i in range(start, min(n_hh, start + batch))])
            hh = list(Household.objects.order_by("pk").values_list("pk", flat=True))
            for start in range(0, args.residents, batch):
                rows = []
                for i in range(start, min(args.residents, start + batch)):
                    x = rng.random()
                    status, changed = ("moved_out", dt.date(2026, 1, 1)) if x < 0.01 else \
                        ("moved_out", dt.date(2026, 12, 20)) if x < 0.015 else ("active", None)
                    rows.append(Resident(
                        name=f"居民{i}", residence_status="registered", household_id=hh[i // 3],
                        relation="02" if i % 3 == 1 else "20", community=community, grid=grid,
                        id_number_hash=f"{i:032x}", status=status, status_changed_on=changed,
                        birth_date=None if rng.random() < 0.005 else dt.date(1930 + rng.randrange(91), rng.randint(1, 12),
                                                                            rng.randint(1, 28))))
                Resident.objects.bulk_create(rows)
            worker = User.objects.create_user(username="bench-cw", password="x-Bench-2026")
            RoleAssignment.objects.create(user=worker, role="community", place=community)
    t_setup = time.perf_counter() - t0

    t1 = time.perf_counter()
    adults = meetings.meeting_create(community=community, body="residents", form="adults", title="基准表决",
                                     held_on=day, by=worker)
    t_adults = time.perf_counter() - t1
    t2 = time.perf_counter()
    households = meetings.meeting_create(community=community, body="residents", form="households",
                                         title="基准户代表表决", held_on=day, by=worker)
    t_households = time.perf_counter() - t2

    t3 = time.perf_counter()
    cutoff = meetings.adult_cutoff(day)
    expected_adults, heads = set(), {}
    for rid, h, birth, status, changed, relation in Resident.objects.values_list(
            "pk", "household_id", "birth_date", "status", "status_changed_on", "relation").iterator(chunk_size=20_000):
        if birth is None or birth > cutoff or not (status == "active" or (changed and changed > day)):
            continue
        expected_adults.add(rid)
        best = heads.get(h)
        if best is None or (relation == "02", -rid) > best[0]:
            heads[h] = ((relation == "02", -rid), rid)
    t_reference = time.perf_counter() - t3
    built = set(RollEntry.objects.filter(meeting=adults).values_list("resident_id", flat=True))
    assert built == expected_adults, (len(built), len(expected_adults))
    built_h = dict(RollEntry.objects.filter(meeting=households).values_list("household_id", "resident_id"))
    assert built_h == {h: r for h, (_, r) in heads.items()}, (len(built_h), len(heads))
    print(f"roll: adults {adults.roll_size} in {t_adults:.2f} s, households {households.roll_size} in "
          f"{t_households:.2f} s (reference {t_reference:.2f} s, equal)", flush=True)

    # 200 residents voting at once (one in ten presses twice)
    # (residents who moved out after the meeting's date are on the roll but no longer vote online)
    voters = list(RollEntry.objects.filter(meeting=adults, resident__status="active").order_by("pk")
                  .values_list("resident_id", flat=True)[:args.voters])
    accounts = []
    for rid in voters:
        u = User.objects.create_user(username=f"bench-v{rid}", password=None, resident_id=rid)
        RoleAssignment.objects.create(user=u, role="resident", place=community)
        accounts.append(u)
    refused, failed = [], []

    def go(u):
        try:
            meetings.vote(meeting=adults, by=u, choice="yes")
        except RuleError as exc:
            refused.append(str(exc))
        except Exception as exc:  # SQLite: "database is locked" under contention
            failed.append(repr(exc))
        finally:
            connection.close()

    gate = threading.Semaphore(args.parallel)

    def gated(u):
        with gate:
            go(u)

    threads = [threading.Thread(target=gated, args=(u,)) for u in accounts + accounts[::10]]
    t4 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t_votes = time.perf_counter() - t4
    adults.refresh_from_db()
    counted = Vote.objects.filter(meeting=adults).count()
    assert counted == adults.online_votes
    print(f"votes: {counted} counted, refused {sorted(set(refused))} x{len(refused)}, failed {failed[:2]} "
          f"x{len(failed)}", flush=True)
    if args.backend == "pg":
        assert counted == len(accounts) and len(refused) == len(accounts[::10]) and not failed
    t5 = time.perf_counter()
    closed = meetings.close(meeting_id=adults.pk, version=adults.version, by=worker,
                            now=timezone.make_aware(dt.datetime(2026, 12, 10, 21)))
    t_close = time.perf_counter() - t5
    result = {"kind": "meetings_roll", "backend": args.backend, "residents": args.residents,
              "roll_adults": adults.roll_size, "roll_households": households.roll_size,
              "setup_s": round(t_setup, 1), "meeting_create_adults_s": round(t_adults, 2),
              "meeting_create_households_s": round(t_households, 2), "reference_s": round(t_reference, 2),
              "equal": True, "voters": len(accounts), "second_presses": len(accounts[::10]),
              "votes_counted": counted, "refused": len(refused), "failed": len(failed),
              "votes_s": round(t_votes, 2), "close_s": round(t_close, 2), "outcome": closed.outcome}
    common.record(result)


if __name__ == "__main__":
    main()
