"""The metrics a policy pack may name: the registry's view.

Every module defines the figures it owns in its own `metrics.py` (a tuple of
`gongzhi.core.metrics.Metric`: name, title, unit, level, period, note, the
compute function, where its records are listed, the parts of a ratio) and
registers it in its manifest under `extras["metrics"]`. `METRICS` maps each
registered name to its Metric, in module (INSTALLED_APPS) order and each
module's own order; a pack naming anything else is refused when it loads.

The standards module's own metrics are the survey rates (`SURVEY_METRICS`).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.db.models import Count, Q
from django.utils.module_loading import import_string

from gongzhi.core import modules
from gongzhi.core.metrics import Metric, evidence, grouped
from gongzhi.standards.models import SurveyKind, SurveyResponse

__all__ = ["METRICS", "SURVEY_METRICS", "Metric"]


def _resolve(item) -> tuple[Metric, ...]:
    """An entry of extras["metrics"]: a Metric, or the dotted path of one or of a tuple of them."""
    if isinstance(item, str):
        item = import_string(item)
    found = (item,) if isinstance(item, Metric) else tuple(item)
    for m in found:
        if not isinstance(m, Metric):
            raise modules.RegistryError(f"extras[\"metrics\"] 中的 {m!r} 不是 Metric")
    return found


class _Registered(Mapping):
    """name → Metric over everything the modules registered; rebuilt when the registry
    (or a registered list) changes, e.g. a module registered by a test."""

    def __init__(self):
        self._key: tuple | None = None
        self._version: tuple | None = None
        self._by_name: dict[str, Metric] = {}

    def _current(self) -> dict[str, Metric]:
        version = modules.version()
        if version == self._version:  # the common case: nothing registered since (a lookup per result)
            return self._by_name
        registered = tuple(m for item in modules.extras("metrics") for m in _resolve(item))
        # by identity: a list replaced by an equal-looking one (another compute) is a change
        if self._key is None or len(registered) != len(self._key) or \
                any(a is not b for a, b in zip(registered, self._key)):
            by_name: dict[str, Metric] = {}
            for m in registered:
                if m.name in by_name:
                    raise modules.RegistryError(f"指标数据「{m.name}」重复注册")
                by_name[m.name] = m
            self._by_name, self._key = by_name, registered
        self._version = version
        return self._by_name

    def __getitem__(self, name: str) -> Metric:
        return self._current()[name]

    def __contains__(self, name) -> bool:
        return name in self._current()

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())

    def __repr__(self) -> str:
        return f"<registered metrics: {', '.join(self._current())}>"


METRICS: Mapping[str, Metric] = _Registered()


# -- the standards module's own metrics: surveys (P-EVAL-2, P-GRID-7, P-PROP-2) --------------
SURVEYS = evidence("问卷", "standards:surveys")


def _survey(ctx, kind: str) -> dict:
    """Positive responses ÷ responses from the community's residents in the year."""
    rows = grouped(SurveyResponse.objects.filter(ctx.scope, survey__kind=kind, submitted_at__year=ctx.year),
                   "community_id", n=Count("id"), positive=Count("id", filter=Q(positive=True)))
    return {cid: (round(100.0 * rows[cid]["positive"] / rows[cid]["n"], 2) if cid in rows else None)
            for cid in ctx.ids}


def satisfaction_rate(ctx):
    return _survey(ctx, SurveyKind.SATISFACTION)


def sense_of_security_rate(ctx):
    return _survey(ctx, SurveyKind.SECURITY)


def property_satisfaction_rate(ctx):
    return _survey(ctx, SurveyKind.PROPERTY)


SURVEY_METRICS = (
    Metric("satisfaction_rate", "居民满意度(问卷)", "%", period=True, compute=satisfaction_rate,
           evidence=SURVEYS),
    Metric("sense_of_security_rate", "群众安全感(问卷)", "%", period=True, compute=sense_of_security_rate,
           evidence=SURVEYS),
    Metric("property_satisfaction_rate", "物业服务满意度(问卷)", "%", period=True,
           compute=property_satisfaction_rate, evidence=SURVEYS),
)
