"""Long work on a real queue: Django's tasks framework (the django-tasks backport) with its database
backend (django-tasks-db), so the queue lives in the same database as everything else: the embedded
SQLite file of a one-machine install, or the PostgreSQL that many nodes share. docs/dependencies.md
says why this queue, with figures; docs/operations.md says how to run it.

What this module adds to the framework:

- `background(retries=, backoff=)`: a task decorator. An exception that escapes the task is retried
  with exponential backoff (a new task, `run_after` later), then recorded; a `core.models.Job` named
  by the task's `job_id` argument (the user-facing record the pages poll) follows every step: queued,
  running, retried, failed, cancelled.
- `enqueue(task, job=None, ...)`: queue a task (in the caller's transaction: nothing is queued if it
  rolls back) and link the Job to it.
- `cancel(job)`: a queued job leaves the queue at once; a running one is stopped by its worker at its
  next step (the worker's beat thread raises `Cancelled` in the task's thread), its transaction rolled
  back.
- Workers that die: every worker writes a beat (`WorkerBeat`); any worker puts back in the queue a task
  still marked running by a worker unseen for GONGZHI_WORKER_STALE_SECONDS (kill -9, a lost node), at
  most GONGZHI_JOB_MAX_DELIVERIES times, then records it failed. No task is lost; a task may run twice,
  so tasks are written to be repeated (an import skips what it already wrote, a sweep is idempotent).
- `Periodic` work (the overdue sweep) is enqueued once per period across all nodes, and `exclusive(name)`
  is a lock in the database that a second sweep waits out instead of running beside the first.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import functools
import logging
import os
import socket
import threading
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.db.utils import DatabaseError
from django.utils import timezone
from django_tasks import task as _framework_task
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from gongzhi.core.models import Job, JobStatus, Periodic, QueueLock, WorkerBeat

log = logging.getLogger("gongzhi.jobs")

ERR_CANCELLED = "已由用户取消"
ERR_WORKER_LOST = "执行任务的后台进程 {n} 次中断(进程被终止或节点失联),任务已停止;请检查后台进程日志后重新发起"
MSG_RETRY = "第 {n} 次执行出错({error}),{seconds:g} 秒后自动重试"
ERR_FAILED = "任务失败:{error}"


class Cancelled(BaseException):
    """Raised in a running task whose job was cancelled. A BaseException, like KeyboardInterrupt, so the
    task's own `except Exception` does not take it for an error to record or retry; transactions roll back."""


# -- tasks --------------------------------------------------------------------------------------------

def _drop_connection() -> None:
    """Close this thread's database connection so the next query opens a fresh one. `Cancelled` is raised
    asynchronously at the task's next Python step, which may be in the middle of a database call: the
    connection is then left with a command in flight ("another command is already in progress") and the
    job could never be marked cancelled through it."""
    from django.db import connection
    try:
        connection.close()
    except Exception:  # the broken connection may refuse even to close; Django forgets it all the same
        pass

def background(fn=None, *, retries: int = 2, backoff: float = 10.0, priority: int = 0, queue: str = "default"):
    """A queue task. `retries` more attempts after an exception, waiting backoff·2^(n-1) s before the
    n-th; a keyword argument `job_id` links a Job that follows the task's state."""
    def deco(func):
        @functools.wraps(func)
        def body(*args, _attempt: int = 1, **kwargs):
            job_id = kwargs.get("job_id")
            if job_id is not None and not _job_starts(job_id):
                return None  # cancelled, or already finished by an earlier delivery
            _running[threading.get_ident()] = job_id
            try:
                return func(*args, **kwargs)
            except Cancelled:
                _drop_connection()  # the cancellation may have landed inside a database call
                _job_finish(job_id, status=JobStatus.CANCELLED, message=ERR_CANCELLED)
                return None
            except Exception as exc:
                error = str(exc) or type(exc).__name__
                if _attempt <= retries:
                    delay = backoff * 2 ** (_attempt - 1)
                    log.warning("task %s failed (attempt %s), retrying in %ss: %s", func.__qualname__, _attempt,
                                delay, error)
                    result = wrapped.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(
                        *args, _attempt=_attempt + 1, **kwargs)
                    if job_id is not None:
                        Job.objects.filter(pk=job_id).update(
                            status=JobStatus.QUEUED, task_id=str(result.id),
                            message=MSG_RETRY.format(n=_attempt, error=error[:200], seconds=delay))
                    return None
                _job_finish(job_id, status=JobStatus.FAILED, message=ERR_FAILED.format(error=error[:500]),
                            keep_failed=True)
                raise
            finally:
                _running.pop(threading.get_ident(), None)

        wrapped = _framework_task(priority=priority, queue_name=queue)(body)
        return wrapped
    return deco(fn) if fn is not None else deco


def enqueue(task, *args, job: Job | None = None, **kwargs):
    """Queue `task(*args, **kwargs)` (with job_id=job.pk when a job is given) and link the job to it."""
    if job is not None:
        kwargs["job_id"] = job.pk
    result = task.enqueue(*args, **kwargs)
    if job is not None:
        job.task_id = str(result.id)
        Job.objects.filter(pk=job.pk).update(task_id=job.task_id)
    return result


