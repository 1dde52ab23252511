"""A real `gongzhi worker` process for tests: pointed at the test's database (which the test must have
committed to: transactional_db or live_server), with a short beat so a killed worker is noticed quickly."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_worker(tmp_path: Path, *args: str, name: str = "worker", beat: float = 0.5, stale: float = 3,
                 env: dict | None = None) -> subprocess.Popen:
    from django.conf import settings

    from gongzhi.core.dburl import current_database_url

    environ = {**os.environ, "DATABASE_URL": current_database_url(), "GONGZHI_DATA_DIR": str(settings.DATA_DIR),
               "GONGZHI_WORKER_BEAT_SECONDS": str(beat), "GONGZHI_WORKER_STALE_SECONDS": str(stale),
               **(env or {})}
    out = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - the process writes it
    return subprocess.Popen([sys.executable, "-m", "gongzhi.cli", "worker", "--interval", "0.2", *args],
                            env=environ, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def stop_worker(proc: subprocess.Popen, *, timeout: float = 30) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(condition, *, timeout: float = 60, every: float = 0.1, what: str = "the condition", log=None,
             procs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            detail = f"\n{Path(log).read_text()}" if log and Path(log).exists() else ""
            raise AssertionError(f"a worker exited while waiting for {what}{detail}")
        value = condition()
        if value:
            return value
        time.sleep(every)
    detail = f"\n{Path(log).read_text()}" if log and Path(log).exists() else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}{detail}")
