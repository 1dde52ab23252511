"""`gongzhi serve` starts gunicorn and answers HTTP, with a job-queue worker
(which enqueues the overdue sweep) beside it; SIGTERM stops both cleanly."""
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgis", "pgsql")),
    reason="starts its own server on its own SQLite file: run once, in the SQLite run",
)


def gongzhi_argv() -> list[str]:
    script = Path(sys.executable).parent / "gongzhi"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gongzhi.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_serve_runs_gunicorn(tmp_path):
    env = dict(os.environ)
    env["GONGZHI_DATA_DIR"] = str(tmp_path / "data")
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    env.pop("GONGZHI_BIND", None)
    migrate = subprocess.run([*gongzhi_argv(), "migrate", "--noinput", "-v0"], env=env, capture_output=True,
                             text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr

    port = free_port()
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    with open(out, "w") as stdout, open(err, "w") as stderr:
        proc = subprocess.Popen([*gongzhi_argv(), "serve", "--port", str(port), "--workers", "2",
                                 "--sweep-every", "1"],
                                env=env, stdout=stdout, stderr=stderr)
    try:
        response, deadline = None, time.monotonic() + 90
        while response is None:
            if proc.poll() is not None:
                pytest.fail(f"serve exited with {proc.returncode}:\n{out.read_text()}\n{err.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"serve did not answer on port {port}:\n{out.read_text()}\n{err.read_text()}")
            try:
                response = get(port, "/accounts/login/")
            except OSError:
                time.sleep(0.3)
        # Any HTTP answer will do (the login page may not exist yet); it must come from gunicorn.
        assert 200 <= response.status < 600
        assert "gunicorn" in (response.getheader("Server") or "").lower()

        sweepers = _sweepers_of(proc.pid)
        assert len(sweepers) == 1
        proc.terminate()
        assert proc.wait(timeout=60) == 0, err.read_text()
        assert not Path(f"/proc/{sweepers[0]}").exists() or _is_zombie(sweepers[0])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = out.read_text()
    assert "GET /accounts/login/" in log  # access log on stdout
    assert "gunicorn" in log
    assert "Starting gunicorn" in err.read_text()
    assert "overdue_sweep every 1 s" in log  # the worker beside the server, with the sweep's period


def _sweepers_of(pid: int) -> list[int]:
    """Child processes of `pid` running the queue's `worker`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"worker" in cmdline:
            found.append(int(entry.name))
    return found


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
