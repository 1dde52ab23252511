"""The work-order engine's queue tasks (core/jobs.py): the overdue sweep, which every worker enqueues
once per GONGZHI_SWEEP_EVERY across all nodes and which never runs twice at once (a lock in the
database). The delivery of notices to the external senders is a task too: notify.deliver."""
from __future__ import annotations

import logging

from gongzhi.core.jobs import background, exclusive

log = logging.getLogger(__name__)
SWEEP_LOCK = "workorders.overdue_sweep"


@background(retries=0, priority=10)
def overdue_sweep() -> int | None:
    """One sweep, unless another is running (then this one has nothing to do: the running one sweeps)."""
    from gongzhi.workorders.escalation import escalate_overdue

    with exclusive(SWEEP_LOCK, seconds=600) as held:
        if not held:
            return None
        count = escalate_overdue()
    if count:
        log.info("escalated: %s", count)
    return count
