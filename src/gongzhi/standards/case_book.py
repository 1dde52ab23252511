"""The book of a case call's selected cases (cases.render_book: WeasyPrint, Noto CJK), typeset while the
request waits or, when large, on the job queue (core/jobs.py), the way the elections' roll board is.

Measured on the 2-core machine: 0.3 s for the cover and contents, about 18 ms per 1,000 characters of
case text (40 ms for a case of the suggested 2,000), about 20 ms per photo (2–9 MB). A book estimated over
BACKGROUND_SECONDS (the roll board's budget: about 70 cases of 2,000 characters, or fewer long ones), or
whose photos weigh more than BACKGROUND_PHOTO_BYTES (the PDF embeds them as they are, so an inline book
that size would sit in the web worker's memory and go out through the request), is typeset on the queue
while a page shows its state, and the file is handed over once from the shared storage
(core/job_files.py). A small book (ten cases with a phone photo each, forty with small pictures) still
comes at once: the queue would only add a page and a worker's poll to a wait of a second or two.
"""
from __future__ import annotations

import json
import logging
import re

from django.core.files.base import ContentFile
from django.utils import timezone

from gongzhi.core import job_files
from gongzhi.core.models import Job, JobStatus

log = logging.getLogger("gongzhi.standards")

BACKGROUND_SECONDS = 3.0  # a book estimated longer than this is typeset on the queue
BACKGROUND_PHOTO_BYTES = 50 * 2**20  # and so is one whose photos weigh more than this
SECONDS_BASE = 0.3  # cover, contents, fonts
SECONDS_PER_1000_CHARS = 0.018
SECONDS_PER_PHOTO = 0.02
SECONDS_PER_CASE = 0.08  # the job page's estimate, which knows only how many cases (a case and a photo)
JOB_KIND = "case_book_pdf"
JOB_DIR = "case-books"
ERR_FAILED = "生成案例汇编 PDF 失败:{error}"
ERR_CALL = "未找到该征集,或您已不是其征集单位"
ERR_RENDER = "排版出错({error}),请检查入选案例的正文和图片附件后重新生成"
_CALL_IN_NAME = re.compile(r"/call-(\d+)-")


def _photos(case) -> list:
    return [a for a in case.attachments.all() if a.content_type != "application/pdf"]


def estimate(cases) -> float:
    """Seconds to typeset the book of `cases` (cases.book_cases: attachments prefetched, no query)."""
    chars = sum(len(c.text) for c in cases)
    photos = sum(len(_photos(c)) for c in cases)
    return SECONDS_BASE + chars / 1000 * SECONDS_PER_1000_CHARS + photos * SECONDS_PER_PHOTO


def photo_bytes(cases) -> int:
    return sum(a.size for c in cases for a in _photos(c))


def queued(cases) -> bool:
    """Is the book of `cases` typeset on the queue rather than in the request?"""
    return estimate(cases) > BACKGROUND_SECONDS or photo_bytes(cases) > BACKGROUND_PHOTO_BYTES


def filename(call) -> str:
    return f"{call.title}-案例汇编.pdf"


def stem_prefix(call) -> str:
    """The start of the storage names of `call`'s book jobs (jobs/case-books/call-<id>-…)."""
    return job_files.name_for(JOB_DIR, f"call-{call.pk}-")


def call_id(job: Job) -> int | None:
    """The call a book job is for, read from its file's name (for the page's way back)."""
    found = _CALL_IN_NAME.search(job.result_path or "")
    return int(found.group(1)) if found else None


def _fail(job: Job, error: str) -> None:
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                         message=ERR_FAILED.format(error=error[:300]))
    job_files.delete(job.input_path)


def run_book_job(job: Job) -> bool:
    """Typeset the queued book, reading the call and its selected cases through the owner's scope for
    ORGANISE_CASES as it is now (a post taken away since refuses it; a case selected since is in it).
    True when the file is stored. A refusal or a failed typesetting is recorded, not retried (the same
    cases fail the same way); a storage error escapes and the queue retries it."""
    from gongzhi.core.scope import Scope
    from gongzhi.standards import cases
    from gongzhi.standards.manifest import ORGANISE_CASES

    try:
        params = json.loads(job_files.read_text(job.input_path))
        scope = Scope.for_user_capability(job.created_by, ORGANISE_CASES)
        call = cases.visible_calls(scope).filter(pk=params["call"]).first()
        if call is None:
            raise LookupError(ERR_CALL)
        book = cases.book_cases(call=call, scope=scope)  # CaseError (a ValueError): no longer organiser, none selected
    except (OSError, ValueError, KeyError, LookupError) as exc:
        _fail(job, str(exc) or type(exc).__name__)
        return False
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, total=len(book))
    try:
        body = cases.render_book(call=call, cases=book)
    except Exception as exc:
        log.exception("case book of call %s (job %s) failed", call.pk, job.pk)
        _fail(job, ERR_RENDER.format(error=str(exc)[:200] or type(exc).__name__))
        return False
    kept = job_files.save(job.result_path, ContentFile(body))
    job_files.delete(job.input_path)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, processed=len(book), accepted=len(book),
                                         result_path=kept, finished_at=timezone.now())
    return True
