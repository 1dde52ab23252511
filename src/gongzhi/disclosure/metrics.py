"""The disclosure board's figures for the standards engine and the street's self-governance table
(registered in manifest.py under extras["metrics"]; see gongzhi/core/metrics.py)."""
from __future__ import annotations

from gongzhi.core.metrics import Context, Metric, evidence
from gongzhi.disclosure.freshness import annotate_freshness

FRESHNESS = evidence("居务公开更新情况", "disclosure:freshness")


def disclosure_categories_stale(ctx: Context):
    """How many of the four categories (plans, results, finances, major matters; P-GOV-4) a
    community let pass a whole period without a refresh, on the run's day: one grouped query."""
    qs, _windows = annotate_freshness(ctx.communities, ctx.as_of)
    return dict(qs.order_by().values_list("pk", "stale"))


METRICS = (
    Metric("disclosure_categories_stale", "逾期未更新的居务公开类别", "类", compute=disclosure_categories_stale,
           evidence=FRESHNESS,
           note="工作计划、工作成果、财务收支、重大事项中,超过一个更新周期(默认一季度)未公开的类别数"),
)
