from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import render

from gongzhi.accounts.models import Capability
from gongzhi.core.permissions import require_staff
from gongzhi.people.selectors import resident_list
from gongzhi.places import selectors
from gongzhi.places.models import Level


@require_staff
def tree(request):
    return render(request, "places/tree.html", {"roots": selectors.place_tree(request.scope)})


@require_staff
def detail(request, code):
    scope = request.scope
    place = selectors.access_place(scope, code)
    ctx = {"place": place, "children": scope.places().filter(parent=place).order_by("code"),
           "ancestors": _ancestors(scope, place)}
    if place.level == Level.COMMUNITY:
        ctx["facility"] = getattr(place, "facility", None)
        ctx["organisations"] = place.organisations.filter(active=True).order_by("kind", "name")
    if place.level == Level.GRID:
        ctx["staff"] = selectors.grid_staff(place)
        ctx["estates"] = selectors.grid_estates(scope, place)
        if scope.can(Capability.VIEW_PEOPLE, place):
            ctx["page"] = Paginator(resident_list(scope=scope, grid_id=place.id), 30).get_page(request.GET.get("page"))
    return render(request, "places/detail.html", ctx)


def _ancestors(scope, place):
    """Breadcrumb: only the ancestors the caller may open."""
    codes = [c for c in place.path.strip("/").split("/")[:-1]]
    visible = {p.code: p for p in scope.places().filter(code__in=codes)}
    return [visible[c] for c in codes if c in visible]


@require_staff
def grid_map(request):
    return render(request, "places/map.html")


@require_staff
def grid_geojson(request):
    return JsonResponse(selectors.grid_features(request.scope))
