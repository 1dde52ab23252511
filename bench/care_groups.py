"""Issue 18's care benchmark: derive the care groups for N residents (the issue asks 1,000,000: < 10 s on
PostgreSQL, < 30 s on SQLite) and compare with the plain per-person reference; the due-visits list of one
community, p95 over repeated reads (< 200 ms).

Run against a migrated, otherwise empty database (DATABASE_URL; GONGZHI_* keys as for any command):

    python bench/care_groups.py --residents 1000000 [--communities 200] [--reads 20] [--skip-reference]

The load is synthetic and deterministic (seed 18): households of one to five members per grid, ages drawn
so that every group occurs (elders alone, elder couples, grandparents with grandchildren, families), absences
for one working-age member in 5 % of households, the disabled tag on 3 % of residents. It bulk-inserts through
the ORM (no history rows, no encrypted columns). Prints one JSON line per measure.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--communities", type=int, default=50)
    parser.add_argument("--reads", type=int, default=20)
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    import os

    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    django.setup()
    from django.db import connection, transaction
    from django.db.models import Case, Count, IntegerField, Sum, When
    from django.utils import timezone

    from gongzhi.accounts.models import User
    from gongzhi.care import visits
    from gongzhi.care.groups import GROUPS, annotate_groups, groups_reference, registry_residents
    from gongzhi.people.models import Absence
    from gongzhi.people.models import CareTag, Household, Resident
    from gongzhi.places.models import Level, Place

    rng = random.Random(18)
    today = timezone.localdate()
    t0 = time.monotonic()
    if not Resident.objects.exists():
        with transaction.atomic():
            district = Place.objects.create(level=Level.DISTRICT, code="320282", name="宜兴市")
            street = Place.objects.create(level=Level.STREET, code="320282001", name="街道", parent=district)
            grids = []
            for c in range(args.communities):
                comm = Place.objects.create(level=Level.COMMUNITY, code=f"320282001{c + 1:03d}", name=f"社区{c}",
                                            parent=street)
                for g in range(5):
                    grids.append(Place.objects.create(level=Level.GRID, code=f"{comm.code}{g + 1:03d}",
                                                      name=f"网格{g}", parent=comm))
            by = User.objects.create(username="bench-care")
            disabled = CareTag.objects.get_or_create(code="disabled", defaults={"name": "残疾人"})[0]
            made, n_hh = 0, 0
            shapes = [((70,), 10), ((75, 72), 12), ((66, 8), 5), ((40, 38, 10), 30), ((35,), 15), ((45, 43, 18, 75), 10),
                      ((85,), 5), ((30, 28), 13)]
            while made < args.residents:
                hh_rows, people = [], []
                for _ in range(5000):
                    g = rng.choice(grids)
                    n_hh += 1
                    hh_rows.append(Household(number=f"B{n_hh:09d}", community_id=g.parent_id, grid=g))
                Household.objects.bulk_create(hh_rows, batch_size=5000)
                for hh in hh_rows:
                    ages = rng.choices([s for s, _ in shapes], weights=[w for _, w in shapes])[0]
                    for i, age in enumerate(ages):
                        rel = "02" if i == 0 else ("10" if age >= 20 and i == 1 else ("41" if ages[0] >= 60 else "20"))
                        people.append(Resident(name="居民", household=hh, relation=rel, residence_status="registered",
                                               birth_date=today - dt.timedelta(days=age * 365 + rng.randrange(300)),
                                               community_id=hh.community_id, grid_id=hh.grid_id))
                Resident.objects.bulk_create(people, batch_size=5000)
                made += len(people)
                Absence.objects.bulk_create([Absence(resident=p, household_id=p.household_id,
                                                     community_id=p.community_id, grid_id=p.grid_id, reason="work",
                                                     since=today, recorded_by=by)
                                             for p in people if p.relation in ("02", "10")
                                             and p.birth_date > today - dt.timedelta(days=59 * 365)
                                             and rng.random() < 0.05], batch_size=5000)
                Resident.care_tags.through.objects.bulk_create(
                    [Resident.care_tags.through(resident_id=p.pk, caretag_id=disabled.pk) for p in people
                     if rng.random() < 0.03], batch_size=5000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    print(json.dumps({"kind": "care_load", "residents": Resident.objects.count(), "seconds": round(time.monotonic() - t0, 1),
                      "vendor": connection.vendor}), flush=True)

    t = time.monotonic()
    qs = annotate_groups(registry_residents(), today, reviews=False)
    counts = qs.aggregate(**{g: Sum(Case(When(**{f"g_{g}": True}, then=1), default=0, output_field=IntegerField()))
                             for g in GROUPS})
    derive = time.monotonic() - t
    print(json.dumps({"kind": "care_groups", "seconds": round(derive, 2), "counts": counts,
                      "vendor": connection.vendor}), flush=True)
    if not args.skip_reference:
        t = time.monotonic()
        fast = {}
        for row in qs.values_list("pk", *[f"g_{g}" for g in GROUPS]).iterator(chunk_size=20000):
            fast[row[0]] = {g for g, flag in zip(GROUPS, row[1:]) if flag}
        ref = groups_reference(registry_residents(), today)
        equal = fast == ref
        print(json.dumps({"kind": "care_reference", "equal": equal, "seconds": round(time.monotonic() - t, 1),
                          "mismatches": sum(1 for k in ref if fast.get(k) != ref[k])}), flush=True)
    community = Place.objects.filter(level=Level.COMMUNITY).annotate(n=Count("residents")).order_by("-n").first()
    times = []
    for _ in range(args.reads):
        t = time.monotonic()
        rows = visits.visit_list(None, [community], today, statuses=(visits.OVERDUE, visits.DUE))
        times.append(time.monotonic() - t)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(json.dumps({"kind": "care_due_list", "community_residents": community.n, "rows": len(rows),
                      "p50_ms": round(1000 * statistics.median(times)), "p95_ms": round(1000 * p95),
                      "vendor": connection.vendor}), flush=True)


if __name__ == "__main__":
    main()
