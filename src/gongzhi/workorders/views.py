"""Work-order pages: list, report, detail with the steps the caller may take,
attachments, inbox. Thin: selectors read through the scope, services write."""
from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongzhi.accounts.models import Capability, Role
from gongzhi.core import crypto
from gongzhi.core.access_log import access_log_write
from gongzhi.core.models import AccessAction
from gongzhi.core.paging import paginate_by_ids
from gongzhi.core.permissions import require_capability, require_staff
from gongzhi.people.selectors import households_in
from gongzhi.places.models import Level, Place
from gongzhi.workorders import selectors, services
from gongzhi.workorders.forms import (
    CalendarDayForm,
    CategoryForm,
    MediationForm,
    ReportForm,
    VisitForm,
    parse_parties,
)
from gongzhi.workorders.models import Action, Category, Channel, Kind, Notification, Outcome, State, WorkOrder

ERR_HOUSEHOLD = "户号 {number} 不存在或不在您的管辖范围内"
ERR_GRID = "网格不存在或不在您的管辖范围内"
ERR_ORDER_NUMBER = "工单号 {number} 不存在或无权访问"
PER_PAGE = 20


@login_required
def order_list(request):
    scope = request.scope
    f = request.GET
    state = f.get("state", "open")
    qs = selectors.order_list(scope=scope, state=state, category=f.get("category", ""), q=f.get("q", ""),
                              overdue=f.get("overdue") == "1", mine=f.get("mine") == "1", kind=f.get("kind", ""))
    page = paginate_by_ids(qs, f.get("page"), PER_PAGE,
                           related=("category", "community", "grid", "handling_place", "owner", "escalation"))
    params = f.copy()
    params.pop("page", None)
    department_only = bool(scope.roles) and scope.roles <= {Role.DEPARTMENT}
    ctx = {"page": page, "state": state, "states": State.choices, "categories": Category.objects.all(),
           "can_report": not department_only,
           "kinds": Kind.choices, "f": f, "now": timezone.now(),
           "querystring_prefix": (params.urlencode() + "&") if params else ""}
    template = "workorders/order_results.html" if request.htmx else "workorders/order_list.html"
    return render(request, template, ctx)


def _reporter_context(scope):
    """(channel, staff?, grids the caller may report in)."""
    if not scope.staff_places:
        return Channel.WEB, False, []
    grids = list(scope.places().filter(level=Level.GRID).select_related("parent").order_by("code")[:500])
    channel = Channel.GRID if Role.GRID in scope.roles else Channel.WINDOW
    return channel, True, grids


@login_required
def order_new(request):
    scope = request.scope
    if scope.roles and scope.roles <= {Role.DEPARTMENT}:
        raise PermissionDenied("职能部门账号不能直接上报工单,请由社区或网格员受理")
    channel, staff, grids = _reporter_context(scope)
    home = scope.staff_places[0] if scope.staff_places else (scope.assignments[0].place if scope.assignments else None)
    categories = list(selectors.categories(locality=home))
    form = ReportForm(request.POST or None, categories=categories, grids=grids, staff=staff,
                      initial={"category": request.GET.get("category", "")})
    error = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order = services.order_report(by=request.user, channel=channel, files=request.FILES.getlist("photos"),
                                          **_report_arguments(scope, d, staff, grids))
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


def _detail_ctx(request, order, **extra):
    scope = request.scope
    actions = services.allowed_actions(request.user, order, scope)
    ctx = {"order": order, "events": selectors.order_events(order), "actions": actions,
           "action_labels": dict(Action.choices), "targets": selectors.dispatch_targets(scope, order),
           "default_target": services.default_handling_place(order), "outcomes": Outcome.choices,
           "duplicates": selectors.possible_duplicates(scope, order) if Action.MERGE in actions else [],
           "merged": order.merged_orders.all(), "dispute": getattr(order, "dispute", None),
           "mediation_form": MediationForm(), "now": timezone.now(),
           "can_reveal": bool(order.reporter_phone_enc) and (services.is_supervisor(scope, order)
                                                             or order.owner_id == request.user.pk),
           "posted": {}, **extra}
    return ctx


