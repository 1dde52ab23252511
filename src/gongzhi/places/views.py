from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gongzhi.core.errors import RuleError
from gongzhi.core.permissions import ERR_NO_PERMISSION, requires
from gongzhi.core.views import render_panels
from gongzhi.places import selectors, services
from gongzhi.places.forms import CityZoneForm, FacilityForm, FoundedForm, GridStaffForm, StreetCentreForm
from gongzhi.places.manifest import EDIT_PLACES, VIEW_PLACES, VIEW_STAFF_CONTACTS
from gongzhi.places.models import Level


@requires(VIEW_PLACES)
def tree(request):
    return render(request, "places/tree.html", {"roots": selectors.place_tree(request.scope)})


@requires(VIEW_PLACES)
def detail(request, code):
    """A place, its children, and what the modules add for it (residents, organisations, ledgers ...),
    each module's panel read through the caller's posts that grant that panel's capability."""
    scope = request.scope
    place = selectors.access_place(scope, code)
    ctx = {"place": place, "can_edit_place": scope.can(EDIT_PLACES, place),
           "children": scope.places().filter(parent=place).order_by("code"),
           "ancestors": _ancestors(scope, place), "panels": render_panels(request, "place_panels", place)}
    if place.level in (Level.COMMUNITY, Level.STREET):
        ctx["facility"] = getattr(place, "facility", None)
    if place.level == Level.GRID:
        ctx["staff"] = selectors.grid_staff(place)
        ctx["show_contacts"] = scope.can(VIEW_STAFF_CONTACTS, place)
        ctx["estates"] = selectors.grid_estates(place)
    return render(request, "places/detail.html", ctx)


def _ancestors(scope, place):
    """Breadcrumb: only the ancestors the caller may open."""
    codes = [c for c in place.path.strip("/").split("/")[:-1]]
    visible = {p.code: p for p in scope.places().filter(code__in=codes)}
    return [visible[c] for c in codes if c in visible]


@requires(VIEW_PLACES)
def grid_map(request):
    return render(request, "places/map.html")


@requires(VIEW_PLACES)
def grid_geojson(request):
    return JsonResponse(selectors.grid_features(request.scope))


def editable_place(request, code, level):
    """A place of `level` that the caller may edit (EDIT_PLACES there); 404 outside the scope, 403 inside it."""
    place = selectors.access_place(request.scope, code)
    levels = level if isinstance(level, tuple) else (level,)
    if place.level not in levels or not request.scope.can(EDIT_PLACES, place):
        raise PermissionDenied(ERR_NO_PERMISSION)
    return place


@requires(EDIT_PLACES)
def facility_edit(request, code):
    """A community's facilities, or a street's service centre (its area is P-FAC-2's 2000 m²)."""
    community = editable_place(request, code, (Level.COMMUNITY, Level.STREET))
    instance = getattr(community, "facility", None)
    form_class = StreetCentreForm if community.level == Level.STREET else FacilityForm
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.facility_save(community=community, data=form.cleaned_data)
        messages.success(request, "服务设施已保存")
        return redirect("places:detail", code=community.code)
    return render(request, "core/form_page.html", {"form": form, "title": f"{community.name}:服务设施",
                                                    "back": f"/places/{community.code}/"})


@requires(EDIT_PLACES)
def city_zone_edit(request, code):
    """A district's or street's 城区类别: whether it is in the central city or an outer district."""
    place = editable_place(request, code, (Level.DISTRICT, Level.STREET))
    form = CityZoneForm(request.POST or None, initial={"city_zone": place.city_zone})
    if request.method == "POST" and form.is_valid():
        services.city_zone_set(place=place, zone=form.cleaned_data["city_zone"])
        messages.success(request, "城区类别已保存")
        return redirect("places:detail", code=place.code)
    return render(request, "core/form_page.html", {"form": form, "title": f"{place.name}:城区类别",
                                                    "back": f"/places/{place.code}/"},
                  status=422 if request.method == "POST" else 200)


@requires(EDIT_PLACES)
def founded_edit(request, code):
    """A community's 组建日期."""
    place = editable_place(request, code, Level.COMMUNITY)
    form = FoundedForm(request.POST or None, initial={"founded_on": place.founded_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.founded_set(place=place, founded_on=form.cleaned_data["founded_on"])
        except RuleError as exc:
            form.add_error("founded_on", str(exc))
        else:
            messages.success(request, "组建日期已保存")
            return redirect("places:detail", code=place.code)
    return render(request, "core/form_page.html", {"form": form, "title": f"{place.name}:组建日期",
                                                    "back": f"/places/{place.code}/"},
                  status=422 if request.method == "POST" else 200)


@requires(EDIT_PLACES)
def staff_add(request, code):
    grid = editable_place(request, code, Level.GRID)
    form = GridStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.grid_staff_add(grid=grid, **form.cleaned_data)
        messages.success(request, "网格员已添加")
        return redirect("places:detail", code=grid.code)
    return render(request, "core/form_page.html", {"form": form, "title": f"{grid.name}:添加网格员",
                                                    "back": f"/places/{grid.code}/"})


@requires(EDIT_PLACES)
@require_POST
def staff_remove(request, code, staff_id):
    grid = editable_place(request, code, Level.GRID)
    staff = get_object_or_404(selectors.grid_staff(grid), pk=staff_id)
    services.grid_staff_deactivate(staff=staff)
    messages.success(request, f"{staff.name} 已离任")
    return redirect("places:detail", code=grid.code)
