"""Whole-database backup and restore (SQLite and PostgreSQL).

A backup is two files:

* FILE       the dump itself: a consistent copy of the SQLite database made
             with SQLite's online backup API (safe while the app runs, WAL
             included), or a `pg_dump --format=custom` archive;
* FILE.files.tar  every stored file (work-order photos, case files, ...) read
             through Django's storage API (local disk or an S3-compatible store);
* FILE.json  the manifest: engine, time, sha256 and size of FILE, and the row
             count of every table of our apps, taken from the same snapshot
             as the dump (so a restore can be checked table by table); the
             file archive's sha256 and each file's; and the keys' canary (a
             value encrypted and one keyed-hashed under the backup-time keys).

Backups hold personal data: both files are created readable by their owner
only, and every backup is written to the access log.

Restore refuses a target that already holds data unless forced, checks
before writing anything the dump and the file archive against the manifest
(checksums, engine) and that the keys in force open the canary (otherwise
every encrypted field would fail to decrypt after a "successful" restore),
after restoring compares the row counts with the manifest, then writes the
files back through the storage (0600 files in 0700 directories on disk).
"""
from __future__ import annotations

import datetime as dt
import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

MANIFEST_FORMAT = "gongzhi-backup/1"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
ENGINE_LABELS = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
_DJANGO_ENGINES = {"django.db.backends.sqlite3": SQLITE, "django.db.backends.postgresql": POSTGRESQL}
_MAGIC = {SQLITE: b"SQLite format 3\x00", POSTGRESQL: b"PGDMP"}

# Tables filled by migrations rather than by people: rows there do not make a
# target database "not empty".
REFERENCE_TABLES = frozenset({"people_caretag"})
# Shown first in summaries and in the access log.
KEY_TABLES = ("places_place", "people_household", "people_resident", "accounts_user", "core_accesslog")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""


def _operational_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError, sqlite3.Error, subprocess.SubprocessError, DatabaseError]
    try:
        import psycopg
    except ImportError:  # SQLite-only installation
        pass
    else:
        errors.append(psycopg.Error)
    return tuple(errors)


# Failures of the file system or a database driver (disk full, permissions,
# locks ...): the commands report them without a traceback.
OPERATIONAL_ERRORS = _operational_errors()


@dataclass
class Manifest:
    engine: str
    created_at: str
    file: str
    size: int
    sha256: str
    counts: dict[str, int]
    migrations: dict[str, str] = field(default_factory=dict)
    server_version: str = ""
    tool: str = ""
    format: str = MANIFEST_FORMAT
    # A value encrypted (and one keyed-hashed) under the keys in force at backup time: a restore
    # checks that the keys in force then open it before writing anything.
    canary: dict = field(default_factory=dict)
    # The stored files (uploads, case files): FILE.files.tar with its size and sha256, and each file's.
    files: dict = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BackupError(
                f"找不到备份清单 {path}(应与备份文件放在一起)。/ "
                f"Backup manifest {path} not found (it must sit next to the backup file).") from None
        except (OSError, ValueError) as e:
            raise BackupError(f"备份清单 {path} 无法读取 / Cannot read backup manifest {path}: {e}") from None
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise BackupError(f"{path} 不是共治备份清单 / {path} is not a gongzhi backup manifest.")
        try:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except TypeError as e:
            raise BackupError(f"备份清单 {path} 不完整 / Backup manifest {path} is incomplete: {e}") from None

    def write(self, path: Path) -> None:
        text = json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        _create_private(tmp)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)

    def summary(self) -> list[tuple[str, int]]:
        """(table, rows), key tables first."""
        first = [(t, self.counts[t]) for t in KEY_TABLES if t in self.counts]
        rest = [(t, n) for t, n in sorted(self.counts.items()) if t not in KEY_TABLES]
        return first + rest


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


# --------------------------------------------------------------------------
# public API


