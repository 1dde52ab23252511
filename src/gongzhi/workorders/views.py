"""Work-order pages: list, report, detail with the steps the caller may take,
attachments, inbox. Thin: selectors read through the scope, services write.
Each page declares its capability (@requires): the list, an order and its steps
read through the scope narrowed to VIEW_ORDERS; whether the caller may take a
step on one order is asked per capability at the order's place (the step table,
services.lifecycle.STEPS, which also names each step's form and service).
Reports (figures, disputes, public map) are in report_views.py, the visit log
in visit_views.py, the admin's catalogue and calendar in catalogue_views.py."""
from __future__ import annotations


from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.core import crypto, record_links
from gongzhi.core.access_log import access_log_write
from gongzhi.core.errors import record_refusal
from gongzhi.core.exports import query_without_page
from gongzhi.core.models import AccessAction
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import own_records, requires
from gongzhi.people.manifest import VIEW_PEOPLE
from gongzhi.people.selectors import households_in
from gongzhi.places.models import Level
from gongzhi.workorders import selectors, services
from gongzhi.workorders.forms import ReportForm, parse_parties
from gongzhi.workorders.manifest import REPORT_ORDERS, SUPERVISE_ORDERS, VERIFY_ORDERS, VIEW_ORDERS
from gongzhi.workorders.models import Action, Category, Channel, Kind, Notification, Outcome, State

ERR_HOUSEHOLD = "户号 {number} 不存在或不在您的管辖范围内"
ERR_GRID = "网格不存在或不在您的管辖范围内"
ERR_NO_REPORT = services.ERR_NO_REPORT
PER_PAGE = 20


@requires(VIEW_ORDERS)
def order_list(request):
    scope = request.scope
    f = request.GET
    state = f.get("state", "open")
    qs = selectors.orders_from_query(scope=scope, params=f)  # the export reads the same
    page = paginate_by_ids(qs, f.get("page"), PER_PAGE,
                           related=("category", "community", "grid", "handling_place", "owner", "escalation"))
    params = f.copy()
    params.pop("page", None)
    ctx = {"page": page, "state": state, "states": State.choices, "categories": Category.objects.all(),
           "can_report": scope.can(REPORT_ORDERS),
           "kinds": Kind.choices, "f": f, "now": timezone.now(),
           "querystring_prefix": (params.urlencode() + "&") if params else "",
           "export_query": query_without_page(f)}
    template = "workorders/order_results.html" if request.htmx else "workorders/order_list.html"
    return render(request, template, ctx)


def _reporter_context(scope):
    """(channel, staff?, grids the caller may report in), from the scope narrowed to REPORT_ORDERS.
    Whoever verifies orders on a grid (the grid worker) reports what they find there: 网格上报."""
    if not scope.staff_places:
        return Channel.WEB, False, []
    grids = list(scope.places().filter(level=Level.GRID).select_related("parent").order_by("code")[:500])
    channel = Channel.GRID if scope.can(VERIFY_ORDERS) else Channel.WINDOW
    return channel, True, grids


@requires(REPORT_ORDERS, refusal=ERR_NO_REPORT)
def order_new(request):
    scope = request.scope
    channel, staff, grids = _reporter_context(scope)
    home = scope.staff_places[0] if scope.staff_places else (scope.assignments[0].place if scope.assignments else None)
    categories = list(selectors.categories(locality=home))
    form = ReportForm(request.POST or None, categories=categories, grids=grids, staff=staff,
                      initial={"category": request.GET.get("category", "")})
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            arguments = _report_arguments(scope, d, staff, grids)
            # 网格上报 only where the caller is that grid's worker; anywhere else a staff report is the window's
            where = arguments.get("grid") or getattr(arguments.get("household"), "grid", None)
            if channel == Channel.GRID and not (where is not None and scope.can(VERIFY_ORDERS, where)):
                channel = Channel.WINDOW
            order = services.order_report(by=request.user, channel=channel, files=request.FILES.getlist("photos"),
                                          **arguments)
        except (services.WorkflowError, ValueError) as exc:
            error = str(exc)
        else:
            messages.success(request, f"已提交,工单号 {order.number}")
            return redirect("workorders:detail", pk=order.pk)
    return render(request, "workorders/order_new.html",
                  {"form": form, "error": error, "staff": staff, "channel": Channel(channel).label},
                  status=400 if error else 200)


def _report_arguments(scope, d: dict, staff: bool, grids: list) -> dict:
    category = Category.objects.filter(code=d["category"], active=True).first()
    args = {"category": category, "description": d["description"], "title": d["title"], "address": d["address"],
            "lat": d.get("lat"), "lon": d.get("lon"), "reporter_phone": d.get("reporter_phone") or "",
            "parties": parse_parties(d.get("parties", "")) if category and category.is_dispute else None}
    if staff:
        if d.get("household_number"):
            household = households_in(scope).filter(number=d["household_number"].strip()).select_related(
                "grid__parent").first()
            if household is None:
                raise services.WorkflowError(ERR_HOUSEHOLD.format(number=d["household_number"]))
            args["household"] = household
        if d.get("grid"):
            grid = next((g for g in grids if g.code == d["grid"]), None)
            if grid is None:
                raise services.WorkflowError(ERR_GRID)
            args["grid"] = grid
        args.update(reporter_name=d.get("reporter_name", ""), on_behalf=d.get("on_behalf", False))
    else:
        resident = getattr(scope.user, "resident", None)
        if resident is not None:
            args["household"] = resident.household
    return args


