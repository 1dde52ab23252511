"""Re-encryption of every encrypted column under the current key, while the platform serves
(`gongzhi rotate_keys`; docs/security.md, "Key rotation").

The modules say which columns hold `core.crypto` tokens in their manifests,
``extras={"encrypted_fields": (("people.Resident", ("id_number_enc", "phone_enc")), ...)}``,
history models included; the kernel names none of them.

A column is walked in primary-key order, a batch at a time, reading only the tokens that are
not yet v2 under the current key (their first six base64 characters differ from the current
key's prefix: `crypto.current_prefix`), so a second run reads nothing and an interrupted run
resumes where it stopped. Each batch is one transaction; each row is written with
an UPDATE filtered on its primary key *and the token that was read* (compare-and-set):
no save() signals, no history rows, no modification time, and an edit made meanwhile is never
overwritten (that row is left for the next run). The plaintext never changes, and neither do the
keyed hashes beside it (they use GONGZHI_HMAC_KEY, which this does not rotate).
"""
from __future__ import annotations

import base64
import time
from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, router, transaction
from django.db.models.functions import Substr

from gongzhi.core import crypto, modules

REGISTRY_KEY = "encrypted_fields"
ERR_REGISTRY = "模块声明的加密字段 {what} 不存在:{why}"
V1_LABEL = "旧格式(无密钥编号)"
_PREFIX = "gz_key_prefix"
_HEAD = "gz_key_head"


@dataclass(frozen=True)
class Column:
    model: type[models.Model]
    field: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    def rows(self) -> models.QuerySet:
        """Every row holding a token in this column (the base manager: nothing filtered away)."""
        return (self.model._base_manager.filter(**{f"{self.field}__isnull": False})
                .exclude(**{self.field: ""}))

    def pending(self) -> models.QuerySet:
        """Rows whose token is not v2 under the current key (a case-sensitive comparison on
        both engines: SQLite's LIKE would ignore case, and base64 does not)."""
        return (self.rows().annotate(**{_PREFIX: Substr(self.field, 1, 6)})
                .exclude(**{_PREFIX: crypto.current_prefix()}))


def columns() -> list[Column]:
    """The encrypted columns the modules registered, in registration order."""
    out = []
    for label, fields in modules.extras(REGISTRY_KEY):
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError) as e:
            raise LookupError(ERR_REGISTRY.format(what=label, why=e)) from None
        for name in fields:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist as e:
                raise LookupError(ERR_REGISTRY.format(what=f"{label}.{name}", why=e)) from None
            out.append(Column(model, name))
    return out


@dataclass
class BatchResult:
    changed: int = 0
    conflicts: int = 0  # changed by someone else between read and write: left as it is
    unreadable: Counter = field(default_factory=Counter)  # reason -> rows (unknown key id, corrupt)
    unreadable_pks: list = field(default_factory=list)


def _unreadable_reason(error: crypto.CryptoError) -> str:
    if isinstance(error, crypto.UnknownKeyError):
        return f"未配置的密钥 {error.key_id}" if error.key_id else f"{V1_LABEL},未配置的密钥"
    return str(error)


def rotate_rows(column: Column, rows: list[tuple], *, dry_run: bool = False) -> BatchResult:
    """Re-encrypt one batch of (pk, token) pairs as read, in one transaction; compare-and-set on
    the token read, so a row edited since is not touched."""
    result = BatchResult()
    todo = []
    for pk, token in rows:
        if not token or crypto.is_current(token):
            continue
        try:
            todo.append((pk, token, crypto.reencrypt(token)))
        except crypto.CryptoError as e:
            result.unreadable[_unreadable_reason(e)] += 1
            result.unreadable_pks.append(pk)
    if dry_run:
        result.changed = len(todo)
        return result
    if todo:
        db = router.db_for_write(column.model)
        with transaction.atomic(using=db), connections[db].cursor() as cursor:
            cursor.executemany(_cas_sql(column, connections[db]), [(new, pk, old) for pk, old, new in todo])
            written = cursor.rowcount  # the sum over the rows, on sqlite3 and psycopg alike
        result.changed, result.conflicts = written, len(todo) - written
    return result