def owned(user, pk, kind: str) -> Job | None:
    """The user's own job of `kind` (a finished file is handed only to whoever asked for it), or None."""
    return Job.objects.filter(pk=pk, kind=kind, created_by=user).first()


def cancel(job: Job) -> bool:
    """Stops the job: at once if still queued, at its next step if running. False if it had ended."""
    with transaction.atomic():
        ended = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)
        if not Job.objects.filter(pk=job.pk).exclude(status__in=ended).update(cancel_requested=True):
            return False
        took = DBTaskResult.objects.filter(id=job.task_id or None, status=TaskResultStatus.READY).update(
            status=TaskResultStatus.FAILED, finished_at=timezone.now(),
            exception_class_path=f"{Cancelled.__module__}.{Cancelled.__qualname__}", traceback=ERR_CANCELLED)
        if took or not job.task_id:
            _job_finish(job.pk, status=JobStatus.CANCELLED, message=ERR_CANCELLED)
    return True


def check_cancelled(job_id: int | None) -> None:
    """For a task's own loop: raise Cancelled if its job was cancelled (the beat thread does it too)."""
    if job_id and Job.objects.filter(pk=job_id, cancel_requested=True).exists():
        raise Cancelled()


def _job_starts(job_id: int) -> bool:
    ended = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)
    job = Job.objects.filter(pk=job_id).values("status", "cancel_requested").first()
    if job is None or job["status"] in ended:
        return False
    if job["cancel_requested"]:
        _job_finish(job_id, status=JobStatus.CANCELLED, message=ERR_CANCELLED)
        return False
    Job.objects.filter(pk=job_id).update(attempts=F("attempts") + 1)
    return True


def _job_finish(job_id, *, status, message, keep_failed: bool = False) -> None:
    """The job's end, unless it ended already (a task that recorded its own failure keeps its message)."""
    if job_id is None:
        return
    ended = (JobStatus.DONE, JobStatus.CANCELLED) + ((JobStatus.FAILED,) if keep_failed else ())
    Job.objects.filter(pk=job_id).exclude(status__in=ended).update(
        status=status, message=message, finished_at=timezone.now())


_running: dict[int, int | None] = {}  # thread ident -> the job its task runs, for the beat thread


# -- workers that died --------------------------------------------------------------------------------

def requeue_lost(*, now=None) -> int:
    """Puts back in the queue the tasks marked running by workers not seen for the stale period;
    one delivered too often is recorded failed (with its job). Returns how many were put back."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.GONGZHI_WORKER_STALE_SECONDS)
    alive = set(WorkerBeat.objects.filter(seen_at__gte=stale).values_list("worker_id", flat=True))
    requeued = 0
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=stale).values(
            "id", "worker_ids", "args_kwargs"):
        if row["worker_ids"] and row["worker_ids"][-1] in alive:
            continue
        job_id = (row["args_kwargs"].get("kwargs") or {}).get("job_id")
        same = DBTaskResult.objects.filter(id=row["id"], status=TaskResultStatus.RUNNING)
        if len(row["worker_ids"]) >= settings.GONGZHI_JOB_MAX_DELIVERIES:
            message = ERR_WORKER_LOST.format(n=len(row["worker_ids"]))
            if same.update(status=TaskResultStatus.FAILED, finished_at=now, traceback=message,
                           exception_class_path="gongzhi.core.jobs.WorkerLost"):
                _job_finish(job_id, status=JobStatus.FAILED, message=message)
            continue
        if same.update(status=TaskResultStatus.READY, run_after=now):
            requeued += 1
            log.warning("task %s: its worker %s is gone, back in the queue", row["id"], row["worker_ids"][-1:])
            if job_id is not None:
                Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(status=JobStatus.QUEUED)
    WorkerBeat.objects.filter(seen_at__lt=now - dt.timedelta(days=1)).delete()
    return requeued


def prune(*, now=None) -> int:
    """Deletes finished task rows older than GONGZHI_JOB_KEEP_DAYS (the jobs' own rows stay: their
    pages read them); every worker's beat calls it once an hour across all nodes."""
    now = now or timezone.now()
    keep = dt.timedelta(days=getattr(settings, "GONGZHI_JOB_KEEP_DAYS", 7))
    deleted, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=now - keep).delete()
    return deleted


# -- periodic work and the database lock ----------------------------------------------------------------

def due(name: str, every: float, *, now=None) -> bool:
    """True for exactly one caller per period across all workers (a conditional UPDATE)."""
    now = now or timezone.now()
    nxt = now + dt.timedelta(seconds=every)
    if Periodic.objects.filter(name=name, next_at__lte=now).update(next_at=nxt, last_enqueued_at=now):
        return True
    if Periodic.objects.filter(name=name).exists():
        return False
    try:
        with transaction.atomic():
            Periodic.objects.create(name=name, next_at=nxt, last_enqueued_at=now)
        return True
    except DatabaseError:  # another worker created it first
        return False


