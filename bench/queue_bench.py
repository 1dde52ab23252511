"""Job-queue candidates on the same footing (docs/dependencies.md, "job queue"): enqueue→start latency,
throughput of a trivial task with one and two worker processes, and what happens to a task whose worker
is killed with kill -9 mid-task.

    .venv/bin/python bench/queue_bench.py --queue tasks [--db /tmp/q.sqlite3 | --db postgres://.../qbench]
    .venv/bin/python bench/queue_bench.py --queue q2 ...        # needs `pip install django-q2` (not a dependency)

tasks = django-tasks + django-tasks-db with its plain `db_worker` (the platform's `gongzhi worker` adds
the beat that puts a dead worker's task back: tests/core/test_jobs.py); q2 = django-q2's ORM broker and
`qcluster`. Both poll every 0.2 s here. Prints one line of figures per measurement.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queue", choices=["tasks", "q2"], default="tasks")
    ap.add_argument("--db", default="/tmp/queue-bench.sqlite3")
    ap.add_argument("-n", type=int, default=300, help="tasks for the throughput run")
    ap.add_argument("--q2-retry", type=int, default=10, help="django-q2's visibility timeout (s)")
    args = ap.parse_args()
    out = Path("/tmp/queue-bench.out")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.queue_settings", "BENCH_QUEUE": args.queue,
           "BENCH_DB": args.db, "BENCH_OUT": str(out), "BENCH_Q2_RETRY": str(args.q2_retry),
           "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    os.environ.update(env)
    if not args.db.startswith("postgres"):
        for suffix in ("", "-wal", "-shm"):
            Path(args.db + suffix).unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    import django
    sys.path.insert(0, str(ROOT))
    django.setup()
    clear_queue(args.queue)
    engine = "PostgreSQL" if args.db.startswith("postgres") else "SQLite"
    print(f"queue={args.queue} database={engine}")

    # latency: one idle worker, 20 tasks half a second apart
    out.write_text("")
    worker = start(args.queue, env)
    time.sleep(4)
    sent = {}
    for i in range(20):
        sent[f"lat{i}"] = time.time()
        enqueue(args.queue, "noop", f"lat{i}")
        time.sleep(0.5)
    marks = wait_marks(out, [f"lat{i}" for i in range(20)], 60)
    lat = sorted((marks[k] - t) * 1000 for k, t in sent.items() if k in marks)
    print(f"  enqueue→start: median {statistics.median(lat):.0f} ms, max {max(lat):.0f} ms "
          f"({len(lat)}/20 ran)")

    # throughput, one then two workers
    for n_workers in (1, 2):
        extra = [start(args.queue, env) for _ in range(n_workers - 1)]
        time.sleep(3 if extra else 0)
        out.write_text("")
        began = time.time()
        for i in range(args.n):
            enqueue(args.queue, "noop", f"t{i}")
        enq = time.time() - began
        marks = wait_marks(out, [f"t{i}" for i in range(args.n)], 300)
        took = max(marks.values()) - began
        print(f"  {args.n} trivial tasks, {n_workers} worker(s): enqueue {args.n / enq:.0f}/s, "
              f"done in {took:.1f} s = {len(marks) / took:.0f} tasks/s ({len(marks)} ran)")
        for w in extra:
            kill(w)

    # kill -9 mid-task, then a fresh worker
    out.write_text("")
    enqueue(args.queue, "sleep", "victim", 3)
    wait_marks(out, ["victim"], 30)
    kill(worker)
    killed = time.time()
    worker = start(args.queue, env)
    try:
        marks = wait_marks(out, ["victim-end"], 90)
        print(f"  kill -9 mid-task: the task ran again and finished {marks['victim-end'] - killed:.1f} s after "
              f"the kill")
    except TimeoutError:
        print("  kill -9 mid-task: the task was NOT run again within 90 s (left marked running)")
    kill(worker)


def clear_queue(queue: str) -> None:
    if queue == "tasks":
        from django_tasks_db.models import DBTaskResult
        DBTaskResult.objects.all().delete()
    else:
        from django_q.models import OrmQ, Task
        OrmQ.objects.all().delete()
        Task.objects.all().delete()


def enqueue(queue: str, name: str, *args) -> None:
    if queue == "tasks":
        from bench import queue_tasks
        getattr(queue_tasks, name).enqueue(*args)
    else:
        from django_q.tasks import async_task
        async_task(f"bench.queue_tasks.{name}", *args)


def start(queue: str, env: dict) -> subprocess.Popen:
    cmd = ["db_worker", "--interval", "0.2", "--no-startup-delay", "--queue-name", "*", "--no-reload"] \
        if queue == "tasks" else ["qcluster"]
    return subprocess.Popen([sys.executable, "-m", "django", *cmd], env=env, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill(proc: subprocess.Popen) -> None:
    """kill -9 the worker and every process it started (a node lost)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def wait_marks(out: Path, names: list[str], timeout: float) -> dict[str, float]:
    deadline = time.time() + timeout
    want = set(names)
    while True:
        marks = {}
        for line in out.read_text().splitlines():
            name, _pid, at = line.split()
            if name in want:
                marks.setdefault(name, float(at))
        if len(marks) == len(want):
            return marks
        if time.time() > deadline:
            if marks:
                return marks
            raise TimeoutError(names[:3])
        time.sleep(0.1)


if __name__ == "__main__":
    main()
