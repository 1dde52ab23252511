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
"""
from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from gongzhi.core.metrics import Context
from gongzhi.standards.metrics import METRICS


class NotComputable(ValueError):
    pass


class _Computer(Context):
    def __init__(self, communities: QuerySet | None = None, *, year: int | None = None,
                 as_of: dt.date | None = None):
        super().__init__(communities, year=year, as_of=as_of)
        self._cache: dict[str, dict] = {}

    def get(self, name: str) -> dict[int, float | None]:
        if name not in self._cache:
            metric = METRICS.get(name)
            if metric is None:
                raise NotComputable(f"未知的指标数据「{name}」")
            if metric.compute is None:
                raise NotComputable(f"指标数据「{metric.title}」尚不能计算")
            values = metric.compute(self)
            if metric.level == "street":
                self._cache[name] = values
            else:
                self._cache[name] = {cid: values.get(cid, 0) for cid in self.ids}
        return self._cache[name]


def computer(communities: QuerySet | None = None, *, year: int | None = None,
             as_of: dt.date | None = None) -> _Computer:
    """A run's context over `communities` (default: all; only communities count)."""
    return _Computer(communities, year=year, as_of=as_of)


def compute(names, communities: QuerySet | None = None, *, year: int | None = None,
            as_of: dt.date | None = None) -> dict[str, dict[int, float | None]]:
    """Values of `names` for every community in `communities` (default: all)."""
    c = computer(communities, year=year, as_of=as_of)
    return {name: c.get(name) for name in names}
