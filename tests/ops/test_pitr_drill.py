"""The point-in-time recovery of docs/operations.md ("PostgreSQL at scale: the native way"), done for
real on a private PostgreSQL cluster: WAL archiving on, a base backup with pg_basebackup, rows written
before and after a target time, then the documented restore — base and WAL tars unpacked into a new
data directory, restore_command and recovery_target_time, recovery.signal — and the recovered server
holds exactly the rows written before the target. PostgreSQL only (the embedded SQLite database is
backed up with `gongzhi backup`)."""
import glob
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis", "pgsql"))
    or not glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"),
    reason="PostgreSQL's own point-in-time recovery; the test command installs its binaries for the PostgreSQL run")

BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))[-1]) \
    if glob.glob("/usr/lib/postgresql/*/bin") else None
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(*args, **kw) -> str:
    return subprocess.run(AS_POSTGRES + [str(a) for a in args], check=True, capture_output=True, text=True,
                          cwd="/", timeout=120, **kw).stdout


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sql(port: int, sql: str) -> str:
    return _run(BIN / "psql", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-d", "postgres", "-XAtq",
                "-v", "ON_ERROR_STOP=1", "-c", sql).strip()


def _start(data: Path, port: int, *options: str) -> None:
    opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {data.parent / 'sock'} " + " ".join(options)
    _run(BIN / "pg_ctl", "-D", data, "-l", data.parent / f"{data.name}.log", "-w", "-t", "60", "start", "-o", opts)


def _stop(data: Path) -> None:
    subprocess.run(AS_POSTGRES + [str(BIN / "pg_ctl"), "-D", str(data), "stop", "-m", "fast", "-w"], cwd="/",
                   capture_output=True, timeout=60)


@pytest.fixture
def drill():
    # not under pytest's own temporary folder: that one is private to root, and the postgres user must
    # reach the drill's directories; a folder of its own in the system's temporary directory, given to it
    root = Path(tempfile.mkdtemp(prefix="gongzhi-pitr-"))
    for name in ("wal", "base", "sock"):
        (root / name).mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        for name in ("wal", "base", "sock"):
            shutil.chown(root / name, "postgres", "postgres")
    yield root
    for data in (root / "primary", root / "restored"):
        if (data / "postmaster.pid").exists():
            _stop(data)
    shutil.rmtree(root, ignore_errors=True)


def test_point_in_time_recovery_as_documented(drill):
    primary, wal = drill / "primary", drill / "wal"
    _run(BIN / "initdb", "-D", primary, "--username=postgres", "--auth=trust", "--encoding=UTF8", "--locale=C")
    port = _port()
    with open(primary / "postgresql.conf", "a") as conf:  # the documentation's postgresql.conf lines
        conf.write("wal_level = replica\narchive_mode = on\n"
                   f"archive_command = 'test ! -f {wal}/%f && cp %p {wal}/%f'\n")
    _start(primary, port)
    _sql(port, "CREATE TABLE ledger (id int PRIMARY KEY, note text)")
    _sql(port, "INSERT INTO ledger VALUES (1, '基础备份之前')")
    base = drill / "base" / "weekly"
    _run(BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "-D", base, "-Ft", "-z", "-Xs")
    _sql(port, "INSERT INTO ledger VALUES (2, '目标时间之前')")
    time.sleep(1.1)
    target = _sql(port, "SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS.US TZH')")
    time.sleep(1.1)
    _sql(port, "INSERT INTO ledger VALUES (3, '目标时间之后:误删之类的操作')")
    # archive_timeout's job, done at once: close the segment holding row 3 and wait for its archive
    closed = _sql(port, "SELECT pg_walfile_name(pg_switch_wal())")
    deadline = time.monotonic() + 60
    while _sql(port, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") < closed:
        assert time.monotonic() < deadline, f"WAL segment {closed} was not archived"
        time.sleep(0.2)
    _stop(primary)

    # the documented restore, on a new data directory
    restored = drill / "restored"
    restored.mkdir(mode=0o700)
    with tarfile.open(base / "base.tar.gz") as t:
        t.extractall(restored)
    with tarfile.open(base / "pg_wal.tar.gz") as t:
        t.extractall(restored / "pg_wal")
    with open(restored / "postgresql.auto.conf", "a") as conf:
        conf.write(f"restore_command = 'cp {wal}/%f %p'\n"
                   f"recovery_target_time = '{target}'\n"
                   "recovery_target_action = 'promote'\n")
    (restored / "recovery.signal").touch()
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(restored)], check=True)
    os.chmod(restored, 0o700)
    port2 = _port()
    _start(restored, port2)
    deadline = time.monotonic() + 60
    while _sql(port2, "SELECT pg_is_in_recovery()") == "t":
        assert time.monotonic() < deadline, "recovery did not finish"
        time.sleep(0.2)
    assert _sql(port2, "SELECT string_agg(id::text, ',' ORDER BY id) FROM ledger") == "1,2"
    _sql(port2, "INSERT INTO ledger VALUES (4, '恢复后可以写入')")  # promoted: open for writes
