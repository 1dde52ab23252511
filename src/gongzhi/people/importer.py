"""Import of residents and households from xlsx or CSV.

Streaming all the way: rows are read, checked and written one chunk at a
time, so memory stays flat whatever the file size (what does grow is one
entry per ID number seen, to catch duplicates within the file: ~100 MB for
a million rows).

Two processes: a forked child reads, normalises and checks each row, and
does the costly per-row work (encryption, keyed hashes, pinyin); the parent
looks rows up in the database and writes them. On SQLite the two halves
cost about the same, so the pipeline nearly doubles the throughput.

Each chunk is written in one transaction, and a chunk ends only where a
household ends (consecutive rows with one household number), so a process
killed at any moment (kill -9, a power cut) leaves every household whole or
absent, never its head without the spouse. A household whose members the
file lists apart (other households between them) gets its later rows in a
later chunk, as a member added to a registered household would. A process
killed mid-file loses only the chunk in flight; running the import again finds the rows already in
the database identical and counts them as unchanged, so nothing is doubled.
A row for a person already in the same household with other values updates
that person (name, phone, ethnicity, residence status, relation, moved-in
date, party membership, care tags — not the dwelling) through
services.resident_update, with history and an UPDATED event.

Where things are (imports go one way, from this module to the ones below;
none of them imports this one):

  import_sources   reading: the CSV and streaming xlsx sources, and Table
                   (the header row found, columns matched by name)
  import_rows      every message (ERR_*), ImportFileError, parsing of cell
                   values (dates, phones, codes) and the checks of one row
                   that need no database (_RowParser)
  import_pipeline  the forked reading process, the per-chunk database
                   look-ups and checks, ImportResult, and _Importer
  writer           the database writes (shared with single registrations): ids reserved, executemany / COPY,
                   history rows as simple-history would write them, and the
                   SQLite settings used while importing
  import_report    the workbook of rejected rows

This module is the public face: import_residents, and the names other code,
the tests and the benchmark import from gongzhi.people.importer.
"""
from __future__ import annotations

import multiprocessing  # noqa: F401 - tests patch importer.multiprocessing
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.utils import timezone

from gongzhi.core.access_log import access_log_write
from gongzhi.core.models import AccessAction, Job, JobStatus
from gongzhi.people.import_pipeline import ImportResult, _care_tags, _gc_paused, _Importer, _Prepared
from gongzhi.people.import_report import REPORT_REASON_HEADER, REPORT_ROW_HEADER, _Report, default_report_path
from gongzhi.people.import_rows import (
    ERR_COMMUNITY_UNKNOWN, ERR_DATE_BEFORE_BIRTH, ERR_DATE_FUTURE, ERR_DATE_INVALID, ERR_DWELLING_GRID,
    ERR_DWELLING_UNKNOWN, ERR_ETHNICITY, ERR_FILE_ENCODING, ERR_FILE_MISSING, ERR_FILE_NO_HEADER, ERR_FILE_TYPE,
    ERR_FILE_UNREADABLE, ERR_GRID_COMMUNITY, ERR_GRID_UNKNOWN, ERR_HOUSEHOLD_CLOSED, ERR_HOUSEHOLD_COMMUNITY,
    ERR_HOUSEHOLD_GRID, ERR_ID_AS_NUMBER, ERR_ID_BIRTH, ERR_ID_CHARS, ERR_ID_CHECK, ERR_ID_DUPLICATE_IN_FILE,
    ERR_ID_FUTURE, ERR_ID_LENGTH, ERR_ID_NOT_ACTIVE, ERR_ID_OTHER_HOUSEHOLD, ERR_INTERRUPTED, ERR_MEMORY,
    ERR_MISSING_COLUMNS, ERR_NO_PERMISSION, ERR_PARTY, ERR_PHONE, ERR_RELATION, ERR_REPORT_IS_INPUT, ERR_REQUIRED, ERR_RESIDENCE,
    ERR_SCOPE_COMMUNITY, ERR_SCOPE_GRID, ERR_TAG, ERR_TOO_LONG, ERR_WORKER, MAX_HOUSEHOLD, MAX_NAME, REASON_SEPARATOR,
    ImportFileError, _RowParser, parse_date, parse_phone,
)
from gongzhi.people.import_sources import Table, _CsvSource, _PackedStrings, _XlsxSource
from gongzhi.people.manifest import IMPORT
from gongzhi.people.writer import CHANGE_REASON, SQLITE_IMPORT_PRAGMAS, _sqlite_tuned
from gongzhi.people.writer import RegistryWriter as _Writer

