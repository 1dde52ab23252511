"""Work-order rates for the standards engine, from the work-order figures' own
definitions (selectors.figures_of). Registered in manifest.py under
extras["metrics"]; see gongzhi/core/metrics.py for what a metric is."""
from __future__ import annotations

import datetime as dt

from gongzhi.core.metrics import Context, Metric, evidence
from gongzhi.workorders.models import WorkOrder
from gongzhi.workorders.selectors import RATE_COUNTS, figures_of

FIGURES = evidence("工单统计", "workorders:figures", start="{year}-01-01", end="{year}-12-31", group="community")


def _rate(ctx: Context, field: str) -> dict:
    """One rate per community: one grouped query for the three rates, only the counts they need."""
    def build():
        rows = figures_of(WorkOrder.objects.filter(ctx.scope), start=dt.date(ctx.year, 1, 1),
                          end=dt.date(ctx.year, 12, 31), group="community_id", only=RATE_COUNTS)
        return {r["community_id"]: r for r in rows if r["community_id"]}
    rates = {cid: row[field] for cid, row in ctx.once("workorders.rates", build).items()}
    return {cid: rates.get(cid) for cid in ctx.ids}


def work_order_closure_rate(ctx):
    return _rate(ctx, "closure_rate")


def work_order_on_time_rate(ctx):
    return _rate(ctx, "on_time_rate")


def work_order_satisfaction_rate(ctx):
    return _rate(ctx, "satisfaction_rate")


METRICS = (
    Metric("work_order_closure_rate", "工单结案率", "%", period=True, compute=work_order_closure_rate,
           evidence=FIGURES),
    Metric("work_order_on_time_rate", "工单按期结案率", "%", period=True, compute=work_order_on_time_rate,
           evidence=FIGURES),
    Metric("work_order_satisfaction_rate", "工单满意率", "%", period=True, compute=work_order_satisfaction_rate,
           evidence=FIGURES),
)
