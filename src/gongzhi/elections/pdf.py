"""The A3 boards of an election (roll, candidate lists, result) typeset by WeasyPrint with Noto CJK.

A long roll takes a while (4,812 voters: 19 s on the 2-core machine, about 4 ms a voter): above
ROLL_PDF_BACKGROUND voters it is typeset on the job queue (core/jobs.py) while the page shows its state,
and the file, which lists personal data, is handed over once from the shared storage (core/job_files.py).
"""
from __future__ import annotations

import json

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from gongzhi.core import job_files
from gongzhi.core.models import Job, JobStatus

ROLL_PDF_BACKGROUND = 600  # voters; a shorter roll is typeset while the request waits (under ~3 s)
SECONDS_PER_VOTER = 0.004  # for the page's estimate
JOB_KIND = "election_roll_pdf"
JOB_DIR = "election-pdfs"
ERR_FAILED = "生成选民名单 PDF 失败:{error}"


def board(*, election, template: str, title: str, unit: str, context: dict) -> bytes:
    from weasyprint import HTML

    from gongzhi.core.templatetags.gongzhi_print import PLATFORM
    html = render_to_string(template, {"e": election, "title": title, "platform": PLATFORM, "unit": unit,
                                       "printed_at": timezone.localtime(), **context})
    return HTML(string=html).write_pdf()


def roll_board(*, election, version, unit: str) -> bytes:
    return board(election=election, template="elections/roll_print.html", title="选民名单", unit=unit,
                 context={"version": version})


def filename(election, title: str) -> str:
    return f"{title}-{election.community.name}.pdf"


def run_roll_job(job: Job) -> bool:
    """Typeset the queued roll, reading the election through its owner's scope as it is now (a post
    taken away since refuses it). True when the file is stored."""
    from django.http import Http404

    from gongzhi.core.scope import Scope
    from gongzhi.elections import selectors
    from gongzhi.elections.manifest import VIEW_ELECTIONS
    from gongzhi.elections.models import RollVersion

    try:
        params = json.loads(job_files.read_text(job.input_path))
        scope = Scope.for_user_capability(job.created_by, VIEW_ELECTIONS)
        election = selectors.access_election(scope, params["election"])
        version = election.roll_versions.get(pk=params["version"])
    except (OSError, ValueError, KeyError, Http404, RollVersion.DoesNotExist) as exc:  # refused: no retry helps
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                             message=ERR_FAILED.format(error=str(exc)[:200] or type(exc).__name__))
        job_files.delete(job.input_path)
        return False
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    body = roll_board(election=election, version=version, unit=params.get("unit", ""))
    kept = job_files.save(job.result_path, ContentFile(body))
    job_files.delete(job.input_path)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, processed=version.count, accepted=version.count,
                                         result_path=kept, finished_at=timezone.now())
    return True
