"""The territory's metrics for the standards engine: service facilities (a street's
Facility row is its centre) and grids. Registered in manifest.py under
extras["metrics"]; see gongzhi/core/metrics.py for what a metric is."""
from __future__ import annotations

from django.db.models import Count, Q

from gongzhi.core.metrics import Context, Metric, Ratio, evidence, grouped, ratio
from gongzhi.places.models import Estate, Facility, Level, Place
from gongzhi.places.selectors import with_staffing

ONE_HALL_FIVE = {"service_hall", "culture_sports", "deliberation", "library_archive", "rights_mediation", "police"}
EIGHT = {"service_hall", "meeting", "culture_sports", "library_archive", "family_planning", "police", "clinic",
         "convenience_shop"}

FACILITY = evidence("服务设施", "places:detail", "{code}")
GRID = evidence("网格", "places:detail", "{code}")


# -- facilities (P-FAC-*) ------------------------------------------------------------------
def _facility(ctx: Context, field: str) -> dict:
    return dict(Facility.objects.filter(ctx.scope).values_list("community_id", field))


def facility_area(ctx):
    return {k: float(v) for k, v in _facility(ctx, "service_area_m2").items()}


def facility_area_per_100_households(ctx):
    return ratio(ctx.get("facility_area"), ctx.get("households"), ctx.ids, 100)


def station_area(ctx):
    return {k: float(v) for k, v in _facility(ctx, "station_area_m2").items()}


def street_centre_area(ctx):
    streets = Place.objects.filter(level=Level.STREET, children__id__in=ctx.ids).values("id")
    return {k: float(v) for k, v in Facility.objects.filter(community_id__in=streets)
            .values_list("community_id", "service_area_m2")}


def activity_area_share(ctx):
    rows = Facility.objects.filter(ctx.scope).values_list("community_id", "activity_area_m2", "station_area_m2")
    return {cid: (round(100.0 * float(a) / float(s), 2) if s else None) for cid, a, s in rows}


def _rooms(ctx: Context, wanted: set) -> dict:
    # the rooms are a short JSON list per community: counted per community row, not per resident
    return {cid: len(wanted & set(rooms or [])) for cid, rooms in _facility(ctx, "rooms").items()}


def rooms_one_hall_five(ctx):
    return _rooms(ctx, ONE_HALL_FIVE)


def rooms_eight(ctx):
    return _rooms(ctx, EIGHT)


def home_care_station(ctx):
    return {cid: 100.0 if n else 0.0 for cid, n in _rooms(ctx, {"elderly_care"}).items()}


def publicity_boards(ctx):
    return _facility(ctx, "publicity_boards")


def disclosure_boards(ctx):
    return _facility(ctx, "disclosure_boards")


# -- grids (P-GRID-*) ----------------------------------------------------------------------
def grid_coverage(ctx):
    """Share of the community's estates (小区/自然村) that lie in a grid (P-GRID-1)."""
    rows = grouped(Estate.objects.filter(ctx.scope), "community_id", total=Count("id"),
                   in_grid=Count("id", filter=Q(grid__isnull=False)))
    has_grid = set(Place.objects.filter(level=Level.GRID, parent_id__in=ctx.ids)
                   .values_list("parent_id", flat=True))
    return {cid: (round(100.0 * rows[cid]["in_grid"] / rows[cid]["total"], 2) if cid in rows
                  else (100.0 if cid in has_grid else 0.0)) for cid in ctx.ids}


def grids_staffed_share(ctx):
    """Share of grids with an active leader and at least one active full-time worker (P-STAFF-4)."""
    grids = with_staffing(Place.objects.filter(level=Level.GRID, parent_id__in=ctx.ids))
    rows = grouped(grids, "parent_id", total=Count("id"), n_staffed=Count("id", filter=Q(staffed=True)))
    return {cid: round(100.0 * r["n_staffed"] / r["total"], 2) for cid, r in rows.items()}


METRICS = (
    Metric("facility_area", "综合服务设施面积", "m²", compute=facility_area, evidence=FACILITY),
    Metric("facility_area_per_100_households", "综合服务设施面积(每百户)", "m²",
           compute=facility_area_per_100_households, evidence=FACILITY,
           ratio=Ratio("facility_area", "m²", "households", "户"), history=("households",)),
    Metric("street_centre_area", "街道(镇)综合服务中心面积", "m²", level="street",
           compute=street_centre_area, evidence=FACILITY),  # linked with the street's code
    Metric("station_area", "社区服务站面积", "m²", compute=station_area, evidence=FACILITY),
    Metric("activity_area_share", "居民活动用房占服务站面积比例", "%", compute=activity_area_share,
           evidence=FACILITY),
    Metric("rooms_one_hall_five", "“一厅五室”具备项数", "项",
           note="服务大厅、文体活动室、议事协商室、图书阅览/档案室、维权调解室、警务室,共 6 项",
           compute=rooms_one_hall_five, evidence=FACILITY),
    Metric("rooms_eight", "农村社区服务中心“八有”具备项数", "项",
           note="服务大厅、多功能会议室、文体活动室、图书阅览室、计生服务室、警务室、卫生室、便民超市,共 8 项",
           compute=rooms_eight, evidence=FACILITY),
    Metric("home_care_station", "建有居家养老服务站", "%", note="有为 100,无为 0;用于计算达标社区比例",
           compute=home_care_station, evidence=FACILITY),
    Metric("publicity_boards", "宣传栏", "块", compute=publicity_boards, evidence=FACILITY),
    Metric("disclosure_boards", "居务公开栏", "块", compute=disclosure_boards, evidence=FACILITY),
    Metric("grid_coverage", "网格覆盖率", "%", compute=grid_coverage, evidence=GRID),
    Metric("grids_staffed_share", "网格配齐网格长和专职网格员的比例", "%", compute=grids_staffed_share,
           evidence=GRID),
)