def backup_database(*, path, overwrite: bool = False, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Dump the configured database into `path` (+ `path`.json); log it."""
    path = Path(path).expanduser().absolute()
    mpath = manifest_path(path)
    engine, settings_dict = _engine(using)
    if not overwrite:
        for p in (path, mpath):
            if p.exists():
                raise BackupError(f"{p} 已存在;如需覆盖请加 --force。/ {p} already exists; add --force to overwrite it.")
    if not path.parent.is_dir():
        raise BackupError(f"目录不存在 / Directory does not exist: {path.parent}")

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    _create_private(tmp)
    try:
        if engine == SQLITE:
            info = _sqlite_backup(settings_dict, tmp)
        else:
            info = _pg_backup(settings_dict, tmp)
        size, sha = _digest(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

    files = backup_files(files_archive_path(path), overwrite=overwrite)
    manifest = Manifest(engine=engine, created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                        file=path.name, size=size, sha256=sha, canary=make_canary(), files=files, **info)
    manifest.write(mpath)

    from gongzhi.core.access_log import access_log_write

    key_counts = " ".join(f"{t}={manifest.counts[t]}" for t in KEY_TABLES if t in manifest.counts)
    access_log_write(user=None, action="backup", target=str(path),
                     detail=f"{ENGINE_LABELS[engine]} {size} bytes sha256={sha} {key_counts}")
    from gongzhi.audit.services import AuditAction, record
    record(None, AuditAction.BACKUP, object_type="备份文件", label=str(path)[-200:],
           after={"数据库": ENGINE_LABELS[engine], "大小": size, "校验值": sha})
    return manifest


def restore_database(*, path, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Restore `path` (made by backup_database) into the configured database.

    Raises BackupError when the file or its manifest is missing or damaged,
    the engines differ, the target holds data (unless `force`), or the row
    counts after the restore differ from the manifest."""
    path = Path(path).expanduser().absolute()
    if not path.is_file():
        raise BackupError(f"找不到备份文件 / Backup file not found: {path}")
    manifest = Manifest.read(manifest_path(path))
    engine, settings_dict = _engine(using)
    if manifest.engine not in _MAGIC:
        raise BackupError(f"备份清单中的数据库类型未知 / Unknown database engine in manifest: {manifest.engine!r}")
    if manifest.engine != engine:
        src, dst = ENGINE_LABELS[manifest.engine], ENGINE_LABELS[engine]
        raise BackupError(
            f"这是 {src} 备份,不能恢复到 {dst} 数据库。/ "
            f"This is a {src} backup; it cannot be restored into a {dst} database "
            f"(DATABASE_URL points at {dst}).")
    with open(path, "rb") as f:
        head = f.read(16)
    if not head.startswith(_MAGIC[engine]):
        raise BackupError(f"{path} 不是 {ENGINE_LABELS[engine]} 备份文件 / "
                          f"{path} is not a {ENGINE_LABELS[engine]} backup file.")
    size, sha = _digest(path)
    if (size, sha) != (manifest.size, manifest.sha256):
        raise BackupError(f"备份文件与清单不符(文件损坏或被改动)。/ "
                          f"{path} does not match its manifest (sha256/size differ): the file is damaged or altered.")
    # Before anything is written: the keys in force must open what the backup holds, and every stored file
    # must be there as it was backed up.
    check_canary(manifest.canary)
    check_files(path, manifest.files)

    connections[using].close()
    if engine == SQLITE:
        counts = _sqlite_restore(settings_dict, path, manifest, force)
    else:
        counts = _pg_restore(settings_dict, path, manifest, force)

    bad = [(t, n, counts.get(t)) for t, n in manifest.counts.items() if counts.get(t) != n]
    if bad:
        lines = "; ".join(f"{t}: {n} → {'缺表 missing' if got is None else got}" for t, n, got in bad)
        raise BackupError(f"恢复后行数与备份清单不符 / Row counts after restore differ from the manifest: {lines}")
    restore_files(path, manifest.files)

    from gongzhi.core.access_log import access_log_write

    access_log_write(user=None, action="backup", target=f"restore:{path}",
                     detail=f"restored {ENGINE_LABELS[engine]} backup of {manifest.created_at} sha256={sha}")
    from gongzhi.audit.services import AuditAction, record
    record(None, AuditAction.RESTORE, object_type="备份文件", label=str(path)[-200:],
           after={"数据库": ENGINE_LABELS[engine], "备份时间": manifest.created_at, "校验值": sha})
    return manifest


def table_checksums(using: str = DEFAULT_DB_ALIAS) -> dict[str, tuple[int, str]]:
    """table → (rows, md5 of its rows' text, independent of their order), for every table of ours:
    what a restore drill compares before the damage and after the restore."""
    connection = connections[using]
    tables = [t for t in our_tables() if t in set(connection.introspection.table_names())]
    result = {}
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT COUNT(*), md5(COALESCE(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) "
                               f"FROM {qn(table)} t")
                result[table] = tuple(cursor.fetchone())
            else:
                cursor.execute(f"SELECT * FROM {qn(table)}")
                rows = sorted(hashlib.md5(repr(tuple(r)).encode()).hexdigest() for r in cursor.fetchall())
                result[table] = (len(rows), hashlib.md5("".join(rows).encode()).hexdigest())
    return result


def pending_migrations(using: str = DEFAULT_DB_ALIAS) -> tuple[list[str], list[str]]:
    """(migrations this code has but the database lacks, applied ones this code does not know)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unknown = sorted(f"{a}.{n}" for a, n in executor.loader.applied_migrations
                     if (a, n) not in executor.loader.disk_migrations)
    return [f"{m.app_label}.{m.name}" for m, _ in plan], unknown


# --------------------------------------------------------------------------
# the keys' canary

CANARY_TEXT = "gongzhi backup canary 共治备份密钥校验"
ERR_CANARY_ENCRYPTION = (
    "当前的加密密钥(GONGZHI_ENCRYPTION_KEY,编号 {current})打不开这份备份:备份时的密钥编号是 {backup}。"
    "恢复后身份证号、电话等加密字段将无法读取,因此未写入任何数据。请用备份时的密钥运行恢复,"
    "或把备份时的密钥加入 GONGZHI_ENCRYPTION_OLD_KEYS。/ The encryption keys in force do not decrypt this "
    "backup's canary (backup key id {backup}); nothing was written.")
ERR_CANARY_HMAC = (
    "当前的检索密钥(GONGZHI_HMAC_KEY)与备份时的不同:恢复后按身份证号、电话查找居民将全部找不到,"
    "因此未写入任何数据。请用备份时的 GONGZHI_HMAC_KEY 运行恢复。/ The HMAC key in force differs from the "
    "backup's; nothing was written.")


def make_canary() -> dict:
    from gongzhi.core import crypto

    return {"encrypted": crypto.encrypt(CANARY_TEXT), "hmac": crypto.keyed_hash(CANARY_TEXT),
            "key_id": crypto.keyring().current_hex}


def check_canary(canary: dict) -> None:
    """Refuses (BackupError) when the keys in force would not read the backup's encrypted fields.
    A backup made before canaries existed has none: nothing to check."""
    if not canary:
        return
    from gongzhi.core import crypto

    try:
        opened = crypto.decrypt(canary["encrypted"])
    except (crypto.CryptoError, KeyError):
        opened = None
    if opened != CANARY_TEXT:
        raise BackupError(ERR_CANARY_ENCRYPTION.format(current=crypto.keyring().current_hex,
                                                       backup=canary.get("key_id", "?")))
    if canary.get("hmac") != crypto.keyed_hash(CANARY_TEXT):
        raise BackupError(ERR_CANARY_HMAC)


# --------------------------------------------------------------------------
# the stored files (Django's default storage: local disk or an S3-compatible store)


def files_archive_path(path: Path) -> Path:
    return path.with_name(path.name + ".files.tar")


def _storage_names(storage, directory: str = "") -> list[str]:
    """Every file name in the storage, recursively, sorted."""
    try:
        dirs, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [f"{directory}/{f}" if directory else f for f in files]
    for d in dirs:
        names += _storage_names(storage, f"{directory}/{d}" if directory else d)
    return sorted(names)


def backup_files(archive: Path, *, overwrite: bool = False) -> dict:
    """Every file of the default storage into `archive` (a tar, 0600), read through the storage API
    (so an S3-compatible store is backed up the same way); returns the manifest's `files` part."""
    import tarfile

    from django.core.files.storage import default_storage

    from gongzhi.core import job_files

    if archive.exists() and not overwrite:
        raise BackupError(f"{archive} 已存在;如需覆盖请加 --force。/ {archive} already exists; add --force.")
    tmp = archive.with_name(f".{archive.name}.{os.getpid()}.tmp")
    _create_private(tmp)
    entries = []
    try:
        with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
            for name in _storage_names(default_storage):
                if name.startswith(f"{job_files.PREFIX}/"):
                    continue  # a queued job's transient files (an upload, an export): not kept
                with default_storage.open(name, "rb") as fh:
                    data = fh.read()
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), 0o600
                tar.addfile(info, io.BytesIO(data))
                entries.append({"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        size, sha = _digest(tmp)
        os.replace(tmp, archive)
    finally:
        tmp.unlink(missing_ok=True)
    return {"archive": archive.name, "size": size, "sha256": sha, "count": len(entries), "entries": entries}


ERR_FILES_DAMAGED = ("备份中的文件包 {archive} 已损坏或被改动({why}),未写入任何数据。/ "
                     "The backup's file archive {archive} is damaged or altered ({why}); nothing was written.")


def check_files(path: Path, files: dict) -> None:
    """The file archive is there and matches the manifest, and each file in it matches its checksum."""
    if not files:
        return
    import tarfile

    archive = path.with_name(files["archive"])
    if not archive.is_file():
        raise BackupError(ERR_FILES_DAMAGED.format(archive=archive, why="找不到 not found"))
    if _digest(archive) != (files["size"], files["sha256"]):
        raise BackupError(ERR_FILES_DAMAGED.format(archive=archive, why="校验值不符 sha256 differs"))
    expected = {e["name"]: e["sha256"] for e in files["entries"]}
    with tarfile.open(archive, "r") as tar:
        for member in tar:
            if not member.isfile() or member.name not in expected:
                raise BackupError(ERR_FILES_DAMAGED.format(archive=archive, why=f"多出 {member.name}"))
            if hashlib.sha256(tar.extractfile(member).read()).hexdigest() != expected.pop(member.name):
                raise BackupError(ERR_FILES_DAMAGED.format(archive=archive, why=f"{member.name} 校验值不符"))
    if expected:
        raise BackupError(ERR_FILES_DAMAGED.format(archive=archive, why=f"缺少 {next(iter(expected))}"))


def restore_files(path: Path, files: dict) -> int:
    """Writes the backup's files into the default storage (replacing a file of the same name).
    On local disk they are created 0600 in 0700 directories (FILE_UPLOAD_*PERMISSIONS)."""
    if not files:
        return 0
    import tarfile

    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from django.core.files.storage import FileSystemStorage, storages

    root = default_storage.location if isinstance(storages["default"], FileSystemStorage) else None
    if root:  # local disk: the media directory itself is private too
        from gongzhi.core.uploads import private_dir
        private_dir(Path(root))
    count = 0
    with tarfile.open(path.with_name(files["archive"]), "r") as tar:
        for member in tar:
            data = tar.extractfile(member).read()
            if default_storage.exists(member.name):
                default_storage.delete(member.name)
            saved = default_storage.save(member.name, ContentFile(data))
            if saved != member.name:
                raise BackupError(f"文件 {member.name} 恢复后的名字变成了 {saved} / restored under another name")
            if root:
                # directories made by the storage follow FILE_UPLOAD_DIRECTORY_PERMISSIONS; an older one is fixed
                directory = Path(default_storage.path(member.name)).parent
                while directory != Path(root) and directory.stat().st_mode & 0o077:
                    os.chmod(directory, settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS or 0o700)
                    directory = directory.parent
            count += 1
    return count


# --------------------------------------------------------------------------
# helpers shared by both engines


def our_tables() -> list[str]:
    """Tables of the gongzhi apps, incl. many-to-many and history tables."""
    tables = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        for model in config.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return sorted(tables)


def _engine(using: str) -> tuple[str, dict]:
    settings_dict = connections[using].settings_dict
    engine = _DJANGO_ENGINES.get(settings_dict["ENGINE"])
    if engine is None:
        raise BackupError(f"不支持的数据库 / Unsupported database engine: {settings_dict['ENGINE']}")
    return engine, settings_dict


def _create_private(path: Path) -> None:
    """Create (or truncate) `path` readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _digest(path: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _data_tables(counts: dict[str, int]) -> list[str]:
    """Tables of ours that hold rows people entered (the target is 'not empty')."""
    ours = set(our_tables())
    tables = [t for t, n in counts.items() if n and t in ours and t not in REFERENCE_TABLES]
    tables.sort(key=lambda t: (KEY_TABLES.index(t) if t in KEY_TABLES else len(KEY_TABLES), t))
    return [f"{t} ({counts[t]})" for t in tables]


def _refuse_not_empty(where: str, tables: list[str]) -> None:
    shown = ", ".join(tables[:6]) + (" …" if len(tables) > 6 else "")
    raise BackupError(
        f"目标数据库 {where} 不是空的(已有数据:{shown}),恢复会覆盖这些数据;确认要覆盖请加 --force。/ "
        f"The target database {where} is not empty (rows in: {shown}); restoring would overwrite it. "
        f"Add --force if that is what you want.")


# --------------------------------------------------------------------------
# SQLite


def _sqlite_path(settings_dict) -> Path:
    name = str(settings_dict["NAME"] or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"只支持文件形式的 SQLite 数据库 / Only file-based SQLite databases are supported: {name!r}")
    return Path(name).expanduser().absolute()


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    counts = {}
    for table in sorted(present):
        if table.startswith("sqlite_"):
            continue
        counts[table] = db.execute(f'SELECT COUNT(*) FROM "{table.replace(chr(34), chr(34) * 2)}"').fetchone()[0]
    return counts


def _sqlite_migrations(db: sqlite3.Connection) -> dict[str, str]:
    try:
        rows = db.execute("SELECT app, name FROM django_migrations ORDER BY id").fetchall()
    except sqlite3.Error:
        return {}
    return _last_migrations(rows)


def _last_migrations(rows) -> dict[str, str]:
    last: dict[str, str] = {}
    for app, name in rows:
        if app not in last or name > last[app]:
            last[app] = name
    return dict(sorted(last.items()))


def _sqlite_backup(settings_dict, tmp: Path) -> dict:
    source = _sqlite_path(settings_dict)
    if not source.is_file():
        raise BackupError(f"找不到数据库文件 / Database file not found: {source}")
    with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(tmp)) as dst:
        # One step (pages=-1): a single read transaction, i.e. one consistent
        # snapshot; with WAL the app keeps writing meanwhile.
        src.backup(dst)
        # A self-contained single file (no -wal next to it).
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"备份副本校验失败 / The copy failed SQLite's quick_check: {check}")
        ours = set(our_tables())
        counts = {t: n for t, n in _sqlite_counts(dst).items() if t in ours}
        migrations = _sqlite_migrations(dst)
    return {"counts": counts, "migrations": migrations, "server_version": sqlite3.sqlite_version,
            "tool": f"sqlite3 backup API {sqlite3.sqlite_version}"}


def _sqlite_restore(settings_dict, path: Path, manifest: Manifest, force: bool) -> dict[str, int]:
    target = _sqlite_path(settings_dict)
    if target.exists() and target.stat().st_size and not force:
        with closing(sqlite3.connect(target, timeout=30)) as db:
            tables = _data_tables(_sqlite_counts(db))
        if tables:
            _refuse_not_empty(str(target), tables)
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(target, timeout=30)) as dst:
        # Replaces the whole target database in one write transaction; other
        # connections (a running server) see either the old or the new data.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    with closing(sqlite3.connect(target, timeout=30)) as db:
        return _sqlite_counts(db)


# --------------------------------------------------------------------------
# PostgreSQL

# OPTIONS keys that are Django's or psycopg's, not libpq connection parameters.
_NOT_LIBPQ = {"assume_role", "isolation_level", "pool", "server_side_binding", "prepare_threshold",
              "cursor_factory", "context"}


def _pg_params(settings_dict) -> dict:
    params = {"dbname": settings_dict["NAME"] or "postgres"}
    for key, libpq in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
        if settings_dict.get(key):
            params[libpq] = str(settings_dict[key])
    for key, value in (settings_dict.get("OPTIONS") or {}).items():
        if key not in _NOT_LIBPQ and isinstance(value, (str, int)):
            params[key] = str(value)
    return params


def _pg_connect(settings_dict, **kw):
    import psycopg

    try:
        return psycopg.connect(**_pg_params(settings_dict), **kw)
    except psycopg.Error as e:
        raise BackupError(f"无法连接 PostgreSQL / Cannot connect to PostgreSQL: {e}") from None


def _pg_command(settings_dict, tool: str, args: list[str]) -> tuple[list[str], dict]:
    """argv and environment for a client tool: the password only in PGPASSWORD."""
    from psycopg.conninfo import make_conninfo

    params = _pg_params(settings_dict)
    env = dict(os.environ)
    password = params.pop("password", None)
    if password is not None:
        env["PGPASSWORD"] = password
    return [tool, "--no-password", f"--dbname={make_conninfo(**params)}", *args], env


def _tool_version(exe: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(\d+)(?:\.(\d+))?", out)
    return (int(m.group(1)), int(m.group(2) or 0)) if m else None


def find_pg_tool(name: str, server_major: int | None = None) -> tuple[str, tuple[int, ...]]:
    """The newest `name` (pg_dump, pg_restore) on PATH or in /usr/lib/postgresql/*/bin
    (or in $GONGZHI_PG_BIN); it must be at least the server's major version."""
    candidates = []
    if os.environ.get("GONGZHI_PG_BIN"):
        candidates.append(str(Path(os.environ["GONGZHI_PG_BIN"]) / name))
    if shutil.which(name):
        candidates.append(shutil.which(name))
    candidates += glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    found = []
    for exe in dict.fromkeys(candidates):
        if os.access(exe, os.X_OK) and (version := _tool_version(exe)):
            found.append((version, exe))
    if not found:
        raise BackupError(f"找不到 {name}:请安装 PostgreSQL 客户端(postgresql-client)。/ "
                          f"{name} not found: install the PostgreSQL client tools (postgresql-client).")
    version, exe = max(found)
    if server_major and version[0] < server_major:
        raise BackupError(f"{exe} 的版本 {version[0]} 低于数据库服务器版本 {server_major}。/ "
                          f"{exe} is version {version[0]}, older than the server ({server_major}); "
                          f"install postgresql-client-{server_major} or newer.")
    return exe, version


def _pg_counts(cur) -> dict[str, int]:
    from psycopg import sql

    cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')")
    counts = {}
    for (table,) in sorted(cur.fetchall()):
        cur.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cur.fetchone()[0]
    return counts


def _pg_server_version(conn) -> str:
    v = conn.info.server_version  # e.g. 150018
    return f"{v // 10000}.{v % 10000}"


def _pg_backup(settings_dict, tmp: Path) -> dict:
    import psycopg

    with _pg_connect(settings_dict) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        server_version = _pg_server_version(conn)
        exe, version = find_pg_tool("pg_dump", conn.info.server_version // 10000)
        with conn.cursor() as cur:
            # Count rows and dump from one snapshot, so the manifest describes
            # exactly what is in the dump even while the app keeps writing.
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            ours = set(our_tables())
            counts = {t: n for t, n in _pg_counts(cur).items() if t in ours}
            try:
                cur.execute("SELECT app, name FROM django_migrations ORDER BY id")
                migrations = _last_migrations(cur.fetchall())
            except psycopg.errors.UndefinedTable:
                raise BackupError("数据库尚未初始化(没有 django_migrations 表)。/ "
                                  "The database has not been migrated (no django_migrations table).") from None
            argv, env = _pg_command(settings_dict, exe, [
                "--format=custom", f"--snapshot={snapshot}", f"--file={tmp}"])
            proc = subprocess.run(argv, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise BackupError(f"pg_dump 失败 / pg_dump failed (exit {proc.returncode}): {proc.stderr.strip()}")
        conn.rollback()
    return {"counts": counts, "migrations": migrations, "server_version": server_version,
            "tool": f"pg_dump {'.'.join(map(str, version))}"}


def _pg_restore(settings_dict, path: Path, manifest: Manifest, force: bool) -> dict[str, int]:
    with _pg_connect(settings_dict, autocommit=True) as conn, conn.cursor() as cur:
        server_major = conn.info.server_version // 10000
        existing = _pg_counts(cur)
    if existing and not force:
        tables = _data_tables(existing)
        if tables:
            _refuse_not_empty(str(settings_dict["NAME"]), tables)
    exe, _version = find_pg_tool("pg_restore", server_major)
    # One transaction: a failed restore leaves the target as it was. Objects
    # are owned by, and granted as, the connecting role of this server.
    args = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if existing:
        args += ["--clean", "--if-exists"]
    argv, env = _pg_command(settings_dict, exe, [*args, str(path)])
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"pg_restore 失败,数据库未改动 / pg_restore failed, the database is unchanged "
                          f"(exit {proc.returncode}): {proc.stderr.strip()}")
    with _pg_connect(settings_dict, autocommit=True) as conn, conn.cursor() as cur:
        return _pg_counts(cur)
