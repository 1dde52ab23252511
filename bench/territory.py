"""The demo territory (宜兴市: 26 communities, 82 grids) as the template
database every import run starts from, and as a JSON file for the generator.

    python bench/territory.py sqlite|pg      build the template (timed, not counted in any import)

sqlite: bench/out/db/bench_territory.sqlite3; pg: database bench_territory.
Each import run starts from a copy (file copy / CREATE DATABASE … TEMPLATE).
The first build also writes bench/out/territory.json: community and grid
codes, the dwellings of each grid, the demo's planned households per
community (the generator's weights) and the ID numbers the demo already
registered (so that generated ones never collide with them).
"""
from __future__ import annotations

import sys
import time

import common

TEMPLATE = "bench_territory"


def build(backend: str) -> dict:
    """In a child process with DATABASE_URL set to the (empty) template."""
    common.django_setup()
    from django.core.management import call_command
    from django.db import connection

    from gongzhi.core import crypto, demo
    from gongzhi.places import demo as places_demo
    from gongzhi.people.models import Household, Resident, ResidentEvent
    from gongzhi.places.models import Dwelling, Level, Place

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - t0
    t1 = time.perf_counter()
    summary = demo.build_demo(stdout=sys.stderr)
    t_demo = time.perf_counter() - t1
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with connection.cursor() as c:
            c.execute("ANALYZE")  # autovacuum would do it within a minute anyway
    if not common.TERRITORY_JSON.exists():
        plan = places_demo.plan_households()
        communities = []
        for c in Place.objects.filter(level=Level.COMMUNITY).order_by("code"):
            grids = []
            for g in Place.objects.filter(parent=c, level=Level.GRID).order_by("code"):
                dwellings = list(Dwelling.objects.filter(grid=g).order_by("code").values_list("code", flat=True))
                grids.append({"code": g.code, "name": g.name, "kind": g.grid_kind, "dwellings": dwellings})
            communities.append({"code": c.code, "name": c.name, "rural": c.area_kind == "rural",
                                "households": plan[c.code], "grids": grids})
        ids = sorted(crypto.decrypt(t) for t in Resident.objects.values_list("id_number_enc", flat=True).iterator())
        import json
        common.TERRITORY_JSON.write_text(json.dumps(
            {"district": demo.DISTRICT_CODE, "communities": communities, "existing_id_numbers": ids},
            ensure_ascii=False), encoding="utf-8")
    return {"kind": "territory", "backend": backend, "migrate_s": round(t_migrate, 1),
            "demo_s": round(t_demo, 1), "residents": Resident.objects.count(),
            "households": Household.objects.count(), "dwellings": Dwelling.objects.count(),
            "events": ResidentEvent.objects.count(), "communities": summary.communities, "grids": summary.grids}


def ensure(backend: str, rebuild: bool = False) -> None:
    """Build the template database unless it is there already."""
    exists = common.sqlite_path(TEMPLATE).exists() if backend == "sqlite" else common.pg_exists(TEMPLATE)
    if exists and not rebuild and common.TERRITORY_JSON.exists():
        return
    common.drop_db(backend, TEMPLATE)
    if backend == "pg":
        common.psql(f'CREATE DATABASE "{TEMPLATE}" TEMPLATE template0 ENCODING \'UTF8\'')
    result = common.run_child([__file__, "_build", backend], url=common.db_url(backend, TEMPLATE))
    common.record(result)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "_build":
        common.emit(build(sys.argv[2]))
    elif len(sys.argv) >= 2 and sys.argv[1] in ("sqlite", "pg"):
        ensure(sys.argv[1], rebuild="--rebuild" in sys.argv)
    else:
        raise SystemExit(__doc__)
