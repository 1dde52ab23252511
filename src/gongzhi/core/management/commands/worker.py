"""`gongzhi worker`: runs the queue's tasks (imports, exports, assessments, notices, the overdue sweep).

    gongzhi worker [--interval SECONDS] [--batch] [--max-tasks N] [--no-schedule] [--schedule PATH=SECONDS ...]

Run as many as the machines allow, on as many nodes as share the database (docs/operations.md, "Jobs and workers").
SIGTERM or Ctrl-C lets the running task finish (a second one stops it: the task goes back in the queue
when the other workers see this one gone). Every worker also enqueues the periodic work (the overdue
sweep, once per GONGZHI_SWEEP_EVERY across all workers) unless --no-schedule.
"""
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import jobs


def _schedule_item(value: str) -> tuple[str, float]:
    path, _, seconds = value.rpartition("=")
    try:
        every = float(seconds)
    except ValueError:
        every = 0
    if not path or every <= 0:
        raise CommandError(f"--schedule 应为 任务路径=秒数,收到 {value!r}")
    return path, every


class Command(BaseCommand):
    help = "运行后台任务进程 / Run a job-queue worker"
    requires_system_checks = []  # `gongzhi serve` and `gongzhi check` report them; a worker just runs

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between looks at an empty queue (default 1)")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks")
        parser.add_argument("--worker-id", default=None, help="unique name (default host:pid:random)")
        parser.add_argument("--no-schedule", action="store_true", help="do not enqueue periodic work")
        parser.add_argument("--schedule", action="append", default=None, metavar="PATH=SECONDS",
                            help="periodic task instead of the default ones (repeatable)")

    def handle(self, *args, interval, batch, max_tasks, worker_id, no_schedule, schedule, **options):
        if interval < 0:
            raise CommandError("--interval must be zero or more")
        if no_schedule:
            plan = []
        elif schedule:
            plan = [_schedule_item(s) for s in schedule]
        else:
            plan = jobs.default_schedule()
        worker_id = worker_id or jobs.new_worker_id()
        self.stdout.write(f"gongzhi: worker {worker_id}" + (
            "; periodic: " + ", ".join(f"{p} every {e:g} s" for p, e in plan) if plan else ""))
        self.stdout.flush()
        jobs.run_worker(worker_id=worker_id, interval=interval, schedule=plan, max_tasks=max_tasks, batch=batch)
