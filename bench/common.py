"""Shared plumbing for the benchmarks in bench/ (run by hand, never by the tests).

Every benchmark process runs with the same GONGZHI_DATA_DIR (bench/out/data),
so the keys (encryption, keyed hashes) are the same in the generator, the
territory databases and the imports. Everything generated goes to bench/out/.

Databases:
  sqlite  a file under bench/out/db/, DATABASE_URL=sqlite:////abs/path
  pg      a database on the server that `source scripts/lib/postgres.sh &&
          pg_start` starts; its URL comes from PG_URL (or BENCH_PG_URL), the
          database name is replaced by ours (all named bench_*).
"""
from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
DB_DIR = OUT / "db"
DATA_DIR = OUT / "data"
RESULTS = OUT / "results.jsonl"
TERRITORY_JSON = OUT / "territory.json"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Readers and tools the project does not depend on (fastexcel, pyarrow, py-spy)
# are installed with `pip install --target` here, not into the project's venv.
EXTRA = Path(os.environ.get("BENCH_EXTRA", "/tmp/bench-extra"))

for d in (OUT, DB_DIR, DATA_DIR):
    d.mkdir(parents=True, exist_ok=True)


def pg_base_url() -> str:
    url = os.environ.get("BENCH_PG_URL") or os.environ.get("PG_URL")
    if not url:
        raise SystemExit("PostgreSQL: run `source scripts/lib/postgres.sh && pg_start` first (it exports PG_URL)")
    return url


def pg_url(dbname: str) -> str:
    parts = urlsplit(pg_base_url())
    return urlunsplit(parts._replace(path="/" + dbname))


def sqlite_path(name: str) -> Path:
    return DB_DIR / f"{name}.sqlite3"


def db_url(backend: str, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{sqlite_path(name)}"
    if backend == "pg":
        return pg_url(name)
    raise ValueError(backend)


def child_env(url: str | None = None) -> dict:
    env = dict(os.environ)
    env["GONGZHI_DATA_DIR"] = str(DATA_DIR)
    env["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(BENCH)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    if url:
        env["DATABASE_URL"] = url
    return env


def django_setup(url: str | None = None) -> None:
    """In this process: settings for `url` (or the DATABASE_URL already set)."""
    os.environ["GONGZHI_DATA_DIR"] = str(DATA_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.settings"
    # the benchmarks time pages of signed-in users (force_login), not the second factor
    os.environ.setdefault("GONGZHI_2FA_REQUIRED", "off")
    if url:
        os.environ["DATABASE_URL"] = url
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django
    django.setup()


# -- database housekeeping (from the orchestrating process, no Django) --------------------
def psql(sql: str, db: str = "postgres") -> str:
    import psycopg
    with psycopg.connect(pg_url(db), autocommit=True) as conn:
        cur = conn.execute(sql)
        try:
            return "\n".join("\t".join(str(v) for v in row) for row in cur.fetchall())
        except psycopg.ProgrammingError:
            return ""


def pg_drop(name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_exists(name: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def clone_db(backend: str, template: str, name: str) -> str:
    """A fresh copy of the territory database: file copy / CREATE DATABASE … TEMPLATE."""
    if backend == "sqlite":
        src, dst = sqlite_path(template), sqlite_path(name)
        for suffix in ("", "-wal", "-shm"):
            Path(str(dst) + suffix).unlink(missing_ok=True)
        subprocess.run(["cp", "--sparse=always", str(src), str(dst)], check=True)
    else:
        pg_drop(name)
        psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return db_url(backend, name)


def drop_db(backend: str, name: str) -> None:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(sqlite_path(name)) + suffix).unlink(missing_ok=True)
    else:
        pg_drop(name)


# -- measuring -----------------------------------------------------------------------------
def maxrss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def run_child(args: list[str], url: str | None = None, timeout: float | None = None) -> dict:
    """Run `python bench/<script> args…` in a subprocess; it prints one JSON
    line starting with RESULT; return that dict (plus the wall time seen here)."""
    t0 = time.perf_counter()
    proc = subprocess.run([PYTHON, *args], env=child_env(url), cwd=str(ROOT), capture_output=True, text=True,
                          timeout=timeout)
    wall = time.perf_counter() - t0
    result = None
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
    if proc.returncode != 0 or result is None:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"child failed ({proc.returncode}): {' '.join(args)}")
    result["process_wall_s"] = round(wall, 2)
    return result


def emit(result: dict) -> None:
    """From a child: hand the figures to the parent."""
    print("RESULT " + json.dumps(result, ensure_ascii=False, default=str), flush=True)


def record(result: dict) -> dict:
    """Append to bench/out/results.jsonl (the source of RESULTS.md's tables)."""
    result = {"at": time.strftime("%Y-%m-%d %H:%M:%S"), **result}
    with RESULTS.open("a", encoding="utf-8") as f:
        f.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
    print(json.dumps(result, ensure_ascii=False, default=str), flush=True)
    return result


GONGZHI = str(ROOT / ".venv" / "bin" / "gongzhi")


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_nodes(count: int, env: dict, log_dir: Path, label: str, *, workers: int, threads: int,
                extra: tuple[str, ...] = (), ready_seconds: float = 150):
    """`count` app nodes (`gongzhi serve`) on free loopback ports, each logging to log_dir/<label>-node<i>.log;
    yields [(port, Popen)] once every node answers /readyz, and stops them (terminate, then kill) on the way out."""
    import urllib.request
    log_dir.mkdir(parents=True, exist_ok=True)
    servers, logs = [], []
    try:
        for i in range(count):
            port = _free_port()
            log = open(log_dir / f"{label}-node{i}.log", "w")  # noqa: SIM115 - closed below
            logs.append(log)
            servers.append((port, subprocess.Popen(
                [GONGZHI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                 "--threads", str(threads), *extra], env=env, cwd=str(ROOT), stdout=log, stderr=subprocess.STDOUT)))
        for port, _ in servers:
            deadline = time.time() + ready_seconds
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=3) as r:
                        if r.status == 200:
                            break
                except Exception:  # noqa: BLE001 - not up yet
                    pass
                if time.time() > deadline:
                    raise SystemExit(f"node {port} not ready; see {log_dir}")
                time.sleep(0.5)
        yield servers
    finally:
        for _, p in servers:
            p.terminate()
        for _, p in servers:
            try:
                p.wait(timeout=40)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.close()
