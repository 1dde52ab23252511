"""The standards layer's queue tasks (core/jobs.py): an assessment run a page started (the run row,
AssessmentRun, is the record its pages poll; a run whose worker died runs again from the start), and a
case call's large book (standards/case_book.py; a core.Job, polled like the elections' roll board)."""
from __future__ import annotations

import json
import uuid

from django.core.files.base import ContentFile
from django.utils import timezone

from gongzhi.core import job_files, jobs
from gongzhi.core.jobs import background
from gongzhi.core.models import Job, JobStatus
from gongzhi.standards import case_book


@background(retries=0)
def run_assessment(run_id: int) -> dict | None:
    from gongzhi.standards import assess
    from gongzhi.standards.models import AssessmentRun, RunStatus

    run = AssessmentRun.objects.filter(pk=run_id).first()
    if run is None or run.status == RunStatus.DONE:
        return None
    # a failing run records why on its row (assess.run) and is not retried: the same data fails the same way
    assess.run(run, assess.pack_of(run))
    return {"run": run.pk}


@background(retries=2, backoff=10)
def case_book_pdf(*, job_id: int) -> bool | None:
    """It may run again after a worker died: it writes the file again."""
    job = Job.objects.select_related("created_by").filter(pk=job_id, kind=case_book.JOB_KIND).first()
    return None if job is None else case_book.run_book_job(job)


def start_book_job(*, user, call, cases) -> Job:
    """Queue the book of `call` for `user`, whom the page found organising it (`cases`: cases.book_cases),
    or hand back the same user's book of this call still waiting in the queue: a second click queues
    nothing (one already running read the cases as they were then, so a new one is queued)."""
    from gongzhi.core.exports import KEEP_HOURS

    prefix = case_book.stem_prefix(call)
    waiting = Job.objects.filter(kind=case_book.JOB_KIND, created_by=user, status=JobStatus.QUEUED,
                                 result_path__startswith=prefix).values_list("pk", flat=True).first()
    if waiting is not None:
        return jobs.owned(user, waiting, case_book.JOB_KIND)
    job_files.purge(case_book.JOB_DIR, KEEP_HOURS)  # books of earlier jobs never downloaded are not kept
    stem = f"{prefix}{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    params = json.dumps({"call": call.pk}, ensure_ascii=False)
    stored = job_files.save(f"{stem}.json", ContentFile(params.encode()))
    job = Job.objects.create(kind=case_book.JOB_KIND, created_by=user, input_name=case_book.filename(call),
                             input_path=stored, result_path=f"{stem}.pdf", total=len(cases))
    jobs.enqueue(case_book_pdf, job=job)
    return job


CLOSE_LOCK = "standards.registry_close"


@background(retries=0, priority=10)
def registry_close_sweep() -> int | None:
    """Periodic work: keep the registry's figures of the period that has just closed (closing.py), once,
    on whichever node gets there first."""
    from gongzhi.standards import closing

    with jobs.exclusive(CLOSE_LOCK, seconds=3600) as held:
        return closing.close_sweep() if held else None