# What other code imports from here: the public names, and the internals the
# tests and bench/import_bench.py reach for as importer.<name>.
__all__ = [
    "CHANGE_REASON", "ERR_COMMUNITY_UNKNOWN", "ERR_DATE_BEFORE_BIRTH", "ERR_DATE_FUTURE", "ERR_DATE_INVALID",
    "ERR_DWELLING_GRID", "ERR_DWELLING_UNKNOWN", "ERR_ETHNICITY", "ERR_FILE_ENCODING", "ERR_FILE_MISSING",
    "ERR_FILE_NO_HEADER", "ERR_FILE_TYPE", "ERR_FILE_UNREADABLE", "ERR_GRID_COMMUNITY", "ERR_GRID_UNKNOWN",
    "ERR_HOUSEHOLD_CLOSED", "ERR_HOUSEHOLD_COMMUNITY", "ERR_HOUSEHOLD_GRID", "ERR_ID_AS_NUMBER", "ERR_ID_BIRTH",
    "ERR_ID_CHARS", "ERR_ID_CHECK", "ERR_ID_DUPLICATE_IN_FILE", "ERR_ID_FUTURE", "ERR_ID_LENGTH", "ERR_ID_NOT_ACTIVE",
    "ERR_ID_OTHER_HOUSEHOLD", "ERR_INTERRUPTED", "ERR_MISSING_COLUMNS", "ERR_NO_PERMISSION", "ERR_PARTY", "ERR_PHONE",
    "ERR_RELATION", "ERR_REPORT_IS_INPUT", "ERR_REQUIRED", "ERR_RESIDENCE", "ERR_SCOPE_COMMUNITY", "ERR_SCOPE_GRID",
    "ERR_TAG", "ERR_TOO_LONG", "ERR_WORKER", "MAX_HOUSEHOLD", "MAX_NAME", "REASON_SEPARATOR", "REPORT_REASON_HEADER",
    "REPORT_ROW_HEADER", "SQLITE_IMPORT_PRAGMAS", "ImportFileError", "ImportResult", "Table", "_CsvSource",
    "_PackedStrings", "_Prepared", "_RowParser", "_Writer", "_XlsxSource", "_care_tags", "_gc_paused",
    "_sqlite_tuned", "default_report_path", "import_residents", "parse_date", "parse_phone",
]


# =============================================================================
# Entry point
# =============================================================================
def import_residents(*, path: Path, by=None, scope=None, job: Job | None = None, report_path: Path | None = None,
                     chunk_size: int = 5000, chunk_pause: float = 0,
                     progress: Callable[[ImportResult, int | None], None] | None = None) -> ImportResult:
    """Import residents (and their households) from an xlsx or CSV file.

    `scope` (a browser import by a community worker) refuses rows outside it;
    None imports anywhere (command line). Rejected rows go to `report_path`
    (default: beside the input, <name>.rejected.xlsx). `chunk_pause` seconds are
    waited after each committed chunk (a large load beside office-hours traffic).
    Raises ImportFileError when the file itself cannot be imported.
    """
    path = Path(path)
    if scope is not None:
        scope = scope.for_capability(IMPORT)  # rows land only in the places of posts that may import
    if scope is not None and not scope.assignments:
        _job_update(job, status=JobStatus.FAILED, message=ERR_NO_PERMISSION, finished_at=timezone.now())
        raise PermissionDenied(ERR_NO_PERMISSION)
    report_path = Path(report_path) if report_path else default_report_path(path)
    if report_path.resolve() == path.resolve():
        raise ImportFileError(ERR_REPORT_IS_INPUT)
    if job is not None:
        _job_update(job, status=JobStatus.RUNNING, input_name=job.input_name or path.name)
    try:
        table = Table(path)
        importer = _Importer(table=table, by=by, scope=scope, job=job, report=_Report(report_path, table.headers),
                             chunk_size=chunk_size, chunk_pause=chunk_pause, progress=progress)
        _job_update(job, total=importer.total)
        result = importer.run()
    except ImportFileError as e:
        _job_update(job, status=JobStatus.FAILED, message=str(e), finished_at=timezone.now())
        raise
    except MemoryError:
        # every limit is checked before memory is spent, so this is a file no limit foresaw:
        # refused like the others (not "run it again", which would fail the same way)
        message = ERR_MEMORY.format(name=path.name)
        _job_update(job, status=JobStatus.FAILED, message=message, finished_at=timezone.now())
        raise ImportFileError(message) from None
    except BaseException as e:
        _job_update(job, status=JobStatus.FAILED, message=ERR_INTERRUPTED.format(detail=str(e) or type(e).__name__),
                    finished_at=timezone.now())
        raise
    _job_update(job, status=JobStatus.DONE, total=result.processed, processed=result.processed,
                accepted=result.accepted, rejected=result.rejected, finished_at=timezone.now(),
                result_path=str(result.report_path or ""))
    access_log_write(user=by, action=AccessAction.IMPORT, target=path.name,
                     detail=f"导入 {result.accepted} 行(其中未变 {result.unchanged}、更新 {result.updated}),"
                            f"未导入 {result.rejected} 行")
    if importer.probes:
        access_log_write(user=by, action=AccessAction.PROBE, target=path.name,
                         detail=f"{importer.probes} 行的公民身份号码属于辖区外居民,未导入,也未告知其住址")
    return result


def _job_update(job: Job | None, **fields) -> None:
    """Progress the browser polls; written straight away (own statement)."""
    if job is None:
        return
    for name, value in fields.items():
        setattr(job, name, value)
    try:
        Job.objects.filter(pk=job.pk).update(**fields)
    except DatabaseError:
        if fields.get("status") != JobStatus.FAILED:
            raise
