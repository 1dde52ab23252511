"""The benchmark's tasks: each appends "<name> <pid> <time.time()>" to BENCH_OUT when it starts."""
import os
import time


def _mark(name: str) -> None:
    with open(os.environ["BENCH_OUT"], "a") as f:
        f.write(f"{name} {os.getpid()} {time.time()}\n")


def noop(name: str) -> None:
    _mark(name)


def sleep(name: str, seconds: float) -> None:
    _mark(name)
    time.sleep(seconds)
    _mark(name + "-end")


if os.environ.get("BENCH_QUEUE", "tasks") == "tasks":
    from django_tasks import task

    noop = task()(noop)
    sleep = task()(sleep)
