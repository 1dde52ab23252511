"""Hostile import files at the issue's full size (issue 11), each imported by `gongzhi import residents`
in its own process: exit status, peak RSS (the command and its forked reader, from getrusage), CPU and
wall time, and the last line it printed. Run by hand; the tests (tests/people/test_hostile_imports.py)
use small versions of the same files.

    .venv/bin/python bench/hostile_imports.py [--tree DIR] [--db sqlite:////abs/path] [--timeout 120] [NAME ...]

--tree runs another checkout's code (e.g. `git worktree add /tmp/old 78f5c25^` for the code before
the limits), on a database migrated by that code. Each run is held to 4 GB of address space (prlimit)
and killed after --timeout seconds of wall time. Files are built once into bench/out/hostile/ (~500 MB).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import common

OUT = common.OUT / "hostile"
ROOT = common.ROOT


def build() -> dict[str, Path]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    os.environ.setdefault("GONGZHI_DATA_DIR", str(common.DATA_DIR))
    import django
    django.setup()
    import tests.people.test_hostile_imports as t

    OUT.mkdir(parents=True, exist_ok=True)
    files = {
        "zzz.xlsx": lambda p: t.xlsx(p, t.sheet('<row r="2"><c r="ZZZZZZZZ2"><v>1</v></c></row>', "A1:ZZZZZZZZ2")),
        "sparse.xlsx": lambda p: t.xlsx(p, t.sheet("".join(
            f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 4000)))),
        "cell400.xlsx": lambda p: t.xlsx(p, t.sheet("").replace(
            b"</sheetData>", b'<row r="2"><c r="B2" t="inlineStr"><is><t>' + b"A" * (400 << 20)
            + b"</t></is></c></row></sheetData>"), stored=True),
        "bomb.xlsx": lambda p: t.deflate_bomb(
            p, b"<worksheet " + t._NS.encode() + b"><sheetData>" + t.header_row().encode(), _UNIT,
            (1500 << 20) // len(_UNIT), b"</sheetData></worksheet>"),
        "lol.xlsx": lambda p: t.xlsx(p, t.sheet('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
                                     parts={"xl/sharedStrings.xml": _LOL.replace("NS", t._NS).encode()}),
        "line.csv": lambda p: p.write_bytes(",".join(t.HEADERS).encode() + b"\n" + b"A" * (50 << 20) + b"\n"),
    }
    paths = {}
    for name, make in files.items():
        path = OUT / name
        if not path.exists():
            make(path)
        paths[name] = path
    return paths


_UNIT = b"".join(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' for _ in range(20_000))
_LOL = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a0 "lollollollollollollollollollol">'
        + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
        + ']><sst NS><si><t>&a9;</t></si></sst>')

_LAUNCHER = """
import resource, subprocess, sys, time
timeout = float(sys.argv[2])
child = subprocess.Popen(sys.argv[3:])
try:
    status = child.wait(timeout=timeout)
except subprocess.TimeoutExpired:
    child.kill()
    status = "killed"
    child.wait()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{status} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
"""


def measure(path: Path, tree: Path, db: str, timeout: float) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "DATABASE_URL": db,
           "GONGZHI_DATA_DIR": str(common.DATA_DIR)}
    log, usage = path.with_suffix(".log"), path.with_suffix(".usage")
    start = time.monotonic()
    with log.open("wb") as out:  # a file, not a pipe: a chatty run must not block on a full pipe
        subprocess.run([common.PYTHON, "-c", _LAUNCHER, str(usage), str(timeout), "prlimit", f"--as={4 << 30}", "--",
                        common.PYTHON, "-m", "gongzhi.cli", "import", "residents", str(path), "--report",
                        str(path.with_suffix(".rejected.xlsx"))], stdout=out, stderr=subprocess.STDOUT,
                       env=env, cwd="/tmp")
    status, rss_kb, cpu = usage.read_text().split()
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return (f"{path.name} ({path.stat().st_size / 2**20:.2f} MB): exit {status}, peak RSS {int(rss_kb) / 1024:.0f} MB, "
            f"CPU {float(cpu):.1f} s, wall {time.monotonic() - start:.1f} s | {lines[-1][:200] if lines else ''}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", type=Path, default=ROOT)
    ap.add_argument("--db", default=f"sqlite:///{common.DB_DIR / 'hostile.sqlite3'}")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    paths = build()
    if args.db.startswith("sqlite") and not Path(args.db.removeprefix("sqlite:///")).exists():
        subprocess.run([common.PYTHON, "-m", "gongzhi.cli", "migrate", "-v0"], check=True,
                       env={**os.environ, "PYTHONPATH": str(args.tree / "src"), "DATABASE_URL": args.db,
                            "GONGZHI_DATA_DIR": str(common.DATA_DIR)})
    for name in args.names or paths:
        print(measure(paths[name], args.tree, args.db, args.timeout), flush=True)


if __name__ == "__main__":
    main()
