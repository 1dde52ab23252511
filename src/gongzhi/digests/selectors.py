"""Reads of the digests module: only ever the caller's own preferences, follows and digests."""
from __future__ import annotations

from gongzhi.core import notices
from gongzhi.digests.models import Digest, Follow


def my_follows(user) -> list[dict]:
    """The user's current follows, each with the thing's title while they may still see it."""
    found = notices.followables()
    rows = []
    for f in Follow.objects.filter(user=user, ended_at__isnull=True).order_by("-started_at")[:100]:
        followable = found.get(f.target)
        obj = notices.access_followable(followable, user, f.target_id) if followable else None
        rows.append({"follow": f, "label": followable.label if followable else f.target,
                     "title": (getattr(obj, "title", None) or str(obj)) if obj is not None else "(已无权查看)",
                     "visible": obj is not None})
    return rows


def my_digests(user, limit: int = 10):
    return Digest.objects.filter(user=user)[:limit]
