"""Elections' queue task (core/jobs.py): a long roll's A3 board, typeset in a `gongzhi worker`
(elections/pdf.py). It may run again after a worker died: it writes the file again."""
from __future__ import annotations

from gongzhi.core.jobs import background
from gongzhi.core.models import Job


@background(retries=2, backoff=10)
def election_roll_pdf(*, job_id: int) -> bool | None:
    from gongzhi.elections import pdf
    job = Job.objects.select_related("created_by").filter(pk=job_id, kind=pdf.JOB_KIND).first()
    return None if job is None else pdf.run_roll_job(job)
