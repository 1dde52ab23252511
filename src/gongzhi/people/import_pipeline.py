"""The import, chunk by chunk: the forked reading process and the checks
and writes of each chunk in the parent.

_Prepared does everything that needs no database (reading, parsing,
duplicates within the file, encryption, keyed hashes, pinyin) and runs in a
forked child (_in_child_process), one chunk ahead of the parent. _Importer,
in the parent, looks each chunk up in the database (places, people and
households already registered), writes new rows through people.writer,
updates changed ones through services.resident_update, and sends refused
rows to the report — one transaction per chunk, and a chunk never ends
inside a household (see _Prepared.chunks): whole households or nothing.
"""
from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from gongzhi.core import crypto
from gongzhi.core.models import Job
from gongzhi.core.pinyin import name_pinyin
from gongzhi.people import services
from gongzhi.people.import_report import _Report
from gongzhi.people.import_rows import (
    ERR_COMMUNITY_UNKNOWN, ERR_DWELLING_GRID, ERR_DWELLING_UNKNOWN, ERR_GRID_COMMUNITY, ERR_GRID_UNKNOWN,
    ERR_HOUSEHOLD_CLOSED, ERR_HOUSEHOLD_COMMUNITY, ERR_HOUSEHOLD_GRID, ERR_ID_DUPLICATE_IN_FILE, ERR_ID_NOT_ACTIVE,
    ERR_HOUSEHOLD_ELSEWHERE, ERR_ID_ELSEWHERE, ERR_ID_OTHER_HOUSEHOLD, ERR_SCOPE_COMMUNITY, ERR_SCOPE_GRID, ERR_WORKER, ImportFileError, _Row, _RowParser,
)
from gongzhi.people.import_sources import CHUNK_CHARS, Table
from gongzhi.people.writer import RegistryWriter, _sqlite_tuned
from gongzhi.people.models import CareTag, Household, HouseholdStatus, PersonStatus, Resident
from gongzhi.places.models import Dwelling, Level, Place


@dataclass
class ImportResult:
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0  # rows already present identically (counted within accepted)
    updated: int = 0  # rows already present in the same household, changed (within accepted)
    report_path: Path | None = None

    @property
    def processed(self) -> int:
        return self.accepted + self.rejected


class _Prepared:
    """Everything about a row that needs no database: reading, normalising,
    duplicates within the file, and the costly per-row work for the rows
    that may be written (encryption, keyed hashes, pinyin)."""

    def __init__(self, table: "Table", parser: _RowParser, chunk_size: int):
        self.table, self.parser, self.chunk_size = table, parser, chunk_size
        self.seen: dict[int, int] = {}  # ID number (keyed hash as int) → first row number in the file

    def chunks(self) -> Iterator[tuple[list[_Row], float | None]]:
        """Chunks of about chunk_size rows, or fewer when their text passes CHUNK_CHARS (rows of long
        cells: what is in flight between the processes stays a few tens of MB).

        A chunk ends only where a household ends (the next row names another household number), so
        a household listed on consecutive rows is written in one transaction: a process killed at any
        moment leaves each household whole or absent. A chunk therefore runs over by at most one
        household (MAX_HOUSEHOLD_ROWS rows; a longer run of one number is cut there: no real household
        is that large, and its rows are refused or merged anyway)."""
        parse, chunk, chars = self.parser.parse, [], 0
        full = False
        for number, values in self.table.rows():
            row = parse(number, values)
            if full and (_household(row) != _household(chunk[-1]) or len(chunk) >= self.chunk_size
                         + MAX_HOUSEHOLD_ROWS):
                yield self._finish(chunk), self.table.fraction_read()
                chunk, chars, full = [], 0, False
            chunk.append(row)
            chars += sum([len(v) for v in values if v.__class__ is str])
            full = len(chunk) >= self.chunk_size or chars > CHUNK_CHARS
        if chunk:
            yield self._finish(chunk), self.table.fraction_read()

    def _finish(self, rows: list[_Row]) -> list[_Row]:
        seen = self.seen
        for r in rows:
            if r.key is None:
                continue
            first = seen.setdefault(r.key, r.number)
            if first != r.number:
                r.errors.append(ERR_ID_DUPLICATE_IN_FILE.format(row=first))
                r.key = None  # not compared with the database: the first row speaks for it
            elif not r.errors:
                r.protected = services.protected_fields(id_number=r.id_number, phone=r.phone or "")
                r.pinyin = name_pinyin(r.name)
        return rows


# A chunk waits for the end of the household it has reached for at most this many more rows.
MAX_HOUSEHOLD_ROWS = 1000


def _household(row: _Row) -> str | None:
    return getattr(row, "household", None)  # unset when the row's parsing stopped before that column


