"""Import benchmark: gongzhi's import_residents, the xlsx readers,
django-import-export, and the floor (a raw bulk insert of the same rows).

Run by hand (see bench/README.md), one benchmark at a time. Every timed part
runs in its own subprocess so that its peak memory can be read
(getrusage: the process itself, and its reaped children — the importer's
forked reader). Figures are appended to bench/out/results.jsonl; `report`
prints them as the Markdown tables of bench/RESULTS.md.

    python bench/import_bench.py import  --backend sqlite|pg --file F [--db NAME]
    python bench/import_bench.py readers --file F.xlsx [--only gongzhi,openpyxl,calamine,fastexcel,prepare]
    python bench/import_bench.py floor   --backend sqlite|pg --source NAME
    python bench/import_bench.py iexport --backend sqlite|pg --file F.csv [--sample 20000]
    python bench/import_bench.py profile --backend sqlite --file F          (cProfile of both processes)
    python bench/import_bench.py report
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

import common
import territory

SELF, CHILDREN = resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN


def _rss() -> dict:
    parent, child = common.maxrss_mb(SELF), common.maxrss_mb(CHILDREN)
    return {"rss_parent_mb": round(parent), "rss_child_mb": round(child), "rss_sum_mb": round(parent + child)}


def _db_size_mb() -> float:
    from django.db import connection
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            c.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
        else:
            c.execute("SELECT pg_database_size(current_database())")
        return round(c.fetchone()[0] / 2 ** 20)


def _backend(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "pg"


class _MemorySampler(threading.Thread):
    """Every 0.2 s: RSS and PSS of this process and of its children (the
    importer's forked reader), from /proc/PID/smaps_rollup. PSS shares the
    pages the two processes have in common (copy-on-write after the fork)
    between them, so the PSS sum is the memory the import really occupies;
    the RSS sum counts shared pages twice."""

    def __init__(self):
        super().__init__(daemon=True)
        self.running = True
        self.max_pss_sum = self.max_rss_sum = 0.0

    @staticmethod
    def _read(pid) -> tuple[float, float]:
        rss = pss = 0.0
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss = int(line.split()[1]) / 1024
                    elif line.startswith("Pss:"):
                        pss = int(line.split()[1]) / 1024
        except OSError:
            pass
        return rss, pss

    def run(self):
        import multiprocessing
        while self.running:
            pids = [os.getpid()] + [c.pid for c in multiprocessing.active_children()]
            values = [self._read(pid) for pid in pids]
            self.max_rss_sum = max(self.max_rss_sum, sum(v[0] for v in values))
            self.max_pss_sum = max(self.max_pss_sum, sum(v[1] for v in values))
            time.sleep(0.2)

    def stop(self):
        self.running = False
        self.join()

    def peaks(self) -> dict:
        return {"sampled_rss_sum_mb": round(self.max_rss_sum), "sampled_pss_sum_mb": round(self.max_pss_sum)}


# =============================================================================
# gongzhi's import (child)
# =============================================================================
def child_import(path: str, chunk_size: int) -> dict:
    common.django_setup()
    from django.db import connection

    from gongzhi.people.importer import import_residents
    from gongzhi.people.models import Resident

    path = Path(path)
    before = Resident.objects.count()
    marks: list[tuple[int, float]] = []
    sampler = _MemorySampler()
    sampler.start()
    t0 = time.perf_counter()

    def progress(result, total):
        marks.append((result.processed, time.perf_counter() - t0))

    result = import_residents(path=path, report_path=common.OUT / f"{path.stem}.{connection.vendor}.rejected.xlsx",
                              chunk_size=chunk_size, progress=progress)
    seconds = time.perf_counter() - t0
    sampler.stop()
    rss = {**_rss(), **sampler.peaks()}
    # Throughput over each tenth of the file: does it slow down as the tables grow?
    tenths, last, step = [], (0, 0.0), max(1, result.processed // 10)
    for n, t in marks:
        if n - last[0] >= step or n == result.processed:
            tenths.append(round((n - last[0]) / (t - last[1])))
            last = (n, t)
    return {"accepted": result.accepted, "rejected": result.rejected, "seconds": round(seconds, 2),
            "rows_per_s": round(result.processed / seconds), **rss, "rows_per_s_by_tenth": tenths,
            "residents_after": Resident.objects.count(), "residents_before": before, "db_mb": _db_size_mb()}


def cmd_import(args) -> dict:
    fmt = Path(args.file).suffix.lstrip(".")
    name = args.db or f"bench_import_{fmt}"
    territory.ensure(args.backend)
    t0 = time.perf_counter()
    url = common.clone_db(args.backend, territory.TEMPLATE, name)
    clone_s = time.perf_counter() - t0
    result = common.run_child([__file__, "_import", str(args.file), str(args.chunk_size)], url=url)
    return common.record({"kind": "import", "backend": args.backend, "format": fmt, "file": Path(args.file).name,
                          "db": name, "clone_s": round(clone_s, 1), "chunk_size": args.chunk_size, **result})


# =============================================================================
# Readers alone (child)
# =============================================================================
def _read_gongzhi(path: Path):
    from gongzhi.people import importer
    source = importer._XlsxSource(path) if path.suffix == ".xlsx" else importer._CsvSource(path)
    n = 0
    for _number, _values in source.rows():
        n += 1
    return n - 1, {}  # the header row


def _read_openpyxl(path: Path):
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)
    n = 0
    for _values in wb.worksheets[0].iter_rows(values_only=True):
        n += 1
    wb.close()
    return n - 1, {}


def _read_calamine(path: Path):
    from python_calamine import CalamineWorkbook
    t0 = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    load = time.perf_counter() - t0
    n = 0
    for _values in sheet.iter_rows():
        n += 1
    return n - 1, {"load_s": round(load, 2), "load_rss_note": "sheet loaded whole before the first row"}


def _read_fastexcel(path: Path):
    import fastexcel
    t0 = time.perf_counter()
    # All columns as text (as the importer wants codes and ID numbers), Arrow in Rust...
    sheet = fastexcel.read_excel(str(path)).load_sheet(0, dtypes="string")
    batch = sheet.to_arrow()
    load = time.perf_counter() - t0
    # ... then to Python values, column by column, and rows.
    columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
    n = 0
    for _values in zip(*columns):
        n += 1
    return n, {"load_s": round(load, 2)}


def _read_csv_plain(path: Path):
    import csv
    n = 0
    with path.open(newline="", encoding="utf-8-sig") as f:
        for _values in csv.reader(f):
            n += 1
    return n - 1, {}


def _prepare(path: Path):
    """The reading process's whole work, in one process and without writing:
    read, normalise and check every row, duplicates within the file, and for
    each valid row the encryption, keyed hashes and pinyin."""
    from django.utils import timezone

    from gongzhi.people import importer
    table = importer.Table(path)
    parser = importer._RowParser(table.index, importer._care_tags(), timezone.localdate())
    prepared = importer._Prepared(table, parser, 5000)
    n = bad = 0
    with importer._gc_paused():
        for rows, _fraction in prepared.chunks():
            n += len(rows)
            bad += sum(1 for r in rows if r.errors)
    return n, {"rows_with_errors": bad}


READERS = {"gongzhi": _read_gongzhi, "openpyxl": _read_openpyxl, "calamine": _read_calamine,
           "fastexcel": _read_fastexcel, "csv.reader": _read_csv_plain, "prepare": _prepare}


def child_reader(name: str, path: str) -> dict:
    common.django_setup()
    # Modules imported before the clock starts.
    import openpyxl  # noqa: F401
    import python_calamine  # noqa: F401
    from gongzhi.people import importer  # noqa: F401
    if name == "fastexcel":
        sys.path.insert(0, str(common.EXTRA))
        import fastexcel  # noqa: F401
        import pyarrow  # noqa: F401
    gc.collect()
    rss_before = _MemorySampler._read(os.getpid())[0]  # current RSS, not the peak so far
    sampler = _MemorySampler()
    sampler.start()
    t0 = time.perf_counter()
    rows, extra = READERS[name](Path(path))
    seconds = time.perf_counter() - t0
    sampler.stop()
    peak = max(sampler.max_rss_sum, common.maxrss_mb(SELF))
    return {"rows": rows, "seconds": round(seconds, 2), "rows_per_s": round(rows / seconds),
            "rss_mb": round(peak), "rss_before_mb": round(rss_before), "rss_added_mb": round(peak - rss_before),
            **extra}


def cmd_readers(args) -> list[dict]:
    path = Path(args.file)
    default = ("gongzhi", "openpyxl", "calamine", "fastexcel", "prepare") if path.suffix == ".xlsx" \
        else ("gongzhi", "csv.reader", "prepare")
    names = args.only.split(",") if args.only else default
    territory.ensure("sqlite")  # `prepare` reads the care tags
    out = []
    for name in names:
        result = common.run_child([__file__, "_reader", name, str(path)],
                                  url=common.db_url("sqlite", territory.TEMPLATE))
        out.append(common.record({"kind": "reader", "reader": name, "format": path.suffix.lstrip("."),
                                  "file": path.name, **result}))
    return out


# =============================================================================
# The floor: the same rows, pre-built, bulk-inserted (child)
# =============================================================================
def _tables():
    from django.apps import apps

    from gongzhi.people.models import Household, Resident, ResidentEvent
    through = Resident.care_tags.through
    return [("households", Household), ("household_history", Household.history.model),
            ("residents", Resident), ("resident_history", Resident.history.model), ("events", ResidentEvent),
            ("tags", through), ("tag_history", apps.get_model("people", "HistoricalResident_care_tags"))]


def _fetch(url: str, model, min_pk: int) -> list[tuple]:
    """Rows with pk > min_pk, every concrete column, in database form."""
    from django.db.models import JSONField
    fields = model._meta.concrete_fields
    pk = model._meta.pk.column
    if url.startswith("sqlite"):
        import sqlite3
        conn = sqlite3.connect(url[len("sqlite:///"):])
        cols = ", ".join(f'"{f.column}"' for f in fields)
        rows = conn.execute(f'SELECT {cols} FROM "{model._meta.db_table}" WHERE "{pk}" > ? ORDER BY "{pk}"',
                            (min_pk,)).fetchall()
        conn.close()
        return rows
    import psycopg
    cols = ", ".join(f'"{f.column}"::text' if isinstance(f, JSONField) else f'"{f.column}"' for f in fields)
    with psycopg.connect(url) as conn:
        return conn.execute(f'SELECT {cols} FROM "{model._meta.db_table}" WHERE "{pk}" > %s ORDER BY "{pk}"',
                            (min_pk,)).fetchall()


def _max_pk(url: str, model) -> int:
    pk, table = model._meta.pk.column, model._meta.db_table
    if url.startswith("sqlite"):
        import sqlite3
        conn = sqlite3.connect(url[len("sqlite:///"):])
        value = conn.execute(f'SELECT MAX("{pk}") FROM "{table}"').fetchone()[0]
        conn.close()
    else:
        import psycopg
        with psycopg.connect(url) as conn:
            value = conn.execute(f'SELECT MAX("{pk}") FROM "{table}"').fetchone()[0]
    return value or 0


def child_floor(source_url: str, template_url: str, chunk_size: int) -> dict:
    common.django_setup()  # DATABASE_URL: a fresh copy of the territory
    from django.db import connection, transaction

    from gongzhi.people import importer

    t0 = time.perf_counter()
    tables = _tables()
    data = {}
    for label, model in tables:
        data[label] = _fetch(source_url, model, _max_pk(template_url, model))
    # Chunks as the importer made them: residents in file order, chunk_size at a
    # time, each with its history, events and tags, and the households first seen in it.
    fields = {label: [f.column for f in model._meta.concrete_fields] for label, model in tables}
    col = {label: {c: i for i, c in enumerate(cols)} for label, cols in fields.items()}
    resident_chunk, household_chunk = {}, {}
    hh_i = col["residents"]["household_id"]
    for i, row in enumerate(data["residents"]):
        k = i // chunk_size
        resident_chunk[row[0]] = k
        household_chunk.setdefault(row[hh_i], k)
    key = {"households": lambda r: household_chunk[r[col["households"]["id"]]],
           "household_history": lambda r: household_chunk[r[col["household_history"]["id"]]],
           "residents": lambda r: resident_chunk[r[col["residents"]["id"]]],
           "resident_history": lambda r: resident_chunk[r[col["resident_history"]["id"]]],
           "events": lambda r: resident_chunk[r[col["events"]["resident_id"]]],
           "tags": lambda r: resident_chunk[r[col["tags"]["resident_id"]]],
           "tag_history": lambda r: resident_chunk[r[col["tag_history"]["resident_id"]]]}
    n_chunks = (len(data["residents"]) + chunk_size - 1) // chunk_size
    chunks = {label: [[] for _ in range(n_chunks)] for label, _ in tables}
    for label, rows in data.items():
        f = key[label]
        for row in rows:
            chunks[label][f(row)].append(row)
    del data
    counts = {label: sum(len(c) for c in chunks[label]) for label, _ in tables}
    build_s = time.perf_counter() - t0

    qn = connection.ops.quote_name
    sql = {}
    for label, model in tables:
        cols = ", ".join(qn(c) for c in fields[label])
        if connection.vendor == "sqlite":
            sql[label] = f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({', '.join('?' * len(fields[label]))})"
        else:
            sql[label] = f"COPY {qn(model._meta.db_table)} ({cols}) FROM STDIN"
    per_table = {label: 0.0 for label, _ in tables}
    connection.ensure_connection()
    raw = connection.connection
    with importer._gc_paused(), importer._sqlite_tuned():
        t1 = time.perf_counter()
        for k in range(n_chunks):
            with transaction.atomic():
                cur = raw.cursor()
                for label, _ in tables:
                    rows = chunks[label][k]
                    if not rows:
                        continue
                    ts = time.perf_counter()
                    if connection.vendor == "sqlite":
                        cur.executemany(sql[label], rows)
                    else:
                        with cur.copy(sql[label]) as copy:
                            for row in rows:
                                copy.write_row(row)
                    per_table[label] += time.perf_counter() - ts
        seconds = time.perf_counter() - t1
    residents = counts["residents"]
    return {"residents": residents, "rows": counts, "build_s": round(build_s, 1), "seconds": round(seconds, 2),
            "rows_per_s": round(residents / seconds), "per_table_s": {k: round(v, 2) for k, v in per_table.items()},
            "resident_rows_only_s": round(per_table["residents"], 2),
            "resident_rows_only_per_s": round(residents / per_table["residents"]),
            "rss_mb": round(common.maxrss_mb(SELF)), "db_mb": _db_size_mb()}


def cmd_floor(args) -> dict:
    name = args.db or "bench_floor"
    source_url = common.db_url(args.backend, args.source)
    url = common.clone_db(args.backend, territory.TEMPLATE, name)
    result = common.run_child([__file__, "_floor", source_url, common.db_url(args.backend, territory.TEMPLATE),
                               str(args.chunk_size)], url=url)
    rec = common.record({"kind": "floor", "backend": args.backend, "source": args.source, "db": name,
                         "chunk_size": args.chunk_size, **result})
    if not args.keep:
        common.drop_db(args.backend, name)
    return rec


# =============================================================================
# django-import-export, on a sample (child)
# =============================================================================
def _resident_resource():
    """A ModelResource for Resident importing the template's columns. The
    library maps columns to fields and looks up foreign keys by code; what it
    cannot do itself (validate and parse the ID number, encrypt and hash, pinyin,
    households, names of codes) is done in before_import_row, with the project's
    own functions; the IMPORTED event in after_save_instance. Rows are saved one
    by one (the library's default), so simple-history writes the history rows
    through its signals, and full_clean() validates every instance."""
    from import_export import fields, resources, widgets

    from gongzhi.core import codes, idcard
    from gongzhi.core.pinyin import name_pinyin
    from gongzhi.people import importer, services
    from gongzhi.people.models import CareTag, EventKind, Household, Resident, ResidentEvent
    from gongzhi.places.models import Dwelling, Place

    residence = {label: value for value, label in Resident._meta.get_field("residence_status").choices}
    places = {p.code: p for p in Place.objects.filter(level__in=["community", "grid"])}

    def col(attribute, header, widget=None):
        return fields.Field(attribute=attribute, column_name=header, widget=widget)

    class ResidentResource(resources.ModelResource):
        name = col("name", "姓名")
        ethnicity = col("ethnicity", "民族")
        relation = col("relation", "与户主关系")
        residence_status = col("residence_status", "居住状态")
        moved_in_on = col("moved_in_on", "迁入日期", widgets.DateWidget("%Y-%m-%d"))
        party_member = col("party_member", "党员", widgets.BooleanWidget())
        community = col("community", "社区代码", widgets.ForeignKeyWidget(Place, field="code"))
        grid = col("grid", "网格编号", widgets.ForeignKeyWidget(Place, field="code"))
        dwelling = col("dwelling", "房屋编号", widgets.ForeignKeyWidget(Dwelling, field="code"))
        household = col("household", "户号", widgets.ForeignKeyWidget(Household, field="number"))
        care_tags = col("care_tags", "人员标签", widgets.ManyToManyWidget(CareTag, field="name", separator="、"))
        # Computed in before_import_row:
        id_number_hash = col("id_number_hash", "id_number_hash")
        id_number_enc = col("id_number_enc", "id_number_enc")
        id_number_masked = col("id_number_masked", "id_number_masked")
        id_tail = col("id_tail", "id_tail")
        phone_enc = col("phone_enc", "phone_enc")
        phone_hash = col("phone_hash", "phone_hash")
        phone_masked = col("phone_masked", "phone_masked")
        birth_date = col("birth_date", "birth_date", widgets.DateWidget("%Y-%m-%d"))
        sex = col("sex", "sex")
        name_pinyin = col("name_pinyin", "name_pinyin")
        name_initials = col("name_initials", "name_initials")

        class Meta:
            model = Resident
            import_id_fields = ("id_number_hash",)
            fields = ("name", "ethnicity", "relation", "residence_status", "moved_in_on", "party_member",
                      "community", "grid", "dwelling", "household", "care_tags", "id_number_hash", "id_number_enc",
                      "id_number_masked", "id_tail", "phone_enc", "phone_hash", "phone_masked", "birth_date", "sex",
                      "name_pinyin", "name_initials")
            skip_diff = True
            clean_model_instances = True
            use_transactions = True

        COMPUTED = ("id_number_hash", "id_number_enc", "id_number_masked", "id_tail", "phone_enc", "phone_hash",
                    "phone_masked", "birth_date", "sex", "name_pinyin", "name_initials")

        def before_import(self, dataset, **kwargs):
            # The columns computed per row must exist in the dataset's header
            # (the library checks import_id_fields against it before the rows).
            for header in self.COMPUTED:
                dataset.append_col([""] * len(dataset), header=header)

        def before_import_row(self, row, **kwargs):
            parsed = idcard.parse(row["公民身份号码"])
            phone = importer.parse_phone(row["联系电话"])
            row.update(services.protected_fields(id_number=parsed.value, phone=phone))
            row["birth_date"], row["sex"] = parsed.birth_date.isoformat(), parsed.sex
            row["name_pinyin"], row["name_initials"] = name_pinyin(row["姓名"])
            row["民族"] = codes.ethnicity_code(row["民族"])
            row["与户主关系"] = codes.relation_code(row["与户主关系"])
            row["居住状态"] = residence[row["居住状态"]]
            row["党员"] = row["党员"] == "是"
            number = row["户号"]
            if not Household.objects.filter(number=number).exists():
                dwelling = Dwelling.objects.filter(code=row["房屋编号"]).first() if row["房屋编号"] else None
                Household.objects.create(number=number, community=places[row["社区代码"]],
                                         grid=places[row["网格编号"]], dwelling=dwelling)

        def after_save_instance(self, instance, row, **kwargs):
            if not kwargs.get("dry_run"):
                ResidentEvent.objects.create(resident=instance, kind=EventKind.IMPORTED,
                                             occurred_on=instance.moved_in_on or dt.date.today(),
                                             detail={"household": row["户号"], "file": "import-export"})

    return ResidentResource()


def child_iexport(path: str, sample: int) -> dict:
    common.django_setup()
    import tablib

    from gongzhi.people.models import Household, Resident, ResidentEvent

    def counts():
        return {"residents": Resident.objects.count(), "history": Resident.history.count(),
                "events": ResidentEvent.objects.count(), "households": Household.objects.count(),
                "tags": Resident.care_tags.through.objects.count()}

    before = counts()
    with open(path, encoding="utf-8") as f:
        lines = [next(f) for _ in range(sample + 1)]
    t0 = time.perf_counter()
    dataset = tablib.Dataset().load("".join(lines), format="csv")
    resource = _resident_resource()
    result = resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    seconds = time.perf_counter() - t0
    after = counts()
    written = {k: after[k] - before[k] for k in after}
    return {"sample": sample, "imported": written["residents"], "written": written, "errors": len(result.row_errors()),
            "invalid": len(result.invalid_rows), "seconds": round(seconds, 2), "rows_per_s": round(sample / seconds),
            "extrapolated_1m_s": round(seconds * 1_000_000 / sample), "rss_mb": round(common.maxrss_mb(SELF))}


def cmd_iexport(args) -> dict:
    import import_export
    name = args.db or "bench_iexport"
    url = common.clone_db(args.backend, territory.TEMPLATE, name)
    result = common.run_child([__file__, "_iexport", str(args.file), str(args.sample)], url=url)
    rec = common.record({"kind": "import-export", "backend": args.backend, "version": import_export.__version__,
                         "file": Path(args.file).name, **result})
    common.drop_db(args.backend, name)
    return rec


# =============================================================================
# Profiles (cProfile of the writing process and of the reading work)
# =============================================================================
def child_profile(path: str, out: str) -> dict:
    import cProfile
    import pstats
    common.django_setup()
    from gongzhi.people.importer import import_residents
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    # The forked reader inherits an enabled profiler but never dumps it: this
    # profile is the writing (parent) process; `prepare` is profiled apart.
    result = import_residents(path=Path(path), report_path=common.OUT / "profile.rejected.xlsx")
    prof.disable()
    seconds = time.perf_counter() - t0
    prof.dump_stats(out)
    stats = pstats.Stats(out)
    with open(out + ".txt", "w") as f:
        stats.stream = f
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)
    return {"accepted": result.accepted, "seconds": round(seconds, 2)}


def child_profile_prepare(path: str, out: str) -> dict:
    import cProfile
    import pstats
    common.django_setup()
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    n, _ = _prepare(Path(path))
    prof.disable()
    seconds = time.perf_counter() - t0
    prof.dump_stats(out)
    with open(out + ".txt", "w") as f:
        stats = pstats.Stats(out, stream=f)
        stats.sort_stats("tottime").print_stats(30)
    return {"rows": n, "seconds": round(seconds, 2)}


def cmd_profile(args) -> None:
    path = Path(args.file)
    fmt = path.suffix.lstrip(".")
    url = common.clone_db(args.backend, territory.TEMPLATE, "bench_profile")
    out = common.OUT / f"profile-{args.backend}-{fmt}-writer.prof"
    r1 = common.run_child([__file__, "_profile", str(path), str(out)], url=url)
    out2 = common.OUT / f"profile-{fmt}-prepare.prof"
    r2 = common.run_child([__file__, "_profile_prepare", str(path), str(out2)],
                          url=common.db_url("sqlite", territory.TEMPLATE))
    common.drop_db(args.backend, "bench_profile")
    print(f"writer (parent, under cProfile): {r1}; text: {out}.txt")
    print(f"prepare (reading work in one process, under cProfile): {r2}; text: {out2}.txt")


# =============================================================================
# Report
# =============================================================================
def _latest(kind: str, key) -> dict:
    rows = {}
    if common.RESULTS.exists():
        for line in common.RESULTS.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r.get("kind") == kind:
                rows[key(r)] = r
    return rows


def cmd_report(args) -> None:
    """Markdown tables of the latest figures for files of at least --min-rows rows."""
    def big(r: dict) -> bool:
        n = r["accepted"] + r["rejected"] if "accepted" in r else r["residents"] if "residents" in r else r["rows"]
        return n >= args.min_rows

    imports = {k: r for k, r in _latest("import", lambda r: (r["backend"], r["format"], r["file"])).items() if big(r)}
    floors = {k: r for k, r in _latest("floor", lambda r: (r["backend"], r["source"], r["chunk_size"])).items() if big(r)}
    readers = {k: r for k, r in _latest("reader", lambda r: (r["reader"], r["file"])).items() if big(r)}
    iexports = _latest("import-export", lambda r: r["backend"])
    terr = _latest("territory", lambda r: r["backend"])
    lists = _latest("list", lambda r: (r["backend"], r.get("label", "as is")))
    whatifs = _latest("list-whatif", lambda r: (r["backend"], r["db"], r["extra_index"]))
    print("### Territory (template database, built once per backend, not counted)\n")
    print("| backend | migrate s | build_demo s | residents | households | dwellings |\n|---|---:|---:|---:|---:|---:|")
    for b, r in terr.items():
        print(f"| {b} | {r['migrate_s']} | {r['demo_s']} | {r['residents']:,} | {r['households']:,} | {r['dwellings']:,} |")
    print("\n### gongzhi import_residents (1,000,000 rows into the territory)\n")
    print("| backend | file | accepted | rejected | seconds | rows/s | max RSS parent MB | max RSS reader child MB | "
          "RSS sum MB | PSS sum MB (sampled) | rows/s by tenth of the file | DB MB |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for (b, fmt, file), r in sorted(imports.items()):
        print(f"| {b} | {file} | {r['accepted']:,} | {r['rejected']:,} | {r['seconds']} | "
              f"**{r['rows_per_s']:,}** | {r['rss_parent_mb']} | {r['rss_child_mb']} | **{r['rss_sum_mb']}** | "
              f"{r.get('sampled_pss_sum_mb', '–')} | "
              f"{' '.join(f'{x / 1000:.1f}k' for x in r['rows_per_s_by_tenth'])} | {r['db_mb']:,} |")
    print("\n### Floor: the same 1,000,000 residents' rows, pre-built in memory, raw executemany (SQLite) / "
          "COPY (PostgreSQL)\n")
    print("| backend | residents per transaction | all rows inserted | seconds (all tables) | residents/s | "
          "of which resident rows s | resident rows alone /s | gongzhi csv s | gongzhi / floor |\n"
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (b, source, chunk), r in sorted(floors.items()):
        total_rows = sum(r["rows"].values())
        g = next((i for (ib, fmt, _f), i in imports.items() if ib == b and fmt == "csv"), None)
        ratio = f"**{g['seconds'] / r['seconds']:.2f}×**" if g and chunk == g["chunk_size"] else "–"
        print(f"| {b} | {chunk:,} | {total_rows:,} | {r['seconds']} | {r['rows_per_s']:,} | "
              f"{r['resident_rows_only_s']} | {r['resident_rows_only_per_s']:,} | {g['seconds'] if g else '–'} | {ratio} |")
    for (b, source, chunk), r in sorted(floors.items()):
        print(f"\n{b} floor ({chunk:,} per transaction), seconds per table: " + ", ".join(f"{k} {v}" for k, v in r["per_table_s"].items())
              + f" (sum {sum(r['per_table_s'].values()):.1f} s; the rest of {r['seconds']} s is COMMIT)"
              + "; rows: " + ", ".join(f"{k} {v:,}" for k, v in r["rows"].items()))
    print("\n### Readers alone (each in its own process)\n")
    print("| file | reader | rows | seconds | rows/s | peak RSS MB | RSS added MB | notes |\n"
          "|---|---|---:|---:|---:|---:|---:|---|")
    for (name, file), r in sorted(readers.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        notes = "; ".join(f"{k}={v}" for k, v in r.items() if k in ("load_s",))
        print(f"| {file} | {name} | {r['rows']:,} | {r['seconds']} | {r['rows_per_s']:,} | {r['rss_mb']} | "
              f"{r.get('rss_added_mb', '–')} | {notes} |")
    print("\n### django-import-export (sample, extrapolated)\n")
    print("| backend | version | sample rows | written (residents/history/events/households/tags) | seconds | rows/s "
          "| 1M extrapolated | peak RSS MB |\n|---|---|---:|---|---:|---:|---:|---:|")
    for b, r in sorted(iexports.items()):
        w = r.get("written", {})
        print(f"| {b} | {r['version']} | {r['sample']:,} | {'/'.join(f'{v:,}' for v in w.values())} | {r['seconds']} | "
              f"{r['rows_per_s']:,} | {r['extrapolated_1m_s'] / 3600:.1f} h | {r['rss_mb']} |")
    for (b, label), r in sorted(lists.items()):
        print(f"\n### Resident list, {b} ({label}{'; PRAGMA ' + r['sqlite_pragmas'] if r.get('sqlite_pragmas') else ''}): "
              f"{r['community']}, {r['community_active_residents']:,} active of {r['residents_total']:,}\n")
        print("| kind | page n | page p50 ms | page p95 ms | page p99 ms | API n | API p50 | API p95 | API p99 |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for kind in ("page1", "deep", "name", "pinyin", "id4", "address", "overall"):
            pg, api = r["page"].get(kind), r["api"].get(kind)
            if not pg:
                continue
            flag = lambda v: f"**{v}**" if v > 300 else f"{v}"  # noqa: E731
            print(f"| {kind} | {pg['n']} | {pg['p50']} | {flag(pg['p95'])} | {pg['p99']} | {api['n']} | {api['p50']} | "
                  f"{flag(api['p95'])} | {api['p99']} |")
    for (b, db, index), r in sorted(whatifs.items()):
        print(f"\n### What-if queries, {b}, database {db}{' + index (community_id, status, name, id)' if index else ''} "
              f"(median of count + one page, new connection each)\n")
        print("| case | variant | median ms | max ms | matches |\n|---|---|---:|---:|---:|")
        for c in r["cases"]:
            print(f"| {c['case']} | {c['variant']} | {c['median_ms']} | {c['max_ms']} | {c['count']:,} |")


def main(argv=None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("_"):  # a child
        name, rest = argv[0], argv[1:]
        if name == "_import":
            common.emit(child_import(rest[0], int(rest[1])))
        elif name == "_reader":
            common.emit(child_reader(rest[0], rest[1]))
        elif name == "_floor":
            common.emit(child_floor(rest[0], rest[1], int(rest[2])))
        elif name == "_iexport":
            common.emit(child_iexport(rest[0], int(rest[1])))
        elif name == "_profile":
            common.emit(child_profile(rest[0], rest[1]))
        elif name == "_profile_prepare":
            common.emit(child_profile_prepare(rest[0], rest[1]))
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("import")
    s.add_argument("--backend", choices=("sqlite", "pg"), required=True)
    s.add_argument("--file", type=Path, required=True)
    s.add_argument("--db")
    s.add_argument("--chunk-size", type=int, default=5000)
    s = sub.add_parser("readers")
    s.add_argument("--file", type=Path, required=True)
    s.add_argument("--only")
    s = sub.add_parser("floor")
    s.add_argument("--backend", choices=("sqlite", "pg"), required=True)
    s.add_argument("--source", default="bench_import_csv", help="the database gongzhi imported into")
    s.add_argument("--db")
    s.add_argument("--chunk-size", type=int, default=5000)
    s.add_argument("--keep", action="store_true")
    s = sub.add_parser("iexport")
    s.add_argument("--backend", choices=("sqlite", "pg"), required=True)
    s.add_argument("--file", type=Path, required=True)
    s.add_argument("--sample", type=int, default=20000)
    s.add_argument("--db")
    s = sub.add_parser("profile")
    s.add_argument("--backend", choices=("sqlite", "pg"), default="sqlite")
    s.add_argument("--file", type=Path, required=True)
    s = sub.add_parser("report")
    s.add_argument("--min-rows", type=int, default=1_000_000)
    args = p.parse_args(argv)
    {"import": cmd_import, "readers": cmd_readers, "floor": cmd_floor, "iexport": cmd_iexport,
     "profile": cmd_profile, "report": cmd_report}[args.cmd](args)


if __name__ == "__main__":
    main()
