"""A period's close: the registry's figures kept for its runs (standards/snapshots.py says what is kept and how
the runs read it). Above the engine (it computes the figures with standards.compute), below the tasks and
the command that call it."""
from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from gongzhi.core.metrics import end_of
from gongzhi.places.models import Level, Place
from gongzhi.standards import asof, compute
from gongzhi.standards.compute import NotComputable
from gongzhi.standards.metrics import METRICS
from gongzhi.standards.models import RegistrySnapshot, SnapshotFigure

log = logging.getLogger(__name__)

ON_TIME = dt.timedelta(days=1)  # a figure read from today's registry is kept only this soon after the day's end


def period_end(today: dt.date) -> dt.date:
    """The end of the last closed period (the assessment year) on `today`."""
    return dt.date(today.year - 1, 12, 31)


def figures() -> list[str]:
    """The metrics a snapshot keeps: community-level figures of the registry that can be computed."""
    return [name for name in METRICS
            if METRICS[name].compute is not None and not METRICS[name].period and METRICS[name].level == "community"]


def take(day: dt.date, *, now: dt.datetime | None = None) -> RegistrySnapshot:
    """Keep the registry's figures of every community as they stood at the end of `day` (once: a second call
    hands back the snapshot already taken). Only after the day has ended."""
    now = now or timezone.now()
    if now < end_of(day):
        raise ValueError(f"{day.isoformat()} 尚未结束,不能留存期末数据")
    done = RegistrySnapshot.objects.filter(day=day).first()
    if done is not None:
        return done
    on_time = now < end_of(day) + ON_TIME
    ctx = compute.computer(Place.objects.filter(level=Level.COMMUNITY), year=day.year, as_of=day,
                           registry_as_of=day)
    # taken late, today's registry is not the day's any more: only the figures a closed period's run can read
    # from the history (Metric.history) are computed, and kept where the history reached back to the day
    names = figures() if on_time else [n for n in figures() if METRICS[n].history]
    kept, left_out = {}, [n for n in figures() if n not in names]
    for name in names:
        try:
            values = ctx.get(name)
        except NotComputable:
            continue
        history = METRICS[name].history
        source = asof.FROM_HISTORY if history and all(
            ctx.registry.get(k) == asof.FROM_HISTORY for k in history) else asof.FROM_TODAY
        if source == asof.FROM_HISTORY or on_time:
            kept[name] = (values, source)
        else:
            left_out.append(name)
    with transaction.atomic():
        snapshot, created = RegistrySnapshot.objects.get_or_create(
            day=day, defaults={"taken_at": now, "on_time": on_time, "figures": len(kept), "left_out": left_out})
        if created:  # a concurrent take got there first otherwise: its figures stand
            SnapshotFigure.objects.bulk_create(
                [SnapshotFigure(snapshot=snapshot, metric=name, community_id=cid, value=value, source=source)
                 for name, (values, source) in kept.items() for cid, value in values.items()], batch_size=2000)
    return snapshot


def close_sweep(today: dt.date | None = None) -> int | None:
    """Periodic work: take the snapshot of the last closed period if it has not been taken (None: nothing to do)."""
    day = period_end(today or timezone.localdate())
    if RegistrySnapshot.objects.filter(day=day).exists() or not Place.objects.filter(level=Level.COMMUNITY).exists():
        return None
    snapshot = take(day)
    log.info("registry snapshot of %s: %s figures kept, %s left out", day.isoformat(), snapshot.figures,
             len(snapshot.left_out))
    return snapshot.figures