def _in_child_process(produce: Callable[[], Iterator]) -> Iterator:
    """The items of produce(), computed in a forked child one item ahead of
    the caller. A thread would not overlap: the GIL serialises the parsing
    and SQLite hands the GIL back and forth on every row, which makes both
    slower. Where fork is unavailable, runs in this process."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from produce()
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_all, args=(produce, sender), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise ImportFileError(ERR_WORKER) from None
            if kind == "end":
                return
            if kind == "error":
                raise payload
            yield payload
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _send_all(produce: Callable[[], Iterator], sender) -> None:
    """In the child: it must not touch the parent's database connection."""
    try:
        for item in produce():
            sender.send(("item", item))
        sender.send(("end", None))
    except BaseException as e:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            sender.send(("error", e))
        except Exception:  # noqa: BLE001 - unpicklable: the parent sees EOF and reports it
            pass
    finally:
        sender.close()


# =============================================================================
# Lookups that need the database
# =============================================================================
@dataclass
class _Places:
    """Communities and grids are few: loaded once. Dwellings are many: per chunk."""

    communities: dict[str, int]  # code → id
    grids: dict[str, tuple[int, int | None]]  # code → (id, community id)
    grid_codes: dict[int, str]
    allowed_grids: set[int] | None  # None: no scope, everything allowed
    reachable_communities: set[int] | None  # communities with at least one allowed grid

    @classmethod
    def load(cls, scope) -> "_Places":
        communities, grids, grid_codes = {}, {}, {}
        allowed_c: set[int] | None = None if scope is None else set()
        allowed_g: set[int] | None = None if scope is None else set()
        paths = tuple(p.path for p in scope.staff_places) if scope is not None else ()
        for pk, code, level, parent_id, path in Place.objects.filter(
                level__in=[Level.COMMUNITY, Level.GRID]).values_list("id", "code", "level", "parent_id", "path"):
            if level == Level.COMMUNITY:
                communities[code] = pk
            else:
                grids[code] = (pk, parent_id)
                grid_codes[pk] = code
            if scope is not None and path.startswith(paths):
                (allowed_c if level == Level.COMMUNITY else allowed_g).add(pk)
        if scope is not None:
            allowed_c |= {grids[grid_codes[pk]][1] for pk in allowed_g}
        return cls(communities, grids, grid_codes, allowed_g, allowed_c)


def _care_tags() -> dict[str, int]:
    tags = {}
    for pk, code, name in CareTag.objects.values_list("id", "code", "name"):
        tags[code] = tags[name] = pk
    return tags


def _batched(values: list, size: int | None = None) -> Iterator[list]:
    """IN (…) lists kept under the backend's parameter limit (999 on old SQLite)."""
    size = size or connection.features.max_query_params or 999
    for i in range(0, len(values), size):
        yield values[i:i + size]


@dataclass
class _Existing:
    id: int
    household: str
    grid_id: int
    name: str
    phone_hash: str
    ethnicity: str
    residence_status: str
    relation: str
    moved_in_on: dt.date | None
    party_member: bool
    status: str
    version: int
    tags: frozenset = frozenset()