def _cas_sql(column: Column, connection) -> str:
    """UPDATE of one row's token, only while it still holds the token that was read (compare-and-set).
    Plain SQL run with executemany: the ORM would spend far longer compiling one statement a row
    than the database spends running it."""
    q = connection.ops.quote_name
    meta = column.model._meta
    col = q(meta.get_field(column.field).column)
    return f"UPDATE {q(meta.db_table)} SET {col} = %s WHERE {q(meta.pk.column)} = %s AND {col} = %s"


@dataclass
class ColumnResult:
    column: Column
    total: int  # tokens in the column
    pending: int  # not under the current key when the run started
    changed: int = 0
    conflicts: int = 0
    unreadable: Counter = field(default_factory=Counter)
    unreadable_pks: list = field(default_factory=list)
    remaining: int = 0  # not under the current key when the run ended


def rotate_column(column: Column, *, batch: int = 2000, dry_run: bool = False, pause: float = 0.0,
                  progress=None) -> ColumnResult:
    """Walk one column in primary-key order; `progress(result)` after each batch."""
    total = column.rows().count()
    result = ColumnResult(column=column, total=total, pending=column.pending().count())
    last_pk = None
    while True:
        qs = column.pending().order_by("pk")
        if last_pk is not None:
            qs = qs.filter(pk__gt=last_pk)
        rows = list(qs.values_list("pk", column.field)[:batch])
        if not rows:
            break
        one = rotate_rows(column, rows, dry_run=dry_run)
        result.changed += one.changed
        result.conflicts += one.conflicts
        result.unreadable.update(one.unreadable)
        result.unreadable_pks.extend(one.unreadable_pks[:20 - len(result.unreadable_pks)])
        last_pk = rows[-1][0]
        if progress:
            progress(result)
        if pause:
            time.sleep(pause)
    result.remaining = result.pending if dry_run else column.pending().count()
    return result


def _second_chars(version: int) -> list[str]:
    """The base64 characters a token's second character can be for one version byte (the first is
    always "A": version bytes are below 4)."""
    return sorted({base64.b64encode(bytes([version, b, 0]))[1:2].decode() for b in range(256)})


def census(column: Column) -> Counter:
    """Tokens of one column by the key that opens them: hex key id, "<id> (v1)" for old-format
    tokens (attributed by trying the keys), or the reason one cannot be read. v2 tokens are counted
    by the database, grouped on their first 8 base64 characters (version, key id, one nonce byte);
    only v1 tokens, which name no key, are read row by row."""
    counts: Counter = Counter()
    first = {_HEAD: Substr(column.field, 1, 1), _PREFIX: Substr(column.field, 2, 1)}
    v2 = column.rows().annotate(**first).filter(**{_HEAD: "A", f"{_PREFIX}__in": _second_chars(crypto.V2)})
    v1 = column.rows().annotate(**first).filter(**{_HEAD: "A", f"{_PREFIX}__in": _second_chars(crypto.V1)})
    seen = 0
    for row in (v2.annotate(gz_key_8=Substr(column.field, 1, 8)).values("gz_key_8")
                .annotate(n=models.Count("pk")).order_by()):
        seen += row["n"]
        try:
            raw = base64.b64decode(row["gz_key_8"], validate=True)
        except ValueError:
            raw = b""
        if len(raw) == 6:
            counts[raw[1:1 + crypto.KEY_ID_BYTES].hex()] += row["n"]
        else:
            counts["密文格式无效"] += row["n"]
    for token in v1.values_list(column.field, flat=True).iterator(chunk_size=2000):
        seen += 1
        try:
            counts[f"{crypto.decrypt_with_key_id(token)[1]} (v1)"] += 1
        except crypto.CryptoError as e:
            counts[_unreadable_reason(e)] += 1
    other = column.rows().count() - seen
    if other:
        counts["密文格式无效"] += other
    return counts
