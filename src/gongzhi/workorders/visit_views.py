"""民情日记 (visit log) pages: a grid worker records visits; a concern becomes a work order.
The log is read through the scope narrowed to VIEW_VISITS; it is kept (and a
concern turned into an order) only in the grids of posts granting KEEP_VISITS."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core import record_links
from gongzhi.core.exports import query_without_page
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import requires
from gongzhi.core.validators import has_control_characters
from gongzhi.people.manifest import VIEW_PEOPLE
from gongzhi.people.selectors import households_in
from gongzhi.places.models import Level
from gongzhi.workorders import selectors, services
from gongzhi.workorders.forms import VisitForm
from gongzhi.workorders.manifest import KEEP_VISITS, VIEW_VISITS
from gongzhi.workorders.models import Category, Kind
from gongzhi.workorders.views import ERR_HOUSEHOLD, PER_PAGE

ERR_NOT_KEEPER = "只有网格员和社区工作者记录民情日记"


def _visit_grids(keepers):
    """Grids where the caller keeps a visit log (a scope narrowed to KEEP_VISITS):
    their own grid, or their community's."""
    if not keepers.assignments:
        return []
    return list(keepers.places().filter(level=Level.GRID).select_related("parent").order_by("code"))


@requires(VIEW_VISITS)
def visits(request):
    """民情日记: the visits the caller may read, newest first, with a form for today's
    visit in the grids where they keep the log."""
    scope = request.scope
    keepers = scope.for_capability(KEEP_VISITS)
    grids = _visit_grids(keepers)
    categories = [c for c in selectors.categories() if c.kind != Kind.SERVICE]
    # from the desk's "visits due" list: the household to visit, in its own grid
    due = households_in(keepers).filter(number=request.GET.get("household", "")[:30]).select_related("grid").first() \
        if request.GET.get("household") and grids else None
    form = VisitForm(request.POST or None, grids=grids, categories=categories,
                     initial={"visited_on": timezone.localdate(),
                              "grid": due.grid.code if due else (grids[0].code if grids else ""),
                              "household_number": due.number if due else ""})
    error = None
    if request.method == "POST":
        if not grids:
            raise PermissionDenied(ERR_NOT_KEEPER)
        if form.is_valid():
            d = form.cleaned_data
            try:
                grid = next(g for g in grids if g.code == d["grid"])
                household = None
                if d["household_number"].strip():
                    household = households_in(keepers).filter(number=d["household_number"].strip()).first()
                    if household is None:
                        raise services.WorkflowError(ERR_HOUSEHOLD.format(number=d["household_number"]))
                category = next((c for c in categories if c.code == d["order_category"]), None)
                visit = services.visit_record(by=request.user, grid=grid, visited_on=d["visited_on"],
                                              notes=d["notes"], concerns=d["concerns"], household=household,
                                              order_category=category)
            except services.WorkflowError as exc:
                error = str(exc)
            else:
                messages.success(request, "已记录走访" + (f",诉求已转为工单 {visit.work_order.number}"
                                                       if visit.work_order_id else ""))
                return redirect("workorders:visits")
    filters, filter_errors = selectors.visit_filters(request.GET)
    # the export reads the same selector with the same query string
    page = paginate_by_ids(selectors.visits_from_query(scope=scope, params=request.GET), request.GET.get("page"),
                           PER_PAGE, related=("grid", "household", "visitor", "work_order"))
    export_query = query_without_page(request.GET)
    visits_shown = record_links.attach(request, "visit", page.object_list)
    # per row: a link to the household where the caller may read people, a button where they keep the log
    people_grids = {v.grid_id for v in visits_shown if scope.can(VIEW_PEOPLE, v.grid)}
    keeper_grids = {v.grid_id for v in visits_shown if keepers.contains(v.grid)}
    return render(request, "workorders/visits.html", {"form": form, "page": page, "error": error,
                                                      "can_record": bool(grids), "categories": categories,
                                                      "people_grids": people_grids, "keeper_grids": keeper_grids,
                                                      "filters": filters, "filter_errors": filter_errors,
                                                      "export_query": export_query,
                                                      "querystring_prefix": f"{export_query}&" if export_query else ""},
                  status=400 if error else 200)


@requires(KEEP_VISITS, refusal=ERR_NOT_KEEPER)
@require_POST
def visit_to_order(request, pk):
    visit = selectors.visits_in(request.scope).filter(pk=pk).first()
    if visit is None:
        raise Http404("未找到或无权访问")
    code = request.POST.get("category", "")
    # a code with control characters names no category (PostgreSQL refuses NUL in any text it is sent)
    category = None if has_control_characters(code) else Category.objects.filter(code=code, active=True).first()
    try:
        if category is None:
            raise services.WorkflowError(services.ERR_CATEGORY)
        order = services.visit_to_order(visit=visit, by=request.user, category=category)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("workorders:visits")
    messages.success(request, f"已转为工单 {order.number}")
    return redirect("workorders:detail", pk=order.pk)
