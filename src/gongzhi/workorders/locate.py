"""Which grid a reported point falls in, from the grids' GeoJSON boundaries.

Boundaries change rarely, so each process keeps them instead of reading every
polygon for every Open311 POST; `forget()` after an edit makes every process of
every node read them afresh (core/caching.py).
"""
from __future__ import annotations

from gongzhi.core.caching import SharedMemo
from gongzhi.places.models import Level, Place


def _rings(geometry: dict) -> list[list[list[list[float]]]]:
    """Polygons of a GeoJSON Polygon/MultiPolygon as lists of rings."""
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "Feature":
        return _rings(geometry.get("geometry"))
    return []


def _inside_ring(lon: float, lat: float, ring) -> bool:
    # Ray casting; rings are [lon, lat] pairs as GeoJSON orders them.
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / ((yj - yi) or 1e-12) + xi:
            inside = not inside
        j = i
    return inside


def _load_grids():
    grids = []
    for grid_id, boundary in Place.objects.filter(level=Level.GRID, boundary__isnull=False).values_list(
            "id", "boundary"):
        polygons = _rings(boundary)
        if not polygons:
            continue
        xs = [p[0] for poly in polygons for p in poly[0]]
        ys = [p[1] for poly in polygons for p in poly[0]]
        grids.append((grid_id, (min(xs), min(ys), max(xs), max(ys)), polygons, None))
    return grids


_MEMO = SharedMemo("grids", _load_grids)


def _grids():
    return _MEMO.get()


def forget() -> None:
    _MEMO.forget()


def grid_at(lat: float, lon: float) -> Place | None:
    grids = _grids()
    for i, (grid_id, (x0, y0, x1, y1), polygons, place) in enumerate(grids):
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            continue
        for rings in polygons:
            if _inside_ring(lon, lat, rings[0]) and not any(_inside_ring(lon, lat, hole) for hole in rings[1:]):
                if place is None:  # the grid with its community, street and district, kept with the polygon
                    place = Place.objects.select_related("parent__parent__parent").get(pk=grid_id)
                    grids[i] = (grid_id, (x0, y0, x1, y1), polygons, place)
                return place
    return None
