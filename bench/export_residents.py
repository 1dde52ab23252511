"""The administrator's resident export (the whole demo district, 76,175 residents) against
a raw openpyxl write-only write of the same rows, in the same process and run.

    python bench/export_residents.py sqlite|pg [--runs 3]

Starts from a copy of the territory database (territory.py: migrate + the demo), signs
nothing in: the export is called as the page's job calls it —
`exporter.export_residents(scope=<the admin's scope>, params=<the list's query string>)`,
i.e. the list's selector, the scope narrowed to the export capability, the database read
in batches, care tags once per batch, every row through `text_row`, the write-only workbook
saved beside and renamed, the access-log row.

Per run, timed in this order:
  export_masked    GET /people/export/ (no filter): masked ID numbers and phones
  export_unmasked  POST with unmasked=1: every ID number and phone decrypted (AES-GCM)
  raw_masked       openpyxl write_only: ws.append(row) for the same cell values, already
  raw_unmasked     in memory as lists (read from each export's own generator, untimed),
                   and save — the floor any xlsx export of these rows pays
  read_only        the rows alone: the exporter's generator, drained, no workbook
Ratios: export_masked / raw_masked and export_unmasked / raw_unmasked (target ≤ 2), of the
medians, and per run (each export beside the raw write timed right after it).
"""
from __future__ import annotations

import argparse
import gc
import platform
import sys
import time

import common

DB = "bench_export"


def _child(backend: str, runs: int) -> dict:
    common.django_setup()
    from django.core.management import call_command
    from django.http import QueryDict
    from openpyxl import Workbook

    from gongzhi.accounts.models import Role, RoleAssignment, User
    from gongzhi.core.models import AccessLog
    from gongzhi.core.scope import Scope
    from gongzhi.people import exporter
    from gongzhi.people import template_columns as tc
    from gongzhi.places.models import Level, Place

    call_command("migrate", verbosity=0)  # the territory may predate this tree's migrations (untimed)
    district = Place.objects.get(level=Level.DISTRICT)
    admin, created = User.objects.get_or_create(username="bench_admin", defaults={"display_name": "bench"})
    if created:
        RoleAssignment.objects.create(user=admin, role=Role.ADMIN, place=district)
    out = common.OUT / "export"
    out.mkdir(exist_ok=True)
    params = QueryDict("")

    def scope():
        return Scope.for_user(admin)

    # the same cell values as each export writes, in memory (not timed)
    places = dict(Place.objects.filter(level__in=[Level.COMMUNITY, Level.GRID]).values_list("id", "code"))

    def cells(unmasked):
        q = exporter.filtered_queryset(exporter.export_scope(scope(), unmasked=unmasked), params)
        return [exporter._cells(r, tags, places, unmasked) for r, tags in exporter._rows(q, unmasked)]

    rows = {False: cells(False), True: cells(True)}
    headers = {False: list(tc.MASKED_EXPORT_HEADERS), True: list(tc.EXPORT_HEADERS)}

    def raw(unmasked):
        def write():
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("居民")
            ws.append(headers[unmasked])
            for row in rows[unmasked]:
                ws.append(row)
            wb.save(out / f"raw-{unmasked}.xlsx")
            return len(rows[unmasked])
        return write

    def export(unmasked):
        return lambda: exporter.export_residents(path=out / f"gongzhi-{unmasked}.xlsx", scope=scope(), by=admin,
                                                 unmasked=unmasked, params=params)

    def read_only():
        q = exporter.filtered_queryset(exporter.export_scope(scope(), unmasked=False), params)
        return sum(1 for _ in (exporter._cells(r, t, places, False) for r, t in exporter._rows(q, False)))

    figures = {"export_masked": [], "raw_masked": [], "export_unmasked": [], "raw_unmasked": [], "read_only": []}
    counts = {}
    for _ in range(runs):
        for name, fn in (("export_masked", export(False)), ("raw_masked", raw(False)),
                         ("export_unmasked", export(True)), ("raw_unmasked", raw(True)), ("read_only", read_only)):
            gc.collect()
            t0 = time.perf_counter()
            counts[name] = fn()
            figures[name].append(round(time.perf_counter() - t0, 3))
    assert len(set(counts.values())) == 1, counts
    med = {k: sorted(v)[len(v) // 2] for k, v in figures.items()}
    import openpyxl
    return {"kind": "export_residents", "backend": backend, "rows": counts["raw_masked"], "runs": runs,
            "times_s": figures, "median_s": med, "lxml": openpyxl.LXML,
            "ratio_masked": round(med["export_masked"] / med["raw_masked"], 2),
            "ratio_unmasked": round(med["export_unmasked"] / med["raw_unmasked"], 2),
            "ratios_per_run": [[round(a / b, 2) for a, b in zip(figures[f"export_{m}"], figures[f"raw_{m}"])]
                               for m in ("masked", "unmasked")],
            "access_log_rows": AccessLog.objects.filter(action="export", username="bench_admin").count(),
            "file_mb": round((out / "gongzhi-False.xlsx").stat().st_size / 2**20, 1),
            "machine": f"{platform.node()} {platform.machine()} {platform.processor() or ''} "
                       f"python {platform.python_version()}".strip(),
            "maxrss_mb": round(common.maxrss_mb(), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("backend", choices=("sqlite", "pg"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import territory
    territory.ensure(args.backend)
    url = common.clone_db(args.backend, territory.TEMPLATE, DB)
    try:
        common.record(common.run_child([__file__, "_child", args.backend, str(args.runs)], url=url))
    finally:
        common.drop_db(args.backend, DB)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "_child":
        common.emit(_child(sys.argv[2], int(sys.argv[3])))
    else:
        main()