@login_required
def order_detail(request, pk):
    order = selectors.access_order(request.scope, pk)
    Notification.objects.filter(user=request.user, order=order, read_at=None).update(read_at=timezone.now())
    return render(request, "workorders/order_detail.html", _detail_ctx(request, order))


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_POST
def order_act(request, pk, action):
    """One step on one order; the service checks state, rights and version."""
    order = selectors.access_order(request.scope, pk)
    if action not in services.ALLOWED_FROM:
        raise Http404("未知操作")
    p, user, version = request.POST, request.user, _version(request)
    files = request.FILES.getlist("photos")
    try:
        if action == Action.ACCEPT:
            services.order_accept(order=order, by=user, version=version, note=p.get("note", ""))
        elif action == Action.DECLINE:
            services.order_decline(order=order, by=user, version=version, reason=p.get("reason", ""))
        elif action == Action.DISPATCH:
            target = _dispatch_target(request.scope, order, p.get("target", ""))
            services.order_dispatch(order=order, by=user, version=version, place=target,
                                    department=p.get("department", ""), note=p.get("note", ""))
        elif action == Action.HANDLE:
            services.order_handle(order=order, by=user, version=version, note=p.get("note", ""), files=files)
        elif action == Action.REPLY:
            services.order_reply(order=order, by=user, version=version, reply=p.get("reply", ""),
                                 resolved=p.get("resolved") == "1", files=files)
        elif action in (Action.VERIFY_PASS, Action.VERIFY_FAIL):
            services.order_verify(order=order, by=user, version=version, passed=action == Action.VERIFY_PASS,
                                  note=p.get("note", ""), files=files)
        elif action == Action.CLOSE:
            services.order_close(order=order, by=user, version=version, note=p.get("note", ""))
        elif action == Action.RATE:
            services.order_rate(order=order, by=user, version=version, rating=p.get("rating"),
                                comment=p.get("comment", ""))
        elif action == Action.MERGE:
            services.order_merge(order=order, into=_merge_target(request.scope, p.get("into", "")), by=user,
                                 version=version)
        elif action == Action.MEDIATE:
            form = MediationForm(p)
            if not form.is_valid():
                raise services.WorkflowError("; ".join(e for errs in form.errors.values() for e in errs))
            d = form.cleaned_data
            services.dispute_mediate(order=order, by=user, version=version, mediator=d["mediator"],
                                     mediation=d["mediation"], outcome=d["outcome"], agreement=d["agreement"],
                                     mediated_on=d["mediated_on"], parties=parse_parties(p.get("parties", ""))
                                     if p.get("parties", "").strip() else None)
    except services.ConflictError as exc:
        return _redisplay(request, order, action, str(exc), status=409)
    except services.WorkflowError as exc:
        return _redisplay(request, order, action, str(exc), status=400)
    messages.success(request, f"已{Action(action).label}")
    return redirect("workorders:detail", pk=order.pk)


def _redisplay(request, order, action, error, *, status):
    """Show the order as it is now, with the refused step's text kept in its form."""
    fresh = selectors.access_order(request.scope, order.pk)
    ctx = _detail_ctx(request, fresh, error=error, posted={"action": action, **request.POST.dict()})
    return render(request, "workorders/order_detail.html", ctx, status=status)


def _dispatch_target(scope, order, code: str) -> Place | None:
    return next((p for p in selectors.dispatch_targets(scope, order) if p.code == code), None)


def _merge_target(scope, number: str) -> WorkOrder:
    pk = WorkOrder.pk_from_number(number)
    target = selectors.orders_in(scope).filter(pk=pk).first() if pk else None
    if target is None:
        raise services.WorkflowError(ERR_ORDER_NUMBER.format(number=number))
    return target


