"""The job queue (core/jobs.py): retries with backoff, cancellation, a worker killed with kill -9 whose
task a second worker finishes, and the periodic sweep once per period across workers, never twice at
once (a lock in the database). The last three run real `gongzhi worker` processes."""
import datetime as dt
import os
import signal

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from gongzhi.core import jobs
from gongzhi.core.models import Job, JobStatus, QueueLock
from tests.core import queue_tasks
from tests.queue_worker import start_worker, stop_worker, wait_for


def _job(**kw) -> Job:
    return Job.objects.create(kind="test", **kw)


def test_a_failing_task_is_retried_with_growing_waits_then_succeeds(db):
    job = _job()
    jobs.enqueue(queue_tasks.flaky, job=job, fail_times=2)
    assert jobs.run_pending() == 1  # the first attempt fails and queues the second, 0.2 s later
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and "第 1 次执行出错" in job.message and "0.2 秒后自动重试" in job.message
    retry = DBTaskResult.objects.get(id=job.task_id)
    assert retry.status == TaskResultStatus.READY and retry.run_after > timezone.now()
    assert jobs.run_pending() == 0  # not due yet
    DBTaskResult.objects.filter(id=job.task_id).update(run_after=timezone.now())
    jobs.run_pending()
    job.refresh_from_db()
    second = DBTaskResult.objects.get(id=job.task_id)
    assert "0.4 秒后" in job.message  # the wait doubles
    assert dt.timedelta(seconds=0.15) < retry.run_after - retry.enqueued_at < dt.timedelta(seconds=0.3)
    assert dt.timedelta(seconds=0.35) < second.run_after - second.enqueued_at < dt.timedelta(seconds=0.5)
    DBTaskResult.objects.filter(id=job.task_id).update(run_after=timezone.now())
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 3
    assert DBTaskResult.objects.get(id=job.task_id).return_value == "ok"


def test_a_task_that_keeps_failing_ends_failed_with_the_reason(db):
    job = _job()
    jobs.enqueue(queue_tasks.flaky, job=job, fail_times=9)
    for _ in range(3):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
        jobs.run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempts == 3 and "数据库暂时不可用" in job.message
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.FAILED
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_a_queued_job_is_cancelled_at_once(db):
    job = _job()
    jobs.enqueue(queue_tasks.slow, job=job, steps=1, pause=0)
    assert jobs.cancel(job)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.message == jobs.ERR_CANCELLED
    assert jobs.run_pending() == 0 and job.processed == 0
    assert not jobs.cancel(job)  # ended: nothing to cancel


def test_one_caller_per_period_and_the_lock_expires(db):
    now = timezone.now()
    assert jobs.due("x", 60, now=now) and not jobs.due("x", 60, now=now + dt.timedelta(seconds=30))
    assert jobs.due("x", 60, now=now + dt.timedelta(seconds=61))
    assert jobs.acquire("l", "a", seconds=10, now=now) and not jobs.acquire("l", "b", seconds=10, now=now)
    assert jobs.acquire("l", "b", seconds=10, now=now + dt.timedelta(seconds=11))  # a's lock expired (kill -9)
    jobs.release("l", "a")  # not a's any more
    assert QueueLock.objects.get(name="l").holder == "b"


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_inside_a_database_call_still_marks_the_job_cancelled():
    """CI saw it on PostgreSQL: the worker's `Cancelled` arrived while a query was being sent, the
    connection kept the command in flight and the job was never marked cancelled."""
    job = _job()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    assert queue_tasks.cancelled_mid_query.call(job_id=job.pk) is None
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED


