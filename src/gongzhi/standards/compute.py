"""Metric values for all communities at once: the runner over the registered
metrics (gongzhi/standards/metrics.py). Each metric's own `compute` (in the
module that owns its data) asks the database with one grouped query, never a
Python loop over residents. Returns {metric: {community_id: value}}; a
community with nothing to count gets 0, and a ratio whose denominator is 0
gets None (no value: the indicator has no data, which earns no points and is
shown as 无数据).

Street-level metrics (street_centre_area) come back keyed by street id.
Metrics marked `period` count what happened in `year`; the others read the
registry as it stands (`as_of` for ages). Every value is computed once per
run: a metric that needs another (a ratio over households) reads it with
`ctx.get(name)` and gets the same cached values.

A pack may count a period metric over some months of the year only (`window`,
e.g. 年初 / 年末 for P-GOV-1): `get(name, window=(first, last))` computes it with
`ctx.in_year(field)` narrowed to those months, cached apart from the whole year.

With `registry_as_of` (a run for a closed period), the registry figures that have a
history (asof.READERS: households, residents, party members) are read as they stood
that day; `registry` records, per figure, whether it came from the snapshot kept when the period
closed (snapshots.py: every registry figure, read once), from the history or from today's registry (when
the history does not reach back that far).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from gongzhi.core.metrics import Context
from gongzhi.standards import asof, snapshots
from gongzhi.standards.metrics import METRICS


class NotComputable(ValueError):
    pass


class _Computer(Context):
    def __init__(self, communities: QuerySet | None = None, *, year: int | None = None,
                 as_of: dt.date | None = None, registry_as_of: dt.date | None = None):
        super().__init__(communities, year=year, as_of=as_of)
        self.registry_as_of = registry_as_of  # self.registry (figure → asof.FROM_HISTORY | FROM_TODAY): Context
        self._cache: dict[tuple, dict] = {}
        self._window: tuple[int, int] | None = None
        self._windows: dict[tuple, dict] = {}

    def in_year(self, field_name: str) -> Q:
        q = super().in_year(field_name)
        if self._window:
            q &= Q(**{f"{field_name}__month__gte": self._window[0], f"{field_name}__month__lte": self._window[1]})
        return q

    def get(self, name: str, window: tuple[int, int] | None = None) -> dict[int, float | None]:
        window = tuple(window) if window else self._window
        key = (name, window)
        if key not in self._cache:
            metric = METRICS.get(name)
            if metric is None:
                raise NotComputable(f"未知的指标数据「{name}」")
            if metric.compute is None:
                raise NotComputable(f"指标数据「{metric.title}」尚不能计算")
            if window and not metric.period:
                return self.get(name)  # a registry figure has no months: the same over any window
            outer, shared = self._window, self.shared
            if window != outer:  # a window's figures are shared among themselves, never with the year's
                self._window, self.shared = window, self._windows.setdefault(window, {})
            try:
                values = self._read(name, metric)
            finally:
                self._window, self.shared = outer, shared
            if metric.level == "street":
                self._cache[key] = values
            else:
                self._cache[key] = {cid: values.get(cid, 0) for cid in self.ids}
        return self._cache[key]

    def _read(self, name: str, metric) -> dict:
        if self.registry_as_of is not None and not metric.period:
            kept = snapshots.read(name, self, self.registry_as_of)  # kept when the period closed
            if kept is not None:
                self.registry[name] = snapshots.FROM_SNAPSHOT
                return kept
            found = asof.read(name, self, self.registry_as_of)
            if found is not None:
                self.registry[name] = found[1]
                return found[0]
            if name in asof.READERS:
                self.registry[name] = asof.FROM_TODAY
        return metric.compute(self)


def computer(communities: QuerySet | None = None, *, year: int | None = None,
             as_of: dt.date | None = None, registry_as_of: dt.date | None = None) -> _Computer:
    """A run's context over `communities` (default: all; only communities count)."""
    return _Computer(communities, year=year, as_of=as_of, registry_as_of=registry_as_of)


def compute(names, communities: QuerySet | None = None, *, year: int | None = None,
            as_of: dt.date | None = None, registry_as_of: dt.date | None = None) -> dict[str, dict[int, float | None]]:
    """Values of `names` for every community in `communities` (default: all)."""
    c = computer(communities, year=year, as_of=as_of, registry_as_of=registry_as_of)
    return {name: c.get(name) for name in names}