def acquire(name: str, holder: str, *, seconds: float, now=None) -> bool:
    """Takes the lock `name` for `seconds` unless someone else holds it unexpired."""
    now = now or timezone.now()
    until = now + dt.timedelta(seconds=seconds)
    if QueueLock.objects.filter(name=name, until__lte=now).update(holder=holder, until=until):
        return True
    if QueueLock.objects.filter(name=name, holder=holder).update(until=until):
        return True
    if QueueLock.objects.filter(name=name).exists():
        return False
    try:
        with transaction.atomic():
            QueueLock.objects.create(name=name, holder=holder, until=until)
        return True
    except DatabaseError:
        return False


def release(name: str, holder: str) -> None:
    QueueLock.objects.filter(name=name, holder=holder).delete()


@contextmanager
def exclusive(name: str, *, seconds: float = 600):
    """`with exclusive("sweep") as held:` held is False when another process holds the lock (then do
    nothing: the holder does the work). A holder killed with kill -9 keeps it `seconds` at most."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    held = acquire(name, holder, seconds=seconds)
    try:
        yield held
    finally:
        if held:
            release(name, holder)


# -- the worker -----------------------------------------------------------------------------------------

def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Beat(threading.Thread):
    """The worker's second thread: every few seconds it says the worker is alive, stops the running
    task if its job was cancelled, puts back the tasks of dead workers, and enqueues periodic work."""

    def __init__(self, worker_id: str, *, main: threading.Thread, schedule: list[tuple[str, float]]):
        super().__init__(name="gongzhi-beat", daemon=True)
        self.worker_id, self.main, self.schedule = worker_id, main, schedule
        self.stopping = threading.Event()
        self.every = settings.GONGZHI_WORKER_BEAT_SECONDS

    def run(self):
        started = timezone.now()
        first, delay = True, 0
        while not self.stopping.wait(delay):
            delay = self.every
            try:
                if first:
                    WorkerBeat.objects.update_or_create(worker_id=self.worker_id, defaults={
                        "host": socket.gethostname()[:255], "pid": os.getpid(), "started_at": started,
                        "seen_at": timezone.now()})
                    first = False
                self.tick()
            except DatabaseError as exc:  # a busy SQLite file or a database restart: try again next beat
                log.warning("worker beat: %s", exc)
            except Exception:  # the beat must outlive any one step, or the worker would be taken for dead
                log.exception("worker beat failed")
            finally:
                close_old_connections()
        try:
            WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
        except DatabaseError:
            pass  # it goes stale and is deleted a day later
        finally:
            connection.close()

    def tick(self):
        WorkerBeat.objects.filter(worker_id=self.worker_id).update(seen_at=timezone.now())
        job_id = _running.get(self.main.ident)
        if job_id and Job.objects.filter(pk=job_id, cancel_requested=True).exists() \
                and _running.get(self.main.ident) == job_id:
            self.interrupt()
        requeue_lost()
        if due("gongzhi.core.jobs.prune", 3600):
            prune()
        for path, every in self.schedule:
            if due(path, every):
                from django.utils.module_loading import import_string
                import_string(path).enqueue()

    def interrupt(self):
        """Raise Cancelled in the task's thread at its next Python step."""
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.main.ident), ctypes.py_object(Cancelled))


PERIODIC = "periodic"  # the extras key: (dotted path of a task, seconds between runs or None for the sweep's)


def default_schedule() -> list[tuple[str, float]]:
    """The periodic work the modules registered under extras["periodic"] (the work orders' and the
    topics' overdue sweeps...); an interval of None is GONGZHI_SWEEP_EVERY."""
    from gongzhi.core import modules
    return [(path, float(settings.GONGZHI_SWEEP_EVERY if every is None else every))
            for path, every in modules.extras(PERIODIC)]


def run_worker(*, worker_id: str | None = None, interval: float = 1.0, schedule=None, max_tasks=None,
               batch: bool = False) -> None:
    """Runs tasks until SIGTERM/SIGINT (the running task finishes first; a second signal stops it)."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker_id = worker_id or new_worker_id()
    beat = Beat(worker_id, main=threading.current_thread(),
                schedule=default_schedule() if schedule is None else schedule)
    beat.start()
    worker = Worker(queue_names=["*"], interval=interval, batch=batch, backend_name="default",
                    startup_delay=False, max_tasks=max_tasks, worker_id=worker_id, excluded_queue_names=[])
    worker.configure_signals()
    try:
        while True:
            try:
                worker.run()
                break
            except Cancelled:  # a cancellation that arrived just after its task ended: go on
                continue
    finally:
        beat.stopping.set()
        beat.join(timeout=10)


def run_pending(*, limit: int = 100) -> int:
    """Runs the queued tasks that are due now, in this process and its transaction (tests; the
    framework's own loop would close the connection between tasks)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.utils import exclusive_transaction

    worker_id = new_worker_id()
    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=limit, worker_id=worker_id, excluded_queue_names=[])
    ran = 0
    while ran < limit:
        with exclusive_transaction():
            row = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if row is None:
                break
            row.claim(worker_id)
        worker.run_task(row)
        ran += 1
    return ran