def _may_reveal(scope, order, user) -> bool:
    """The full phone: whoever supervises the order's place, or the order's owner (首问)."""
    return services.is_supervisor(scope, order) or order.owner_id == user.pk


def _dispatch_ctx(order) -> dict:
    """The dispatch form's one list of handling units, with the catalogue's route preselected."""
    place, department = services.default_handling_place(order)
    options = selectors.dispatch_options(order)
    default = f"{place.code}|{department}" if department else place.code
    # a route to a unit with no account is not preselected: the supervisor chooses
    return {"dispatch_options": options, "default_unit": default if default in dict(options) else ""}


def _detail_ctx(request, order, **extra):
    scope = request.scope
    actions = services.allowed_actions(request.user, order, scope)
    household = order.household
    record_links.attach(request, "order", [order])
    ctx = {"order": order, "events": selectors.order_events(order), "actions": actions,
           "action_labels": dict(Action.choices), "outcomes": Outcome.choices,
           **(_dispatch_ctx(order) if Action.DISPATCH in actions else {}),
           # merging is a supervisor's step: only orders they supervise are offered
           "duplicates": selectors.possible_duplicates(scope.for_capability(SUPERVISE_ORDERS), order)
           if Action.MERGE in actions else [],
           "merged": order.merged_orders.all(), "dispute": getattr(order, "dispute", None),
           "mediation_form": services.STEPS[Action.MEDIATE].form(), "now": timezone.now(),
           "can_reveal": bool(order.reporter_phone_enc) and _may_reveal(scope, order, request.user),
           # a link to the household only for those who may read people where it lives
           "can_view_household": household is not None and household.grid is not None
           and scope.can(VIEW_PEOPLE, household.grid),
           "posted": {}, **extra}
    return ctx


@requires(VIEW_ORDERS)
def order_detail(request, pk):
    order = selectors.access_order(request.scope, pk)
    Notification.objects.filter(user=request.user, order=order, read_at=None).update(read_at=timezone.now())
    return render(request, "workorders/order_detail.html", _detail_ctx(request, order))


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@requires(VIEW_ORDERS)
@require_POST
def order_act(request, pk, action):
    """One step on one order, as the step table has it: the step's form reads the
    post, its service checks state, rights and version and writes."""
    order = selectors.access_order(request.scope, pk)
    step = services.STEPS.get(action)
    if step is None:
        raise Http404("未知操作")
    form = step.form(request.POST, request.FILES, scope=request.scope, order=order)
    try:
        if not form.is_valid():
            raise services.WorkflowError(form.error_text())
        step.service(order=order, by=request.user, version=_version(request), **form.arguments())
    except services.ConflictError as exc:
        return _redisplay(request, order, action, str(exc), status=409)
    except services.WorkflowError as exc:
        record_refusal(exc)  # e.g. admission counts a dispatch its lists refused
        return _redisplay(request, order, action, str(exc), status=400)
    messages.success(request, f"已{step.action.label}")
    return redirect("workorders:detail", pk=order.pk)


def _redisplay(request, order, action, error, *, status):
    """Show the order as it is now, with the refused step's text kept in its form."""
    fresh = selectors.access_order(request.scope, order.pk)
    ctx = _detail_ctx(request, fresh, error=error, posted={"action": action, **request.POST.dict()})
    return render(request, "workorders/order_detail.html", ctx, status=status)


@requires(VIEW_ORDERS)
def attachment(request, pk, attachment_pk):
    order = selectors.access_order(request.scope, pk)
    item = order.attachments.filter(pk=attachment_pk).first()
    if item is None:
        raise Http404("未找到")
    # Photos show in the page; documents download under their own name.
    return FileResponse(item.file.open("rb"), content_type=item.content_type, filename=item.name,
                        as_attachment=not item.content_type.startswith("image/"))


@requires(VIEW_ORDERS)
@require_POST
def reveal_phone(request, pk):
    order = selectors.access_order(request.scope, pk)
    if not _may_reveal(request.scope, order, request.user):
        raise PermissionDenied("您的角色无权查看完整联系电话")
    phone = crypto.decrypt(order.reporter_phone_enc) if order.reporter_phone_enc else ""
    access_log_write(user=request.user, action=AccessAction.UNMASK, target=f"工单 {order.number} 反映人电话",
                     request=request)
    return render(request, "workorders/reveal_phone.html", {"order": order, "phone": phone})


@own_records
def inbox(request):
    page = paginate_by_ids(selectors.inbox(request.user), request.GET.get("page"), 30, related=("order",))
    return render(request, "workorders/inbox.html", {"page": page})


@own_records
@require_POST
def inbox_read_all(request):
    Notification.objects.filter(user=request.user, read_at=None).update(read_at=timezone.now())
    return redirect("workorders:inbox")
