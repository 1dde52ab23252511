"""Is each category of each community's board refreshed within its period?

Periods are aligned to the calendar year: a quarterly category's periods are Jan–Mar, Apr–Jun,
Jul–Sep, Oct–Dec (monthly: each month; half-yearly: Jan–Jun, Jul–Dec; yearly: the year). For the
date `today`, a category is

- 已更新 (fresh): something was published on or after the start of the current period;
- 本期待更新 (due): the last publication was in the previous period: the current one is still open;
- 逾期未更新 (stale, red): nothing since before the previous period began (a whole period passed
  without a refresh), or nothing ever.

What counts is the community's ledger of disclosures (`ledgers.Disclosure`, not voided, dated no
later than today): the rows this board writes and the ones typed in by hand for the past, so the
book and the alert agree. The status is computed by the database, one grouped query for all the
communities asked about (`annotate_freshness`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, IntegerField, Max, Q, QuerySet, Value, When

from gongzhi.disclosure.models import DEFAULT_REFRESH_MONTHS, Category, CategoryRule

FRESH, DUE, STALE = "fresh", "due", "stale"
STATUS_LABELS = {FRESH: "已更新", DUE: "本期待更新", STALE: "逾期未更新"}


def period_start(day: dt.date, months: int) -> dt.date:
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def shift_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_bounds(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the period holding `day`."""
    start = period_start(day, months)
    return start, shift_months(start, months) - dt.timedelta(days=1)


def period_label(start: dt.date, months: int) -> str:
    if months == 12:
        return f"{start.year} 年"
    if months == 6:
        return f"{start.year} 年{'上' if start.month == 1 else '下'}半年"
    if months == 3:
        return f"{start.year} 年第{'一二三四'[(start.month - 1) // 3]}季度"
    return f"{start.year} 年 {start.month} 月"


def refresh_months() -> dict[str, int]:
    """Each category's period in months (quarterly unless a rule says otherwise)."""
    saved = dict(CategoryRule.objects.values_list("category", "refresh_months"))
    return {c: saved.get(c, DEFAULT_REFRESH_MONTHS) for c in Category.values}


@dataclass(frozen=True)
class Window:
    category: str
    label: str
    months: int
    start: dt.date  # the current period's first day
    previous: dt.date  # the previous period's first day
    period: str  # 2026 年第四季度

    @property
    def last_key(self) -> str:
        return f"last_{self.category}"

    @property
    def status_key(self) -> str:
        return f"status_{self.category}"


def windows(today: dt.date) -> list[Window]:
    months = refresh_months()
    out = []
    for value, label in Category.choices:
        m = months[value]
        start = period_start(today, m)
        out.append(Window(value, label, m, start, shift_months(start, -m), period_label(start, m)))
    return out


def status_of(last: dt.date | None, window: Window) -> str:
    """The plain reference of the database's Case below (tests check they agree)."""
    if last is None or last < window.previous:
        return STALE
    return FRESH if last >= window.start else DUE


def annotate_freshness(communities: QuerySet, today: dt.date) -> tuple[QuerySet, list[Window]]:
    """`communities` (Place rows) with, per category, the last publication date (`last_<c>`), the
    status (`status_<c>`), and `stale` (how many categories are red), ordered reddest first."""
    ws = windows(today)
    annotations, stale_terms = {}, []
    live = Q(disclosures__voided="", disclosures__published_on__lte=today)
    for w in ws:
        annotations[w.last_key] = Max("disclosures__published_on", filter=live & Q(disclosures__kind=w.category))
    qs = communities.annotate(**annotations)
    statuses = {}
    for w in ws:
        statuses[w.status_key] = Case(
            When(**{f"{w.last_key}__gte": w.start}, then=Value(FRESH)),
            When(**{f"{w.last_key}__gte": w.previous}, then=Value(DUE)),
            default=Value(STALE), output_field=CharField())
        stale_terms.append(Case(When(**{f"{w.last_key}__gte": w.previous}, then=Value(0)), default=Value(1),
                                output_field=IntegerField()))
    stale = stale_terms[0]
    for term in stale_terms[1:]:
        stale = stale + term
    return qs.annotate(**statuses, stale=stale).order_by("-stale", "path"), ws


def rows(communities: QuerySet, today: dt.date) -> tuple[list[dict], list[Window]]:
    """The table's rows: community, street, and per category (last date, status)."""
    qs, ws = annotate_freshness(communities.select_related("parent"), today)
    out = []
    for place in qs:
        out.append({"community": place, "stale": place.stale,
                    "cells": [{"window": w, "last": getattr(place, w.last_key),
                               "status": getattr(place, w.status_key),
                               "label": STATUS_LABELS[getattr(place, w.status_key)]} for w in ws]})
    return out, ws


def summary(communities: QuerySet, today: dt.date) -> dict:
    """Per category, how many of the communities are fresh, due and stale (one aggregate query)."""
    from django.db.models import Count
    qs, ws = annotate_freshness(communities, today)
    aggregates = {}
    for w in ws:
        for status in (FRESH, DUE, STALE):
            aggregates[f"{w.category}_{status}"] = Count("pk", filter=Q(**{w.status_key: status}))
    counts = qs.order_by().aggregate(**aggregates) if ws else {}
    return {"windows": ws, "by_category": [
        {"window": w, **{s: counts.get(f"{w.category}_{s}", 0) for s in (FRESH, DUE, STALE)}} for w in ws]}