@login_required
def attachment(request, pk, attachment_pk):
    order = selectors.access_order(request.scope, pk)
    item = order.attachments.filter(pk=attachment_pk).first()
    if item is None:
        raise Http404("未找到")
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = "inline" if item.content_type.startswith("image/") else "attachment"
    return response


@login_required
@require_POST
def reveal_phone(request, pk):
    order = selectors.access_order(request.scope, pk)
    if not (services.is_supervisor(request.scope, order) or order.owner_id == request.user.pk):
        raise PermissionDenied("您的角色无权查看完整联系电话")
    phone = crypto.decrypt(order.reporter_phone_enc) if order.reporter_phone_enc else ""
    access_log_write(user=request.user, action=AccessAction.UNMASK, target=f"工单 {order.number} 反映人电话",
                     request=request)
    return render(request, "workorders/reveal_phone.html", {"order": order, "phone": phone})


GROUP_LABELS = {"community": "社区", "street": "街道", "grid": "网格", "handling": "承办单位"}
ERR_PERIOD = "起止日期无效:请用 YYYY-MM-DD,且开始不晚于结束"


def _period(request) -> tuple[dt.date, dt.date, str | None]:
    today = timezone.localdate()
    default_start = today.replace(day=1)
    try:
        start = dt.date.fromisoformat(request.GET.get("start") or default_start.isoformat())
        end = dt.date.fromisoformat(request.GET.get("end") or today.isoformat())
    except ValueError:
        return default_start, today, ERR_PERIOD
    if start > end:
        return default_start, today, ERR_PERIOD
    return start, end, None


@require_staff
def figures(request):
    """Per unit for a period: the counts and rates of 接诉即办, with charts."""
    start, end, error = _period(request)
    group = request.GET.get("group", "community")
    if group not in selectors.GROUPS:
        group = "community"
    rows = selectors.figures(scope=request.scope, start=start, end=end, group=group)
    if request.GET.get("format") == "xlsx" and not error:
        return _figures_xlsx(rows, start, end, GROUP_LABELS[group])
    chart = {"units": [r["unit"] for r in rows],
             "closure": [r["closure_rate"] for r in rows], "on_time": [r["on_time_rate"] for r in rows],
             "satisfaction": [r["satisfaction_rate"] for r in rows],
             "trend": selectors.monthly_trend(scope=request.scope)}
    totals = {k: sum(r[k] for r in rows) for k in ("reported", "accepted", "due", "closed", "on_time", "rework",
                                                 "overdue")}
    return render(request, "workorders/figures.html", {
        "rows": rows, "start": start, "end": end, "group": group, "groups": GROUP_LABELS, "chart": chart,
        "group_label": GROUP_LABELS[group],
        "totals": totals, "error": error}, status=400 if error else 200)


FIGURE_COLUMNS = [("unit", None), ("reported", "上报"), ("accepted", "受理"), ("due", "应结案"), ("closed", "结案"),
                  ("closure_rate", "结案率%"), ("on_time", "按期结案"), ("on_time_rate", "按期结案率%"),
                  ("rework", "返工"), ("rework_rate", "返工率%"), ("overdue", "超时"),
                  ("avg_handling_days", "平均办理(天)"), ("response_rate", "响应率%"),
                  ("resolution_rate", "解决率%"), ("satisfaction_rate", "满意率%")]


