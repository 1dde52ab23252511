"""Crash safety of imports: the real `gongzhi import` killed with SIGKILL at many points.

An import commits whole households or nothing: a household never straddles two
transactions, so wherever the process dies every household in the database is
whole (the head with every member the file lists), and running the import again
ends with exactly the file's rows. Runs on the suite's database (SQLite or
PostgreSQL): the subprocess is pointed at the test database, so the data is committed.
"""
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from gongzhi.core import idcard
from gongzhi.people.models import Household, Resident
from tests.people.test_import import person, write_csv

pytestmark = pytest.mark.django_db(transaction=True)

CHUNK = 7  # small chunks: most households of 1-4 people would straddle two of them


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = quote(s.get("USER") or "", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    host = quote(s.get("HOST") or "", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{s['NAME']}"


def start_import(path: Path, *extra: str, pause: float = 0) -> subprocess.Popen:
    script = Path(sys.executable).parent / "gongzhi"
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "gongzhi.cli"]
    # pause: the importer waits this long after each committed chunk (its --chunk-pause), so that the kill
    # sent on a chunk's progress line lands before the next chunk commits however loaded the machine is
    env = dict(os.environ, DATABASE_URL=database_url())
    # its own process group: the kill takes the reading child too, as a machine's crash would
    return subprocess.Popen([*argv, "import", "residents", str(path), "--chunk-size", str(CHUNK),
                             "--chunk-pause", str(pause), "--skip-checks", *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def kill(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    proc.stdout.close()
    proc.stderr.close()


def kill_after_progress_lines(path: Path, lines: int) -> bool:
    """SIGKILL right after the importer reports its `lines`-th committed chunk (before the next one commits).
    False when the import finished first."""
    proc = start_import(path, pause=1.0)
    seen, said = 0, []
    while seen < lines:
        line = proc.stderr.readline()
        said.append(line)
        if not line:
            proc.wait(timeout=60)
            assert proc.returncode == 0, "".join(said)
            return False
        seen += line.startswith("已处理")
    kill(proc)
    return True


def kill_after(path: Path, seconds: float) -> None:
    proc = start_import(path)
    time.sleep(seconds)
    if proc.poll() is None:
        kill(proc)
    else:
        proc.communicate()


def households_file(world, tmp_path, n_households=24, seed=15):
    """Households of 1 to 4 people, one after another as registers list them."""
    rng = random.Random(seed)
    rows, sizes, seq = [], {}, 0
    for h in range(n_households):
        number = f"HK{h:03d}"
        size = rng.randint(1, 4)
        sizes[number] = size
        for m in range(size):
            seq += 1
            rows.append(person(world, name=f"成员{seq}", id_number=idcard.make("320282", dt.date(1960, 1, 1)
                                                                           + dt.timedelta(days=seq), seq % 1000),
                               household=number, relation="户主" if m == 0 else ("配偶" if m == 1 else "子")))
    return rows, sizes


def assert_households_whole(sizes: dict[str, int]) -> int:
    counts = Counter(Resident.objects.filter(household__number__in=sizes).values_list("household__number", flat=True))
    half = {n: (c, sizes[n]) for n, c in counts.items() if c != sizes[n]}
    assert not half, f"households written in part (in the database, in the file): {half}"
    empty = Household.objects.filter(number__in=sizes).exclude(number__in=counts).values_list("number", flat=True)
    assert not list(empty), f"households without their members: {list(empty)}"
    heads = Resident.objects.filter(household__number__in=sizes, relation="02").count()  # 户主
    assert heads == len(counts)
    return sum(counts.values())


def finish_and_check(path: Path, rows: list, sizes: dict[str, int]) -> None:
    proc = start_import(path)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert out.splitlines()[-1] == f"accepted: {len(rows)}, rejected: 0"
    assert assert_households_whole(sizes) == len(rows)
    assert Resident.objects.filter(household__number__in=sizes).count() == len(rows)
    assert Household.objects.filter(number__in=sizes).count() == len(sizes)
    assert Resident.objects.count() == 3 + len(rows)  # the world's three and the file's, none twice


def test_sigkill_at_chunk_boundaries_and_between_leaves_whole_households_and_a_rerun_completes(world, tmp_path):
    rows, sizes = households_file(world, tmp_path)
    path = write_csv(tmp_path / "居民.csv", rows)
    assert len(rows) > 5 * CHUNK
    # Right after the 1st committed chunk (the 2nd in flight), then, resuming, after the 4th report (the
    # first chunks are found unchanged), then at a random moment (at start-up, reading or writing).
    assert kill_after_progress_lines(path, 1)
    first = assert_households_whole(sizes)
    assert 0 < first <= CHUNK + 3  # one chunk: whole households, at most one household past CHUNK rows
    assert kill_after_progress_lines(path, 4)
    assert first < assert_households_whole(sizes) < len(rows)
    kill_after(path, random.Random(15).uniform(1.0, 4.0))
    assert_households_whole(sizes)
    finish_and_check(path, rows, sizes)
