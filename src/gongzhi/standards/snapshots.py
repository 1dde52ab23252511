"""The registry's figures kept at a period's close (issue 16: "from the history the platform already keeps,
or from a snapshot taken when the period closes, and say which").

Reading the registry as it stood at a period's end from the history (asof.py) costs more the more has been
recorded since: the history's tail. A closed period's figures never change, so they are taken once, just
after the period ends (standards/closing.py: periodic work at the end of each year), and every run of that
period reads them (`read`, here, below the engine): its run then costs what today's does, however long ago
the period closed.

What is kept: every community-level figure that reads the registry (not a period's count), for every
community, read as of the day as a closed period's run reads it. A figure read from the history is kept
whenever the snapshot is taken; one read from the registry as it stands (care stations, places, the
derived care groups...) only when taken within a day of the period's end (`closing.ON_TIME`), when the
registry still stood as it did. A run reads a figure from the snapshot only when it holds every community
of the run (a community set up since sends it back to the history), and its page says so
(assess.registry_note).
"""
from __future__ import annotations

import datetime as dt

from gongzhi.standards.models import SnapshotFigure

FROM_SNAPSHOT = "snapshot"


def read(name: str, ctx, day: dt.date) -> dict | None:
    """{community id: value} of figure `name` kept for `day`, or None when the snapshot does not hold it for
    every community of `ctx` (or `ctx` counts another year, or ages on another day, than the snapshot did)."""
    if ctx.year != day.year or ctx.as_of != day:
        return None
    kept = dict(SnapshotFigure.objects.filter(snapshot__day=day, metric=name).values_list("community_id", "value"))
    if not kept or any(cid not in kept for cid in ctx.ids):
        return None
    return {cid: kept[cid] for cid in ctx.ids}