def _figures_xlsx(rows, start, end, group_label):
    """The figures table as a workbook (aggregates only, nothing personal)."""
    from io import BytesIO

    from django.http import HttpResponse
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "工单统计"
    ws.append([f"工单统计 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}"])
    ws.append([label or group_label for _, label in FIGURE_COLUMNS])
    for r in rows:
        ws.append([round(r[k], 1) if k == "avg_handling_days" and r[k] is not None else r[k]
                   for k, _ in FIGURE_COLUMNS])
    out = BytesIO()
    wb.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = quote(f"工单统计-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


def _visit_grids(scope):
    """Grids where the caller keeps a visit log: their own grid, or their community's."""
    grids = [p for a in scope.assignments if a.role in (Role.GRID, Role.COMMUNITY) for p in [a.place]]
    if not grids:
        return []
    q = Place.objects.none()
    for p in grids:
        q |= Place.objects.filter(level=Level.GRID, path__startswith=p.path)
    return list(q.select_related("parent").order_by("code"))


@require_staff
def visits(request):
    """民情日记: the caller's grid(s), newest first, with a form for today's visit."""
    scope = request.scope
    grids = _visit_grids(scope)
    categories = [c for c in selectors.categories() if c.kind != Kind.SERVICE]
    form = VisitForm(request.POST or None, grids=grids, categories=categories,
                     initial={"visited_on": timezone.localdate(), "grid": grids[0].code if grids else ""})
    error = None
    if request.method == "POST":
        if not grids:
            raise PermissionDenied("只有网格员和社区工作者记录民情日记")
        if form.is_valid():
            d = form.cleaned_data
            try:
                grid = next(g for g in grids if g.code == d["grid"])
                household = None
                if d["household_number"].strip():
                    household = households_in(scope).filter(number=d["household_number"].strip()).first()
                    if household is None:
                        raise services.WorkflowError(ERR_HOUSEHOLD.format(number=d["household_number"]))
                category = next((c for c in categories if c.code == d["order_category"]), None)
                visit = services.visit_record(by=request.user, grid=grid, visited_on=d["visited_on"],
                                              notes=d["notes"], concerns=d["concerns"], household=household,
                                              order_category=category)
            except services.WorkflowError as exc:
                error = str(exc)
            else:
                visit.refresh_from_db()
                messages.success(request, "已记录走访" + (f",诉求已转为工单 {visit.work_order.number}"
                                                       if visit.work_order_id else ""))
                return redirect("workorders:visits")
    page = paginate_by_ids(selectors.visits_in(scope), request.GET.get("page"), PER_PAGE,
                           related=("grid", "household", "visitor", "work_order"))
    return render(request, "workorders/visits.html", {"form": form, "page": page, "error": error,
                                                      "can_record": bool(grids), "categories": categories},
                  status=400 if error else 200)


@require_staff
@require_POST
def visit_to_order(request, pk):
    visit = selectors.visits_in(request.scope).filter(pk=pk).first()
    if visit is None:
        raise Http404("未找到或无权访问")
    category = Category.objects.filter(code=request.POST.get("category", ""), active=True).first()
    try:
        if category is None:
            raise services.WorkflowError(services.ERR_CATEGORY)
        order = services.visit_to_order(visit=visit, by=request.user, category=category)
    except services.WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("workorders:visits")
    messages.success(request, f"已转为工单 {order.number}")
    return redirect("workorders:detail", pk=order.pk)


@require_staff
def dispute_report(request):
    """月排查、月报告 for a grid, community or street in the caller's scope; xlsx and PDF downloads."""
    from django.http import HttpResponse

    from gongzhi.workorders import disputes

    scope = request.scope
    places = [p for p in scope.places().filter(level__in=[Level.STREET, Level.COMMUNITY, Level.GRID])
              .order_by("code")[:300]]
    code = request.GET.get("place") or (places[0].code if places else "")
    place = next((p for p in places if p.code == code), None)
    error = None
    try:
        month = disputes.parse_month(request.GET.get("month") or f"{timezone.localdate():%Y-%m}")
    except ValueError as exc:
        month, error = timezone.localdate().replace(day=1), str(exc)
    if place is None and code:
        raise Http404("未找到或无权访问")
    report = disputes.dispute_report(scope=scope, place=place, month=month) if place and not error else None
    fmt = request.GET.get("format", "")
    if report is not None and fmt in ("xlsx", "pdf"):
        # Parties' names are personal data: every download is logged.
        access_log_write(user=request.user, action=AccessAction.EXPORT, target=report.title,
                         detail=f"{fmt}, {len(report.rows)} 件", request=request)
        if fmt == "xlsx":
            body, content_type = disputes.to_xlsx(report), \
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body, content_type = disputes.to_pdf(report), "application/pdf"
        response = HttpResponse(body, content_type=content_type)
        filename = quote(f"{report.title}.{fmt}")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
        return response
    return render(request, "workorders/disputes.html", {"places": places, "place": place, "month": month,
                                                        "report": report, "error": error},
                  status=400 if error else 200)


def public_map(request):
    """Open incidents on a map, for anyone, without personal data."""
    return render(request, "workorders/public_map.html")


def public_geojson(request):
    from django.http import JsonResponse

    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r.pop("lon"), r.pop("lat")]},
                 "properties": r} for r in selectors.public_open_incidents()]
    response = JsonResponse({"type": "FeatureCollection", "features": features,
                             "grids": selectors.public_grid_outlines()})
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_capability(Capability.EDIT_CATALOGUE)
def catalogue(request):
    items = selectors.categories(active_only=False).select_related("locality")
    return render(request, "workorders/catalogue.html", {"items": items})


