"""Complaints about an estate's property services: the work orders of property categories
(workorders.Category whose code is `property` or starts with `property_`) raised by a household of
the estate, with the time to rectify (reported → replied by the handler) against the order's limit."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.utils import timezone

from gongzhi.workorders.models import FINAL_STATES, State, WorkOrder

PROPERTY_CATEGORY = Q(category__code="property") | Q(category__code__startswith="property_")


def property_orders():
    return WorkOrder.objects.filter(PROPERTY_CATEGORY).exclude(state__in=[State.DECLINED, State.MERGED])


def _year_bounds(year: int):
    tz = timezone.get_current_timezone()
    return (dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz))


def in_year(qs, year: int):
    start, end = _year_bounds(year)
    return qs.filter(created_at__gte=start, created_at__lt=end)


def counts(qs, now: dt.datetime | None = None) -> dict:
    """complaints; rectified in time (replied or closed by the limit); rectified late; open past the
    limit; still open within it — one aggregate query."""
    now = now or timezone.now()
    done_at = Q(replied_at__isnull=False)
    row = qs.aggregate(
        total=Count("pk"),
        on_time=Count("pk", filter=done_at & (Q(due_at__isnull=True) | Q(replied_at__lte=F("due_at")))),
        late=Count("pk", filter=done_at & Q(due_at__isnull=False, replied_at__gt=F("due_at"))),
        overdue=Count("pk", filter=Q(replied_at__isnull=True, due_at__lt=now) & ~Q(state__in=FINAL_STATES)),
    )
    row["open"] = row["total"] - row["on_time"] - row["late"] - row["overdue"]
    return row


def for_estate(estate, year: int) -> dict:
    qs = in_year(property_orders().filter(household__dwelling__building__estate=estate), year)
    data = counts(qs)
    data["year"] = year
    data["recent"] = list(qs.order_by("-created_at").values("pk", "title", "state", "created_at", "replied_at",
                                                            "due_at")[:10])
    labels = dict(State.choices)
    for r in data["recent"]:
        r["state_label"] = labels.get(r["state"], r["state"])
        r["late"] = bool(r["due_at"] and (r["replied_at"] or timezone.now()) > r["due_at"])
    return data
