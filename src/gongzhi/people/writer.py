"""The one writer of new households and residents: a registration on a page
(one row) and an import (a chunk of thousands) both create them here, with the
same history rows (as simple-history records a creation: history_type "+",
with the care-tag snapshot) and the same event row (REGISTERED or IMPORTED),
one executemany (COPY on PostgreSQL) per table. Changes to existing residents
go through people.services (resident_update and the life events).

Why not the ORM for writing: Django's bulk_create (and simple-history's
bulk_create_with_history on top of it) costs ≈180 µs per resident with its
history and event rows, ten times the budget. The rows are built already in
database form and written with one executemany per table (COPY on
PostgreSQL), with the same history rows simple-history would write
(history_type "+", with the care-tag snapshot), the ids reserved first so
no row has to be read back. Also here: the SQLite settings used while
importing.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from operator import itemgetter

from django.apps import apps
from django.db import connection
from django.utils import timezone

from gongzhi.people.models import EventKind, Household, HouseholdStatus, PersonStatus, Resident, ResidentEvent

CHANGE_REASON = "导入"  # the history's change reason of imported rows


class NewResident:
    """What the writer reads of a resident to create (the importer's parsed row has the same attributes)."""
    __slots__ = ("name", "pinyin", "birth", "sex", "ethnicity", "residence", "household_id", "relation",
                 "dwelling_id", "community_id", "grid_id", "moved_in_on", "party", "protected", "tags", "event")

    def __init__(self, **values):
        for name in self.__slots__:
            setattr(self, name, values.get(name))


class _Inserter:
    """INSERT … VALUES for one model through executemany, with the primary
    keys reserved first so that history, event and tag rows can point at the
    new rows without reading them back."""

    def __init__(self, model):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.values = itemgetter(*[f.attname for f in self.fields])
        qn = connection.ops.quote_name
        self.table, self.pk = model._meta.db_table, model._meta.pk.column
        columns = ", ".join(qn(f.column) for f in self.fields)
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(qn(self.table), columns, ", ".join(["%s"] * len(self.fields)))
        self.copy_sql = f"COPY {qn(self.table)} ({columns}) FROM STDIN"

    def reserve(self, cursor, n: int) -> list[int]:
        if not n:
            return []
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [self.table, self.pk, n])
            return [r[0] for r in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The chunk's transaction began IMMEDIATE: we hold the write lock,
            # nobody else can take these numbers. sqlite_sequence keeps
            # AUTOINCREMENT's promise never to reuse an id.
            qn = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({qn(self.pk)}) FROM {qn(self.table)}")
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            seq = cursor.fetchone()
            top = max(top, seq[0] if seq else 0)
            return list(range(top + 1, top + n + 1))
        raise NotImplementedError(f"import does not support the {connection.vendor} database")

    def insert(self, cursor, rows: list[dict]) -> None:
        if not rows:
            return
        for f in self.fields:  # a field added to the model later gets its default
            if f.attname not in rows[0]:
                default = f.get_db_prep_save(f.get_default(), connection)
                for row in rows:
                    row[f.attname] = default
        if connection.vendor == "postgresql":
            # COPY: Django's psycopg cursor would render every value as SQL
            # text in Python, which is four times slower than the rest put together.
            with cursor.cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(self.values(row))
        else:
            cursor.executemany(self.sql, [self.values(row) for row in rows])


class RegistryWriter:
    """Turns checked rows into database rows: households, residents, their
    history (as simple-history records it), care tags and their creation events.
    `event_kind` and `reason`: IMPORTED and 导入 for an import (each row's event
    names the file and row), REGISTERED and no reason for a registration."""

    def __init__(self, *, by, today: dt.date, source_name: str = "", event_kind: str = EventKind.IMPORTED,
                 reason: str | None = CHANGE_REASON):
        ops = connection.ops
        self.by_id = by.pk if by is not None and getattr(by, "pk", None) else None
        self.source_name = source_name
        self.today = today
        self.event_kind, self.reason = event_kind, reason
        self.date = ops.adapt_datefield_value
        self.json = ResidentEvent._meta.get_field("detail").get_db_prep_save
        tags_through = Resident.care_tags.through
        self.households = _Inserter(Household)
        self.household_history = _Inserter(Household.history.model)
        self.residents = _Inserter(Resident)
        self.resident_history = _Inserter(Resident.history.model)
        self.events = _Inserter(ResidentEvent)
        self.tags = _Inserter(tags_through)
        self.tag_history = _Inserter(apps.get_model("people", f"Historical{Resident.__name__}_care_tags"))

    def _history(self, row: dict, history_id: int, now) -> dict:
        return {**row, "history_id": history_id, "history_date": now, "history_change_reason": self.reason,
                "history_type": "+", "history_user_id": self.by_id}

    def create_households(self, cursor, new: dict) -> dict[str, int]:
        """number → id of new households; `new` maps each number to a row giving its
        community_id, grid_id and dwelling_id (an import's first row of the household)."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        ids = self.households.reserve(cursor, len(new))
        history_ids = self.household_history.reserve(cursor, len(new))
        rows, history = [], []
        for (number, first), pk, hid in zip(new.items(), ids, history_ids):
            row = {"id": pk, "number": number, "community_id": first.community_id, "grid_id": first.grid_id,
                   "dwelling_id": first.dwelling_id, "status": HouseholdStatus.ACTIVE.value, "created_at": now}
            rows.append(row)
            history.append(self._history(row, hid, now))
        self.households.insert(cursor, rows)
        self.household_history.insert(cursor, history)
        return dict(zip(new, ids))

    def create_residents(self, cursor, rows: list) -> list[int]:
        """The new residents' ids, in the order of `rows` (NewResident or the importer's rows).
        A row's `event` is its event's detail; an import row's detail names the file and row."""
        if not rows:
            return []
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        date, json = self.date, self.json
        ids = self.residents.reserve(cursor, len(rows))
        history_ids = self.resident_history.reserve(cursor, len(rows))
        event_ids = self.events.reserve(cursor, len(rows))
        fixed = {"status": PersonStatus.ACTIVE.value, "status_changed_on": None, "version": 1, "created_at": now,
                 "updated_at": now}
        residents, history, events, tag_rows = [], [], [], []
        for r, pk, hid, eid in zip(rows, ids, history_ids, event_ids):
            pinyin, initials = r.pinyin
            resident = {
                "id": pk, "name": r.name, "name_pinyin": pinyin, "name_initials": initials,
                "birth_date": date(r.birth), "sex": r.sex, "ethnicity": r.ethnicity, "residence_status": r.residence,
                "household_id": r.household_id, "relation": r.relation, "dwelling_id": r.dwelling_id,
                "community_id": r.community_id, "grid_id": r.grid_id, "moved_in_on": date(r.moved_in_on),
                "party_member": bool(r.party), **fixed, **r.protected,
            }
            residents.append(resident)
            history.append(self._history(resident, hid, now))
            detail = getattr(r, "event", None) or {"household": r.household, "file": self.source_name,
                                                    "row": r.number}
            events.append({"id": eid, "resident_id": pk, "kind": str(self.event_kind),
                           "occurred_on": date(r.moved_in_on or self.today), "recorded_at": now,
                           "recorded_by_id": self.by_id,
                           "detail": json(detail, connection)})
            if r.tags:
                tag_rows.extend((pk, hid, tag) for tag in sorted(r.tags))
        self.residents.insert(cursor, residents)
        self.resident_history.insert(cursor, history)
        self.events.insert(cursor, events)
        self._create_tags(cursor, tag_rows)
        return ids

    def _create_tags(self, cursor, tag_rows: list[tuple[int, int, int]]) -> None:
        """Through rows, and their copy in the history snapshot taken at creation."""
        ids = self.tags.reserve(cursor, len(tag_rows))
        history_ids = self.tag_history.reserve(cursor, len(tag_rows))
        through, history = [], []
        for (resident, resident_history, tag), pk, mid in zip(tag_rows, ids, history_ids):
            through.append({"id": pk, "resident_id": resident, "caretag_id": tag})
            history.append({"m2m_history_id": mid, "id": pk, "resident_id": resident, "caretag_id": tag,
                            "history_id": resident_history})
        self.tags.insert(cursor, through)
        self.tag_history.insert(cursor, history)


# While importing, SQLite gets a larger page cache (every row adds to a dozen
# indexes keyed by random hashes: with the default 2 MB each of those is a
# read from the file once the table is large) and checkpoints its WAL less
# often (a page changed by several chunks is then copied back once).
SQLITE_IMPORT_PRAGMAS = {"cache_size": -64 * 1024, "wal_autocheckpoint": 10_000}


@contextmanager
def _sqlite_tuned():
    """SQLITE_IMPORT_PRAGMAS for this connection while importing, restored after."""
    if connection.vendor != "sqlite":
        yield
        return
    before = {}
    with connection.cursor() as cursor:
        for name, value in SQLITE_IMPORT_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")
