from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import Capability
from gongzhi.core.permissions import ERR_NO_PERMISSION, require_staff
from gongzhi.people.selectors import resident_list, resident_page
from gongzhi.places import selectors, services
from gongzhi.places.forms import FacilityForm, GridStaffForm, OrganisationForm, StreetCentreForm
from gongzhi.places.models import Level


@require_staff
def tree(request):
    return render(request, "places/tree.html", {"roots": selectors.place_tree(request.scope)})


@require_staff
def detail(request, code):
    scope = request.scope
    place = selectors.access_place(scope, code)
    ctx = {"place": place, "can_edit_place": scope.can(Capability.EDIT_PLACES, place), "children": scope.places().filter(parent=place).order_by("code"),
           "ancestors": _ancestors(scope, place)}
    if place.level in (Level.COMMUNITY, Level.STREET):
        ctx["facility"] = getattr(place, "facility", None)
    if place.level == Level.COMMUNITY:
        ctx["organisations"] = place.organisations.order_by("-active", "kind", "name")
    if place.level == Level.GRID:
        ctx["staff"] = selectors.grid_staff(place)
        ctx["estates"] = selectors.grid_estates(place)
        if scope.can(Capability.VIEW_PEOPLE, place):
            ctx["page"] = resident_page(resident_list(scope=scope, grid_id=place.id), request.GET.get("page"))
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


def _editable_place(request, code, level):
    place = selectors.access_place(request.scope, code)
    levels = level if isinstance(level, tuple) else (level,)
    if place.level not in levels or not request.scope.can(Capability.EDIT_PLACES, place):
        raise PermissionDenied(ERR_NO_PERMISSION)
    return place


@require_staff
def facility_edit(request, code):
    """A community's facilities, or a street's service centre (its area is P-FAC-2's 2000 m²)."""
    community = _editable_place(request, code, (Level.COMMUNITY, Level.STREET))
    instance = getattr(community, "facility", None)
    form_class = StreetCentreForm if community.level == Level.STREET else FacilityForm
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.facility_save(community=community, data=form.cleaned_data)
        messages.success(request, "服务设施已保存")
        return redirect("places:detail", code=community.code)
    return render(request, "people/form_page.html", {"form": form, "title": f"{community.name}:服务设施",
                                                      "back": f"/places/{community.code}/"})


@require_staff
def staff_add(request, code):
    grid = _editable_place(request, code, Level.GRID)
    form = GridStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.grid_staff_add(grid=grid, **form.cleaned_data)
        messages.success(request, "网格员已添加")
        return redirect("places:detail", code=grid.code)
    return render(request, "people/form_page.html", {"form": form, "title": f"{grid.name}:添加网格员",
                                                      "back": f"/places/{grid.code}/"})


@require_staff
@require_POST
def staff_remove(request, code, staff_id):
    grid = _editable_place(request, code, Level.GRID)
    staff = get_object_or_404(selectors.grid_staff(grid), pk=staff_id)
    services.grid_staff_deactivate(staff=staff)
    messages.success(request, f"{staff.name} 已离任")
    return redirect("places:detail", code=grid.code)


@require_staff
def organisation_edit(request, code, org_id=None):
    community = _editable_place(request, code, Level.COMMUNITY)
    instance = get_object_or_404(community.organisations, pk=org_id) if org_id else None
    form = OrganisationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        org = form.save(commit=False)
        org.community = community
        org._history_user = request.user
        org.save()
        messages.success(request, f"已保存 {org.name}")
        return redirect("places:detail", code=community.code)
    title = f"{community.name}:{'修改' if instance else '登记'}组织"
    return render(request, "people/form_page.html", {"form": form, "title": title,
                                                      "back": f"/places/{community.code}/"})