@require_capability(Capability.EDIT_CATALOGUE)
def category_edit(request, code=None):
    import json

    category = None
    if code is not None:
        category = Category.objects.filter(code=code).first()
        if category is None:
            raise Http404("未找到")
    initial = {"kind": Kind.INCIDENT, "route_level": "community", "accept_days": 1, "handle_days": 5,
               "verify_days": 2, "is_public": True, "active": True, "sort": 100, "attributes": "[]"}
    if category is not None:
        initial = {f: getattr(category, f) for f in ("code", "kind", "name", "description", "route_level",
                                                     "route_department", "window", "accept_days", "handle_days",
                                                     "verify_days", "is_public", "is_dispute", "active", "sort",
                                                     "version")}
        initial["materials"] = "\n".join(category.materials)
        initial["attributes"] = json.dumps(category.attributes, ensure_ascii=False, indent=1)
    form = CategoryForm(request.POST or None, initial=initial)
    error, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.category_save(by=request.user, category=category, version=form.cleaned_data["version"],
                                           fields=form.cleaned_data)
        except services.ConflictError as exc:
            error, status = str(exc), 409
        except services.WorkflowError as exc:
            error, status = str(exc), 400
        else:
            messages.success(request, f"已保存「{saved.name}」")
            return redirect("workorders:catalogue")
    return render(request, "workorders/category_edit.html", {"form": form, "category": category, "error": error},
                  status=status)


@require_capability(Capability.EDIT_CATALOGUE)
def calendar(request):
    from gongzhi.workorders.models import CalendarDay

    year = int(request.GET.get("year") or timezone.localdate().year)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("remove"):
            try:
                day = dt.date.fromisoformat(request.POST["remove"])
            except ValueError:
                raise Http404("日期无效") from None
            services.calendar_day_remove(by=request.user, date=day)
            messages.success(request, f"已删除 {day}")
            return redirect(f"{request.path}?year={day.year}")
        if form.is_valid():
            d = form.cleaned_data
            services.calendar_day_set(by=request.user, date=d["date"], is_workday=d["is_workday"], name=d["name"])
            messages.success(request, f"已设置 {d['date']}")
            return redirect(f"{request.path}?year={d['date'].year}")
    days = CalendarDay.objects.filter(date__year=year)
    return render(request, "workorders/calendar.html", {"form": form, "days": days, "year": year})


@login_required
def inbox(request):
    page = paginate_by_ids(selectors.inbox(request.user), request.GET.get("page"), 30, related=("order",))
    return render(request, "workorders/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_read_all(request):
    Notification.objects.filter(user=request.user, read_at=None).update(read_at=timezone.now())
    return redirect("workorders:inbox")