@contextmanager
def _gc_paused():
    """The cyclic garbage collector would walk every object of the chunk in
    hand over and over (a third of the time spent passing rows between the
    processes). An import makes almost no cycles (two dozen per 100,000
    rows), so collection waits until the end. The child inherits the pause."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# =============================================================================
# The import, chunk by chunk
# =============================================================================
class _Importer:
    def __init__(self, *, table: Table, by, scope, job: Job | None, report: _Report, chunk_size: int,
                 progress: Callable[[ImportResult, int | None], None] | None, chunk_pause: float = 0):
        self.table, self.by, self.job, self.report = table, by, job, report
        self.chunk_size, self.progress, self.chunk_pause = chunk_size, progress, chunk_pause
        self.today = timezone.localdate()
        self.places = _Places.load(scope)
        self.parser = _RowParser(table.index, _care_tags(), self.today)
        self.tag_objects = CareTag.objects.in_bulk()
        self.writer = RegistryWriter(by=by, source_name=table.source.path.name, today=self.today)
        self.result = ImportResult()
        self.probes = 0  # rows whose ID number belongs to someone outside the scope (logged once at the end)
        self.total = table.total  # None when the file does not say: estimated as we go

    def run(self) -> ImportResult:
        prepared = _Prepared(self.table, self.parser, self.chunk_size)
        # closing(): a failed chunk stops the reading process at once.
        with _gc_paused(), _sqlite_tuned(), closing(_in_child_process(prepared.chunks)) as chunks:
            for rows, fraction in chunks:
                self._chunk(rows, fraction)
        self.result.report_path = self.report.close()
        return self.result

    # -- one chunk -----------------------------------------------------------------
    def _chunk(self, rows: list[_Row], fraction: float | None) -> None:
        counts = ImportResult()
        # The look-ups run inside the transaction too, so that two imports of
        # the same file at once cannot both decide that a person is new.
        with transaction.atomic():
            self._check_places(rows)
            self._check_identity(rows)
            self._check_households(rows)
            new = [r for r in rows if not r.errors and r.existing is None]
            known = [r for r in rows if not r.errors and r.existing is not None]
            self._create(new)
            counts.updated, counts.unchanged = self._update(known)
            counts.accepted = sum(1 for r in rows if not r.errors)
            counts.rejected = len(rows) - counts.accepted
            self._save_progress(counts, fraction)
        self._add_counts(counts)
        for r in rows:
            if r.errors:
                self.report.add(r.number, r.values, r.reason)
        if self.progress:
            self.progress(self.result, self.total)
        if self.chunk_pause:  # `import --chunk-pause`: leave a busy database room between commits
            time.sleep(self.chunk_pause)

    def _check_places(self, rows: list[_Row]) -> None:
        places = self.places
        codes_ = list({r.dwelling for r in rows if r.dwelling})
        dwellings = {}
        for batch in _batched(codes_):
            for code, pk, community_id, grid_id in Dwelling.objects.filter(code__in=batch).values_list(
                    "code", "id", "community_id", "grid_id"):
                dwellings[code] = (pk, community_id, grid_id)
        for r in rows:
            if r.community:
                r.community_id = places.communities.get(r.community)
                if r.community_id is None:
                    r.errors.append(ERR_COMMUNITY_UNKNOWN.format(code=r.community))
            if r.grid:
                grid = places.grids.get(r.grid)
                if grid is None:
                    r.errors.append(ERR_GRID_UNKNOWN.format(code=r.grid))
                elif r.community_id is not None and grid[1] != r.community_id:
                    r.errors.append(ERR_GRID_COMMUNITY.format(grid=r.grid, community=r.community))
                else:
                    r.grid_id = grid[0]
            self._check_scope(r)
            if r.dwelling:
                dwelling = dwellings.get(r.dwelling)
                if dwelling is None:
                    r.errors.append(ERR_DWELLING_UNKNOWN.format(code=r.dwelling))
                elif r.grid_id is not None and dwelling[2] != r.grid_id:
                    r.errors.append(ERR_DWELLING_GRID.format(code=r.dwelling, grid=r.grid))
                else:
                    r.dwelling_id = dwelling[0]

    def _check_scope(self, r: _Row) -> None:
        places = self.places
        if places.allowed_grids is None or r.grid_id in places.allowed_grids:
            return
        if r.community_id is not None and r.community_id not in places.reachable_communities:
            r.errors.append(ERR_SCOPE_COMMUNITY.format(code=r.community))
        elif r.grid_id is not None:
            r.errors.append(ERR_SCOPE_GRID.format(code=r.grid))

    def _check_identity(self, rows: list[_Row]) -> None:
        """People already registered (duplicates within the file are marked
        by the reading stage: their key is None)."""
        existing = self._existing([r.id_hash for r in rows if r.key is not None])
        for r in rows:
            found = existing.get(r.id_hash) if r.key is not None else None
            if found is None:
                continue
            if found.household != r.household:
                if self.places.allowed_grids is None or found.grid_id in self.places.allowed_grids:
                    r.errors.append(ERR_ID_OTHER_HOUSEHOLD.format(household=found.household))
                else:  # someone outside the importer's scope: where they live is not said
                    r.errors.append(ERR_ID_ELSEWHERE)
                    self.probes += 1
            elif found.status != PersonStatus.ACTIVE and self.places.allowed_grids is not None \
                    and found.grid_id not in self.places.allowed_grids:  # nor whether they moved out or died
                r.errors.append(ERR_ID_ELSEWHERE)
                self.probes += 1
            elif found.status != PersonStatus.ACTIVE:
                r.errors.append(ERR_ID_NOT_ACTIVE)
            else:
                r.existing = found

    def _existing(self, hashes: list[str]) -> dict[str, _Existing]:
        found: dict[str, _Existing] = {}
        for batch in _batched(hashes):
            for id_hash, *rest in Resident.objects.filter(id_number_hash__in=batch).values_list(
                    "id_number_hash", "id", "household__number", "grid_id", "name", "phone_hash", "ethnicity",
                    "residence_status", "relation", "moved_in_on", "party_member", "status", "version"):
                found[id_hash] = _Existing(*rest)
        if found and "tags" in self.table.index:
            by_id = {e.id: e for e in found.values()}
            tags: dict[int, set[int]] = {}
            through = Resident.care_tags.through
            for batch in _batched(list(by_id)):
                for resident_id, tag_id in through.objects.filter(resident_id__in=batch).values_list(
                        "resident_id", "caretag_id"):
                    tags.setdefault(resident_id, set()).add(tag_id)
            for pk, tag_ids in tags.items():
                by_id[pk].tags = frozenset(tag_ids)
        return found

    def _check_households(self, rows: list[_Row]) -> None:
        """A household number names one household, in one community and grid;
        unknown numbers become new households, defined by their first row."""
        numbers = list({r.household for r in rows if r.household and r.community_id and r.grid_id})
        known: dict[str, tuple] = {}
        for batch in _batched(numbers):
            for number, *rest in Household.objects.filter(number__in=batch).values_list(
                    "number", "id", "community_id", "grid_id", "dwelling_id", "status"):
                known[number] = tuple(rest)
        first_rows: dict[str, _Row] = {}
        for r in rows:
            if not (r.household and r.community_id and r.grid_id):
                continue
            if r.household in known:
                pk, community_id, grid_id, dwelling_id, status = known[r.household]
                r.household_id = pk
                if r.dwelling_id is None:
                    r.dwelling_id = dwelling_id
            else:
                first = first_rows.setdefault(r.household, r) if not r.errors else first_rows.get(r.household, r)
                community_id, grid_id, status = first.community_id, first.grid_id, HouseholdStatus.ACTIVE
            outside = self.places.allowed_grids is not None and r.household in known \
                and grid_id not in self.places.allowed_grids
            if outside:  # a household outside the importer's scope: neither where it is nor its state is said
                r.errors.append(ERR_HOUSEHOLD_ELSEWHERE.format(number=r.household))
                self.probes += 1
            elif status != HouseholdStatus.ACTIVE:
                r.errors.append(ERR_HOUSEHOLD_CLOSED.format(number=r.household))
            elif community_id != r.community_id:
                r.errors.append(ERR_HOUSEHOLD_COMMUNITY.format(number=r.household))
            elif grid_id != r.grid_id:
                r.errors.append(ERR_HOUSEHOLD_GRID.format(number=r.household, grid=self.places.grid_codes[grid_id]))

    # -- writing --------------------------------------------------------------------
    def _create(self, rows: list[_Row]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            new_households = {}
            for r in rows:
                if r.household_id is None:
                    new_households.setdefault(r.household, r)
            created = self.writer.create_households(cursor, new_households)
            for r in rows:
                if r.household_id is None:
                    r.household_id = created[r.household]
            self.writer.create_residents(cursor, rows)

    def _update(self, rows: list[_Row]) -> tuple[int, int]:
        """Rows already registered in the same household: identical ones are
        left alone, others update the fields the file carries (with history
        and an UPDATED event, through the same service the web page uses)."""
        updated = unchanged = 0
        for r in rows:
            changes = self._changes(r, r.existing)
            if not changes:
                unchanged += 1
                continue
            if "care_tags" in changes:
                changes["care_tags"] = [self.tag_objects[pk] for pk in changes["care_tags"]]
            try:
                services.resident_update(resident=Resident(pk=r.existing.id), version=r.existing.version, by=self.by,
                                         **changes)
            except (services.RegistryError, services.ConflictError) as e:
                r.errors.append(str(e))
                continue
            updated += 1
        return updated, unchanged

    @staticmethod
    def _changes(r: _Row, e: _Existing) -> dict:
        changes = {}
        if r.name != e.name:
            changes["name"] = r.name
        if r.phone is not None and crypto.keyed_hash(r.phone) != e.phone_hash:
            changes["phone"] = r.phone
        for name, new, old in (("ethnicity", r.ethnicity, e.ethnicity),
                               ("residence_status", r.residence, e.residence_status),
                               ("relation", r.relation, e.relation),
                               ("moved_in_on", r.moved_in_on, e.moved_in_on),
                               ("party_member", r.party, e.party_member)):
            if new is not None and new != old:
                changes[name] = new
        if r.tags is not None and r.tags != e.tags:
            changes["care_tags"] = sorted(r.tags)
        return changes

    # -- progress ---------------------------------------------------------------------
    def _add_counts(self, counts: ImportResult) -> None:
        result = self.result
        result.accepted += counts.accepted
        result.rejected += counts.rejected
        result.unchanged += counts.unchanged
        result.updated += counts.updated

    def _save_progress(self, counts: ImportResult, fraction: float | None) -> None:
        """Inside the chunk's transaction: the counts commit with the rows."""
        result = self.result
        processed = result.processed + counts.processed
        if self.table.total is None:
            self.total = max(processed, round(processed / fraction)) if fraction else None
        if self.job is not None:
            Job.objects.filter(pk=self.job.pk).update(
                total=self.total, processed=processed, accepted=result.accepted + counts.accepted,
                rejected=result.rejected + counts.rejected)

