"""The digests' queue task (core/jobs.py), registered as periodic work in the manifest: every worker
enqueues it each GONGZHI_DIGEST_EVERY seconds (once across all nodes); `sending.send_due` sends each
due digest once even if two runs overlap (one `Digest` row per user, frequency and period)."""
from __future__ import annotations

import logging

from gongzhi.core.jobs import background, exclusive

log = logging.getLogger(__name__)
LOCK = "digests.send"


@background(retries=0, priority=8)
def send_digests() -> int | None:
    from gongzhi.digests.sending import send_due

    with exclusive(LOCK, seconds=900) as held:
        if not held:
            return None
        count = send_due()
    if count:
        log.info("digests sent: %s", count)
    return count
