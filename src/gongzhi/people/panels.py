"""What people adds to shared pages: the registry figures on the home page,
a community's organisations and a grid's residents on the place page, and the
household and resident counts of the territory tree and the grid map.
Each gets the caller's scope already narrowed to the capability its panel declares."""
from django.db.models import Count

from gongzhi.people.manifest import EDIT_PEOPLE
from gongzhi.people.models import Household, PersonStatus, Resident
from gongzhi.people.selectors import resident_list, resident_page, scope_counts
from gongzhi.places.manifest import EDIT_PLACES
from gongzhi.places.models import Level


def counts(request, scope):
    figures = scope_counts(scope)
    chart = {"care": {"labels": [t.name for t, _ in figures["care_groups"]],
                      "values": [n for _, n in figures["care_groups"]]}}
    return {"counts": figures, "chart": chart}


def place_organisations(request, scope, place):
    # the page may have been reached through another capability's post (view_places)
    if place.level != Level.COMMUNITY or not scope.contains(place):
        return None
    return {"place": place, "organisations": place.organisations.order_by("-active", "kind", "name"),
            "can_edit": request.scope.can(EDIT_PLACES, place)}


def place_residents(request, scope, place):
    if place.level != Level.GRID or not scope.contains(place):
        return None
    return {"place": place, "page": resident_page(resident_list(scope=scope, grid_id=place.id), request.GET.get("page")),
            "can_add_household": request.scope.can(EDIT_PEOPLE, place)}


def place_counts(scope) -> dict[int, dict[str, int]]:
    """{grid id: {"households": n, "residents": m}} over the scope, counted by the database."""
    def per_grid(qs):
        return dict(scope.filter_people(qs).values_list("grid").annotate(n=Count("id")).order_by())
    households = per_grid(Household.objects.filter(status="active"))
    residents = per_grid(Resident.objects.filter(status=PersonStatus.ACTIVE))
    return {g: {"households": households.get(g, 0), "residents": residents.get(g, 0)}
            for g in households.keys() | residents.keys()}
