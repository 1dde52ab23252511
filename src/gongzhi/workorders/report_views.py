"""Work-order reports: figures per unit with charts and an xlsx, the monthly
dispute report (page, xlsx, PDF), both read through the scope narrowed to
VIEW_ORDER_REPORTS, and the public map of open incidents (no personal data)."""
from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from gongzhi.core.access_log import access_log_write
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import public, requires
from gongzhi.core.spreadsheets import text_row
from gongzhi.places.models import Level
from gongzhi.workorders import selectors
from gongzhi.workorders.manifest import VIEW_ORDER_REPORTS

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


@requires(VIEW_ORDER_REPORTS)
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


_CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "pdf": "application/pdf"}


def _download(body: bytes, filename: str) -> HttpResponse:
    """A file built in memory, as an attachment under its Chinese name."""
    return HttpResponse(body, content_type=_CONTENT_TYPES[filename.rsplit(".", 1)[1]],
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


def _figures_xlsx(rows, start, end, group_label):
    """The figures table as a workbook (aggregates only, nothing personal)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "工单统计"
    ws.append(text_row(ws, [f"工单统计 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}"]))
    ws.append(text_row(ws, [label or group_label for _, label in FIGURE_COLUMNS]))
    for r in rows:
        ws.append(text_row(ws, [round(r[k], 1) if k == "avg_handling_days" and r[k] is not None else r[k]
                   for k, _ in FIGURE_COLUMNS]))
    out = BytesIO()
    wb.save(out)
    return _download(out.getvalue(), f"工单统计-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")


@requires(VIEW_ORDER_REPORTS)
def dispute_report(request):
    """月排查、月报告 for a grid, community or street in the caller's scope; xlsx and PDF downloads."""
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
        body = disputes.to_xlsx(report) if fmt == "xlsx" else disputes.to_pdf(report)
        return _download(body, f"{report.title}.{fmt}")
    return render(request, "workorders/disputes.html", {"places": places, "place": place, "month": month,
                                                        "report": report, "error": error},
                  status=400 if error else 200)


@public
def public_map(request):
    """Open incidents on a map, for anyone, without personal data."""
    return render(request, "workorders/public_map.html")


@public
def public_geojson(request):
    from django.http import JsonResponse

    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r.pop("lon"), r.pop("lat")]},
                 "properties": r} for r in selectors.public_open_incidents()]
    response = JsonResponse({"type": "FeatureCollection", "features": features,
                             "grids": selectors.public_grid_outlines()})
    response["Cache-Control"] = "public, max-age=60"
    return response
