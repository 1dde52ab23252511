"""Tasks the queue tests run in real worker processes (importable as tests.core.queue_tasks)."""
import os
import time

from gongzhi.core.jobs import background, exclusive
from gongzhi.core.models import Job, JobStatus


@background(retries=2, backoff=0.2)
def flaky(*, job_id: int, fail_times: int) -> str:
    """Fails on its first `fail_times` attempts (the job counts them), then succeeds."""
    if Job.objects.get(pk=job_id).attempts <= fail_times:
        raise ConnectionError("数据库暂时不可用")
    Job.objects.filter(pk=job_id).update(status=JobStatus.DONE)
    return "ok"


@background(retries=0)
def slow(*, job_id: int, steps: int, pause: float) -> int:
    """Progress step by step, saying which process runs it (input_name)."""
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, total=steps, processed=0,
                                         input_name=str(os.getpid()))
    for n in range(1, steps + 1):
        time.sleep(pause)
        Job.objects.filter(pk=job_id).update(processed=n)
    Job.objects.filter(pk=job_id).update(status=JobStatus.DONE)
    return steps


@background(retries=0)
def cancelled_mid_query(*, job_id: int) -> None:
    """A cancellation landing while a query is in flight: the query is sent, its answer never read."""
    from django.db import connection

    from gongzhi.core.jobs import Cancelled
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        connection.connection.pgconn.send_query(b"SELECT pg_sleep(0.5)")
    raise Cancelled()


@background(retries=0)
def probe() -> None:
    """A periodic task slower than its period, under the lock: records when each run held it."""
    with exclusive("tests.probe", seconds=60) as held:
        path = os.environ["GONGZHI_PROBE_FILE"]
        if not held:
            with open(path, "a") as f:
                f.write(f"skip {os.getpid()}\n")
            return
        start = time.time()
        time.sleep(1.2)
        with open(path, "a") as f:
            f.write(f"run {os.getpid()} {start} {time.time()}\n")