def test_a_worker_killed_mid_task_loses_nothing_and_a_running_job_can_be_cancelled(transactional_db, tmp_path):
    job = _job()
    jobs.enqueue(queue_tasks.slow, job=job, steps=16, pause=0.25)
    first = start_worker(tmp_path, "--no-schedule", name="first")
    try:
        wait_for(lambda: Job.objects.filter(pk=job.pk, processed__gte=3).exists(), what="the first worker's progress",
                 log=tmp_path / "first.log", procs=[first])
        job.refresh_from_db()
        assert job.input_name == str(first.pid) and job.status == JobStatus.RUNNING
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert Job.objects.get(pk=job.pk).processed < 16  # it died mid-task
    finally:
        stop_worker(first)
    second = start_worker(tmp_path, "--no-schedule", name="second")
    try:
        wait_for(lambda: DBTaskResult.objects.filter(id=job.task_id, status=TaskResultStatus.SUCCESSFUL).exists(),
                 timeout=90, what="the second worker to finish the task", log=tmp_path / "second.log", procs=[second])
        job.refresh_from_db()
        task = DBTaskResult.objects.get(id=job.task_id)
        assert job.processed == 16 and job.input_name == str(second.pid) and job.attempts == 2
        assert task.status == TaskResultStatus.SUCCESSFUL and len(task.worker_ids) == 2

        # cancelled while running: the worker stops it at its next step and goes on with the queue
        other = _job()
        jobs.enqueue(queue_tasks.slow, job=other, steps=200, pause=0.1)
        wait_for(lambda: Job.objects.filter(pk=other.pk, processed__gte=2).exists(), what="the second job to run",
                 log=tmp_path / "second.log")
        assert jobs.cancel(other)
        wait_for(lambda: Job.objects.filter(pk=other.pk, status=JobStatus.CANCELLED).exists(), timeout=90,
                 what="the cancellation", log=tmp_path / "second.log")
        assert Job.objects.get(pk=other.pk).processed < 200
        last = _job()
        jobs.enqueue(queue_tasks.slow, job=last, steps=1, pause=0)
        wait_for(lambda: Job.objects.filter(pk=last.pk, status=JobStatus.DONE).exists(), what="the next task",
                 log=tmp_path / "second.log", procs=[second])
        assert second.poll() is None
    finally:
        stop_worker(second)


def test_two_workers_run_the_periodic_task_once_per_period_never_twice_at_once(transactional_db, tmp_path):
    probe = tmp_path / "probe.txt"
    env = {"GONGZHI_PROBE_FILE": str(probe)}
    workers = [start_worker(tmp_path, "--schedule", "tests.core.queue_tasks.probe=1", name=f"w{i}", env=env)
               for i in range(2)]
    try:
        wait_for(lambda: probe.exists() and probe.read_text().count("run ") >= 3, timeout=90,
                 what="three runs of the periodic task", log=tmp_path / "w0.log", procs=workers)
    finally:
        for w in workers:
            stop_worker(w)
    lines = [line.split() for line in probe.read_text().splitlines()]
    runs = sorted((float(start), float(end), pid) for kind, pid, *times in lines if kind == "run"
                  for start, end in [times])
    for (_, end, _), (start, _, _) in zip(runs, runs[1:]):
        assert start >= end, f"two runs at once: {runs}"
    # each period enqueued once across both workers: as many tasks as periods, not twice as many
    tasks = DBTaskResult.objects.filter(task_path="tests.core.queue_tasks.probe")
    span = (max(t.enqueued_at for t in tasks) - min(t.enqueued_at for t in tasks)).total_seconds()
    assert tasks.count() <= span / 1 + 1.5, (tasks.count(), span)
    started_by = {w for t in tasks.exclude(worker_ids=[]) for w in t.worker_ids}
    assert len(started_by) >= 1


@pytest.mark.parametrize("beat", [0.5])
def test_requeue_lost_leaves_a_live_workers_task_alone(db, beat, settings):
    settings.GONGZHI_WORKER_STALE_SECONDS = 3
    job = _job()
    jobs.enqueue(queue_tasks.slow, job=job, steps=1, pause=0)
    old = timezone.now() - dt.timedelta(seconds=10)
    from gongzhi.core.models import WorkerBeat
    WorkerBeat.objects.create(worker_id="alive", host="h", pid=1, started_at=old, seen_at=timezone.now())
    DBTaskResult.objects.filter(id=job.task_id).update(status=TaskResultStatus.RUNNING, started_at=old,
                                                         worker_ids=["alive"])
    assert jobs.requeue_lost() == 0
    WorkerBeat.objects.filter(worker_id="alive").update(seen_at=old)
    assert jobs.requeue_lost() == 1
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.READY
    # delivered too often: recorded failed, with its job
    DBTaskResult.objects.filter(id=job.task_id).update(status=TaskResultStatus.RUNNING, started_at=old,
                                                         worker_ids=["a", "b", "c"])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    assert jobs.requeue_lost() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "3 次中断" in job.message


def test_finished_task_rows_are_pruned_after_a_week(db):
    job = _job()
    jobs.enqueue(queue_tasks.slow, job=job, steps=1, pause=0)
    jobs.run_pending()
    assert jobs.prune() == 0
    assert jobs.prune(now=timezone.now() + dt.timedelta(days=8)) == 1
    assert Job.objects.filter(pk=job.pk, status=JobStatus.DONE).exists()  # the user's record stays
