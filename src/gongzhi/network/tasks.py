"""The network's periodic work (core/jobs.py): the sweep telling communities of evaluations due."""
from __future__ import annotations

import logging

from gongzhi.core.jobs import background, exclusive

log = logging.getLogger(__name__)
SWEEP_LOCK = "network.evaluation_due"


@background(retries=0, priority=10)
def evaluation_due_sweep() -> int | None:
    from gongzhi.network.activities import evaluations_due

    with exclusive(SWEEP_LOCK, seconds=600) as held:
        if not held:
            return None
        count = evaluations_due()
    if count:
        log.info("service projects with an evaluation due: %s", count)
    return count
