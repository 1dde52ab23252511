"""Every read of places goes through the caller's scope."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404

from django.utils.module_loading import import_string

from gongzhi.core import modules
from gongzhi.core.scope import Scope
from gongzhi.places.models import Dwelling, Estate, GridStaff, Level, Place, StaffRole


def access_place(scope: Scope, code: str) -> Place:
    place = scope.places().filter(code=code).select_related("parent").first()
    if place is None:
        raise Http404("未找到或无权访问")
    return place


def lineage_names(places) -> set[str]:
    """Names of `places` and of every place above them (e.g. to match a policy pack's locality)."""
    codes = {code for p in places for code in p.path.strip("/").split("/")}
    return set(Place.objects.filter(code__in=codes).values_list("name", flat=True))


@dataclass
class TreeNode:
    place: Place
    children: list["TreeNode"] = field(default_factory=list)
    households: int = 0
    residents: int = 0


def place_tree(scope: Scope) -> list[TreeNode]:
    """Places in scope down to grids, with household/resident counts per node
    (counted by the database per grid by the module that holds people, then summed up the tree)."""
    places = list(scope.places().order_by("path"))
    per_grid = grid_counts(scope)
    nodes = {p.id: TreeNode(place=p, households=per_grid.get(p.id, {}).get("households", 0),
                            residents=per_grid.get(p.id, {}).get("residents", 0)) for p in places}
    roots = []
    for p in places:
        node = nodes[p.id]
        parent = nodes.get(p.parent_id)
        (parent.children if parent else roots).append(node)
    def total(node: TreeNode):
        for c in node.children:
            total(c)
            node.households += c.households
            node.residents += c.residents
    for r in roots:
        total(r)
    return roots


def grid_counts(scope: Scope) -> dict[int, dict[str, int]]:
    """{grid id: {"households": n, "residents": m}} from the modules registered under "place_counts"
    (the kernel holds no people); empty when none is installed."""
    counts: dict[int, dict[str, int]] = {}
    for path in modules.extras("place_counts"):
        for grid_id, figures in import_string(path)(scope).items():
            counts.setdefault(grid_id, {}).update(figures)
    return counts


def grid_staff(grid: Place):
    return GridStaff.objects.filter(grid=grid, active=True).order_by("role", "name")


def with_staffing(grids: QuerySet) -> QuerySet:
    """Grids annotated `staffed`: an active grid leader and at least one active
    full-time grid worker (P-STAFF-4), the one definition the pages and the
    standards engine share."""
    staff = GridStaff.objects.filter(grid=OuterRef("pk"), active=True)
    return grids.annotate(has_leader=Exists(staff.filter(role=StaffRole.LEADER)),
                          has_full_time=Exists(staff.filter(role=StaffRole.FULL_TIME))).annotate(
        staffed=ExpressionWrapper(Q(has_leader=True, has_full_time=True), output_field=BooleanField()))


def grids_understaffed(scope: Scope):
    """Grids in scope without a leader or without a full-time worker (P-STAFF-4)."""
    return (with_staffing(scope.places().filter(level=Level.GRID)).filter(staffed=False)
            .select_related("parent").order_by("code"))


def grid_estates(grid: Place):
    """Estates with dwellings in `grid` (the caller has already accessed the grid)."""
    return (Estate.objects.filter(buildings__grid=grid).distinct()
            .annotate(dwelling_count=Count("buildings__dwellings", filter=Q(buildings__grid=grid)))
            .order_by("name"))


def dwellings_in(scope: Scope):
    return scope.filter_people(Dwelling.objects.all())


def grid_features(scope: Scope) -> dict:
    """GeoJSON FeatureCollection of the grids in scope, with counts."""
    grids = list(scope.places().filter(level=Level.GRID).select_related("parent", "parent__parent"))
    counts = {g: figures.get("residents", 0) for g, figures in grid_counts(scope).items()}
    understaffed = {g.id for g in grids_understaffed(scope)}
    features = []
    for g in grids:
        if not g.boundary:
            continue
        features.append({
            "type": "Feature",
            "geometry": g.boundary,
            "properties": {"code": g.code, "name": g.name, "community": g.parent.name,
                           "street": g.parent.parent.name if g.parent.parent else "",
                           "kind": g.get_grid_kind_display(), "residents": counts.get(g.id, 0),
                           "understaffed": g.id in understaffed, "url": f"/places/{g.code}/"},
        })
    return {"type": "FeatureCollection", "features": features}
