"""Elections' queue task (core/jobs.py): a long roll's A3 board, typeset in a `gongzhi worker`
(elections/pdf.py). It may run again after a worker died: it writes the file again."""
from __future__ import annotations

import json
import uuid

from django.core.files.base import ContentFile
from django.utils import timezone

from gongzhi.core import job_files, jobs
from gongzhi.core.jobs import background
from gongzhi.core.models import Job
from gongzhi.elections import pdf


@background(retries=2, backoff=10)
def election_roll_pdf(*, job_id: int) -> bool | None:
    job = Job.objects.select_related("created_by").filter(pk=job_id, kind=pdf.JOB_KIND).first()
    return None if job is None else pdf.run_roll_job(job)


def start_roll_job(*, user, election, version, unit: str) -> Job:
    """Queue the roll's board: the election, the version and the printing unit go to the shared storage."""
    from gongzhi.core.exports import KEEP_HOURS
    job_files.purge(pdf.JOB_DIR, KEEP_HOURS)  # boards of earlier jobs never downloaded: personal data is not kept
    stem = f"roll-{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    params = json.dumps({"election": election.pk, "version": version.pk, "unit": unit}, ensure_ascii=False)
    stored = job_files.save(job_files.name_for(pdf.JOB_DIR, f"{stem}.json"), ContentFile(params.encode()))
    job = Job.objects.create(kind=pdf.JOB_KIND, created_by=user, input_name=pdf.filename(election, "选民名单"),
                             input_path=stored, result_path=job_files.name_for(pdf.JOB_DIR, f"{stem}.pdf"),
                             total=version.count)
    jobs.enqueue(election_roll_pdf, job=job)
    return job
