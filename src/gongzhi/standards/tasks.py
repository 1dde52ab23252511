"""The standards layer's queue task (core/jobs.py): an assessment run a page started. The run row
(AssessmentRun) is the record its pages poll; a run whose worker died runs again from the start."""
from __future__ import annotations

from gongzhi.core.jobs import background


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
