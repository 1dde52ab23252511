"""Possible duplicates: an open order of the same category reported nearby within
72 hours (same household, same address, or within 150 m). A read used by the
report step (to flag) and by the order page (to offer a merge)."""
from __future__ import annotations

import datetime as dt
import math

from django.db import connection

from gongzhi.workorders.models import OPEN_STATES, WorkOrder

DUPLICATE_WINDOW = dt.timedelta(hours=72)
DUPLICATE_RADIUS_M = 150


def distance_m(lat1, lon1, lat2, lon2) -> float:
    # Equirectangular approximation: exact enough within a city.
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


def find_possible_duplicate(order: WorkOrder) -> WorkOrder | None:
    """An open order of the same category near this one (same household, same
    address, or within DUPLICATE_RADIUS_M), reported within the window."""
    pk = possible_duplicate_id(order, order.created_at)
    return WorkOrder.objects.get(pk=pk) if pk else None


def possible_duplicate_id(order: WorkOrder, reported_at: dt.datetime) -> int | None:
    near = WorkOrder.objects.filter(category_id=order.category_id, state__in=OPEN_STATES,
                                    created_at__gte=reported_at - DUPLICATE_WINDOW)
    if order.pk:
        near = near.exclude(pk=order.pk)
    if order.household_id:
        same = (near.filter(household_id=order.household_id).order_by("created_at")
                .values_list("pk", flat=True).first())
        if same:
            return same
    column, value, index = (("grid_id", order.grid_id, "wo_grid_state") if order.grid_id else
                            ("community_id", order.community_id, "wo_comm_state") if order.community_id else
                            ("district_id", order.district_id, None))
    # One hand-written statement: it runs on every report (Open311 under load),
    # and building it through the ORM cost more than running it. The database
    # narrows to the same address or a box around the point; only those few
    # rows are measured here. SQLite is told which index to use, since it keeps
    # no statistics unless ANALYZE has been run.
    lat0 = lat1 = lon0 = lon1 = None
    if order.lat is not None and order.lon is not None:
        dlat = DUPLICATE_RADIUS_M / 111_000
        dlon = dlat / max(math.cos(math.radians(order.lat)), 0.01)
        lat0, lat1, lon0, lon1 = order.lat - dlat, order.lat + dlat, order.lon - dlon, order.lon + dlon
    address = (order.address or "").strip() or None
    hint = f" INDEXED BY {index}" if index and connection.vendor == "sqlite" else ""
    states = ", ".join("%s" for _ in OPEN_STATES)
    sql = (f"SELECT id, address, lat, lon FROM workorders_workorder{hint} "
           f"WHERE {column} = %s AND state IN ({states}) AND category_id = %s AND created_at >= %s AND id <> %s "
           f"AND (address = %s OR (lat BETWEEN %s AND %s AND lon BETWEEN %s AND %s)) "
           f"ORDER BY created_at LIMIT 20")
    params = [value, *OPEN_STATES, order.category_id,
              connection.ops.adapt_datetimefield_value(reported_at - DUPLICATE_WINDOW), order.pk or 0,
              address, lat0, lat1, lon0, lon1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # The earliest match wins: that is the order the others get merged into.
    for pk, other_address, lat, lon in rows:
        same_address = address and other_address and address == other_address.strip()
        if same_address or (None not in (order.lat, order.lon, lat, lon)
                            and distance_m(order.lat, order.lon, lat, lon) <= DUPLICATE_RADIUS_M):
            return pk
    return None
