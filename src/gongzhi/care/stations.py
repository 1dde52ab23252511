"""Stations, the 30-minute circle and P-CARE-3's coverage figures.

The registry holds no home coordinates, so an elder is placed at the centre of their grid's boundary
(the finest location it has; a grid without a boundary leaves its elders' place unknown). An elder is
inside the circle when a station serving their community (its own, its street's, its district's) lies
within `walk_m_per_min × circle_minutes` metres (locality data). Elders are counted per grid by one
aggregate query; the distances are worked out per grid and station, never per person."""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.db.models import Count

from gongzhi.care import localities
from gongzhi.care.groups import ELDER_AGE, registry_residents, years_before
from gongzhi.care.models import OrderState, ServiceOrder, Station, StationLevel
from gongzhi.places.models import AreaKind, Level, Place


def centre(boundary) -> tuple[float, float] | None:
    """(lat, lon) of the mean of a GeoJSON polygon's outer ring's vertices."""
    if not boundary:
        return None
    geom = boundary.get("geometry", boundary) if isinstance(boundary, dict) else None
    if not geom:
        return None
    coords = geom.get("coordinates") or []
    if geom.get("type") == "MultiPolygon" and coords:
        coords = coords[0]
    ring = list(coords[0]) if coords else []
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    points = [(float(p[1]), float(p[0])) for p in ring if isinstance(p, (list, tuple)) and len(p) >= 2]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371000 * math.asin(math.sqrt(h))


def _serving(stations: list[Station], community: Place) -> list[Station]:
    codes = set(community.path.strip("/").split("/"))
    return [s for s in stations if s.place.code in codes and s.lat is not None and s.lon is not None]


def grid_coverage(communities: list[Place], today: dt.date, corrections: dict[int, int] | None = None) -> list[dict]:
    """Per grid of `communities`: elders, where the grid is, the nearest serving station and whether inside.
    `corrections`: {grid id: elders to add} (a closed period's run: the registry as of its end, from the
    residents' history: `standards.asof.elder_corrections`)."""
    ids = [c.pk for c in communities]
    grids = list(Place.objects.filter(level=Level.GRID, parent_id__in=ids).select_related("parent"))
    elders = dict(registry_residents().filter(grid__in=grids, birth_date__lte=years_before(today, ELDER_AGE))
                  .order_by().values_list("grid_id").annotate(n=Count("pk")))
    for gid, n in (corrections or {}).items():
        elders[gid] = elders.get(gid, 0) + n
    stations = list(Station.objects.filter(active=True).select_related("place"))
    rows = []
    for g in grids:
        here = centre(g.boundary)
        rules = localities.rules_for(g.code)
        reach = rules["walk_m_per_min"] * rules["circle_minutes"]
        nearest, distance = None, None
        if here:
            for s in _serving(stations, g.parent):
                d = metres(here, (s.lat, s.lon))
                if distance is None or d < distance:
                    nearest, distance = s, d
        rows.append({"grid": g, "community": g.parent, "centre": here, "elders": elders.get(g.pk, 0),
                     "station": nearest, "metres": distance, "reach": reach,
                     "inside": distance is not None and distance <= reach})
    return rows


def coverage(communities: list[Place], today: dt.date, corrections: dict[int, int] | None = None) -> list[dict]:
    """P-CARE-3 per community: a standard community station, the elders inside the circle, and the share of
    its stations whose orders are kept here (informatisation: an order in the last 90 days). `corrections`:
    the elders' per grid, as for `grid_coverage`."""
    per_community = defaultdict(lambda: {"elders": 0, "inside": 0, "unknown": 0})
    for row in grid_coverage(communities, today, corrections):
        c = per_community[row["community"].pk]
        c["elders"] += row["elders"]
        c["inside"] += row["elders"] if row["inside"] else 0
        c["unknown"] += row["elders"] if row["centre"] is None else 0
    counts = station_counts(communities, today)
    result = []
    for c in communities:
        f = per_community[c.pk]
        result.append({"community": c, "rural": c.area_kind == AreaKind.RURAL, **counts[c.pk],
                       "elders": f["elders"], "inside": f["inside"], "unknown": f["unknown"],
                       "share": f["inside"] / f["elders"] if f["elders"] else None})
    return result


def station_counts(communities: list[Place], today: dt.date) -> dict[int, dict]:
    """{community id: {station, stations, online}}: whether it has a standard community station, how many, and how
    many keep their orders here (an order in the last 90 days). No elder is read: the station figures alone."""
    stations = defaultdict(list)
    for s in Station.objects.filter(active=True, place__in=communities, level=StationLevel.COMMUNITY):
        stations[s.place_id].append(s)
    since = today - dt.timedelta(days=90)
    busy = set(ServiceOrder.objects.filter(station__place__in=communities, scheduled_for__date__gte=since)
               .exclude(state=OrderState.CANCELLED).values_list("station_id", flat=True))
    return {c.pk: {"station": bool(stations.get(c.pk)), "stations": len(stations.get(c.pk, [])),
                   "online": sum(1 for s in stations.get(c.pk, []) if s.pk in busy)} for c in communities}


def totals(rows: list[dict]) -> dict:
    """Urban and rural totals: communities with a station, elders covered, stations online."""
    out = {}
    for key, rural in (("urban", False), ("rural", True)):
        part = [r for r in rows if r["rural"] == rural]
        elders = sum(r["elders"] for r in part)
        stations = sum(r["stations"] for r in part)
        out[key] = {"communities": len(part), "with_station": sum(1 for r in part if r["station"]),
                    "station_share": sum(1 for r in part if r["station"]) / len(part) if part else None,
                    "elders": elders, "inside": sum(r["inside"] for r in part),
                    "coverage": sum(r["inside"] for r in part) / elders if elders else None,
                    "online_share": sum(r["online"] for r in part) / stations if stations else None}
    return out
