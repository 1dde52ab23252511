"""Self-governance's queue tasks (core/jobs.py): the sweep that escalates overdue topic answers
(governance/escalation.py), run as periodic work on every node and never twice at once."""
from __future__ import annotations

import logging

from gongzhi.core.jobs import background, exclusive

log = logging.getLogger(__name__)
SWEEP_LOCK = "governance.topic_sweep"


@background(retries=0, priority=10)
def topic_sweep() -> int | None:
    from gongzhi.governance.escalation import escalate_overdue_topics

    with exclusive(SWEEP_LOCK, seconds=600) as held:
        if not held:
            return None
        count = escalate_overdue_topics()
    if count:
        log.info("topics escalated: %s", count)
    return count
