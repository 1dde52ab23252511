"""Care's queue tasks (core/jobs.py): the sweep that reminds of and escalates overdue visits
(care/escalation.py), run as periodic work on every node and never twice at once."""
from __future__ import annotations

import logging

from gongzhi.core.jobs import background, exclusive

log = logging.getLogger(__name__)
SWEEP_LOCK = "care.visit_sweep"


@background(retries=0, priority=10)
def visit_sweep() -> int | None:
    from gongzhi.care.escalation import escalate_overdue_visits

    with exclusive(SWEEP_LOCK, seconds=1800) as held:
        if not held:
            return None
        count = escalate_overdue_visits()
    if count:
        log.info("care visit steps taken: %s", count)
    return count
