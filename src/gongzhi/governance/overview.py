"""A street's (or the district's, or one committee's) table of self-governance per community:
topics raised and answered in time, sessions held, decisions voted and passed, projects on
schedule, disclosure categories left stale. The figures are the modules' registered metrics
(core.metrics.REGISTERED), computed by the database for the communities the caller's posts reach
with this page's capability; a module that is not installed leaves its columns out. The same rows
download as xlsx."""
from __future__ import annotations

from dataclasses import dataclass

from django.shortcuts import render
from django.utils import timezone

from gongzhi.core.exports import xlsx_response
from gongzhi.core.metrics import REGISTERED, Figures
from gongzhi.core.permissions import requires
from gongzhi.governance import selectors
from gongzhi.governance.manifest import VIEW_OVERVIEW


@dataclass(frozen=True)
class Column:
    metric: str  # a registered metric's name
    header: str
    total: str = "sum"  # sum | ratio: the total row adds counts, or divides the sums of the parts
    alert: bool = False  # a value above 0 is a problem (red)
    bar: bool = False  # a percentage drawn as a bar


COLUMNS = (
    Column("topics_raised", "议题"),
    Column("topics_answered_on_time_rate", "按时答复率", total="ratio", bar=True),
    Column("topics_overdue", "超时未答复", alert=True),
    Column("sessions_held", "协商会议"),
    Column("decisions_voted", "表决事项"),
    Column("decisions_adopted", "通过"),
    Column("decisions_without_quorum", "不足法定人数", alert=True),
    Column("active_projects", "实施中项目"),
    Column("projects_on_schedule_share", "项目按期率", total="ratio", bar=True),
    Column("disclosure_categories_stale", "公开逾期类别", alert=True),
)


def _columns() -> list[Column]:
    return [c for c in COLUMNS if c.metric in REGISTERED]


def _total(column: Column, figures: Figures, ids: list[int]):
    if column.total == "ratio":
        parts = REGISTERED[column.metric].ratio
        num, den = figures.get(parts.numerator), figures.get(parts.denominator)
        den_sum = sum(den[i] or 0 for i in ids)
        return round(sum(num[i] or 0 for i in ids) * 100 / den_sum, 2) if den_sum else None
    values = figures.get(column.metric)
    return sum(values[i] or 0 for i in ids)


def table(scope, year: int) -> tuple[list[Column], list[dict], dict]:
    communities = selectors.communities_in(scope).select_related("parent")
    today = timezone.localdate()
    figures = Figures(communities, year=year, as_of=min(today, today.replace(year=year, month=12, day=31)))
    columns = _columns()
    values = {c.metric: figures.get(c.metric) for c in columns}
    rows = [{"community": place, "cells": [{"column": c, "value": values[c.metric][place.pk]} for c in columns]}
            for place in communities]
    totals = {c.metric: _total(c, figures, figures.ids) for c in columns}
    return columns, rows, totals


def _year(request) -> int:
    this = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this))
    except ValueError:
        return this
    return year if this - 5 <= year <= this else this


@requires(VIEW_OVERVIEW)
def overview(request):
    year = _year(request)
    columns, rows, totals = table(request.scope, year)
    if request.GET.get("format") == "xlsx":
        header = ["社区", "街道(镇)"] + [f"{c.header}({REGISTERED[c.metric].unit})" for c in columns]
        body = [[r["community"].name, r["community"].parent.name if r["community"].parent else ""]
                + [cell["value"] for cell in r["cells"]] for r in rows]
        body.append(["合计", ""] + [totals[c.metric] for c in columns])
        return xlsx_response(filename=f"居民自治概况-{year}.xlsx", sheets=[(f"{year}年", header, body)],
                             prefix="selfgov")
    this = timezone.localdate().year
    return render(request, "governance/overview.html", {
        "year": year, "years": range(this, this - 6, -1), "columns": columns, "rows": rows,
        "totals": [{"value": totals[c.metric], "ratio": c.total == "ratio"} for c in columns]})
