"""Start N real app nodes (`gongzhi serve`) on loopback against the database this test process
uses (the test database) and the same cache URL, each with its own data directory for what is
not shared (generated dev keys are passed in the environment, so all nodes hold the same keys)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def gongzhi_argv() -> list[str]:
    script = Path(sys.executable).parent / "gongzhi"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gongzhi.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nodes:
    def __init__(self, workdir: Path, count: int = 2, *, workers: int = 1, threads: int = 2, env: dict | None = None):
        from django.conf import settings

        from gongzhi.core.dburl import current_database_url
        self.workdir, self.count = workdir, count
        base = {**os.environ, "DATABASE_URL": current_database_url(), "GONGZHI_2FA_REQUIRED": "off",
                "GONGZHI_DATA_DIR": str(settings.DATA_DIR),  # uploads: one disk here, as a shared mount would be
                **(env or {})}
        self.envs, self.ports, self.procs, self.logs = [], [], [], []
        for i in range(count):
            port = free_port()
            self.ports.append(port)
            self.envs.append({**base, "GONGZHI_BIND": f"127.0.0.1:{port}"})
        self.argv_extra = ["--workers", str(workers), "--threads", str(threads)]

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{p}" for p in self.ports]

    def __enter__(self):
        for i, (port, env) in enumerate(zip(self.ports, self.envs)):
            log = self.workdir / f"node{i}.log"
            self.logs.append(log)
            with open(log, "w") as out:
                self.procs.append(subprocess.Popen([*gongzhi_argv(), "serve", "--port", str(port), *self.argv_extra],
                                                   env=env, stdout=out, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 120
        for proc, url, log in zip(self.procs, self.urls, self.logs):
            while True:
                if proc.poll() is not None:
                    self.__exit__(None, None, None)
                    raise RuntimeError(f"node {url} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
                try:
                    if requests.get(url + "/healthz", timeout=2).status_code < 500:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    self.__exit__(None, None, None)
                    raise RuntimeError(f"node {url} did not answer:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return False
