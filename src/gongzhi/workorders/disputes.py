"""The monthly dispute report (矛盾纠纷月排查、月报告, P-GRID-4) for a grid,
community or street: the disputes found in the month and those carried over
unresolved, how they were mediated, with totals computed by the database.
Written as xlsx (openpyxl) and as a printable PDF (WeasyPrint, which embeds
the Noto CJK glyphs it uses, so the file prints the same anywhere)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from gongzhi.core.scope import Scope
from gongzhi.core.spreadsheets import text_row
from gongzhi.places.models import Place
from gongzhi.workorders.models import Channel, Outcome, State, WorkOrder
from gongzhi.workorders.selectors import orders_at

ERR_MONTH = "月份格式应为 YYYY-MM"


@dataclass
class DisputeReport:
    place: Place
    month: dt.date  # first day
    rows: list
    totals: dict
    by_type: list
    generated_at: dt.datetime

    @property
    def title(self) -> str:
        return f"{self.place.name}矛盾纠纷排查调处月报告({self.month:%Y年%m月})"


def parse_month(text: str) -> dt.date:
    try:
        year, month = (int(p) for p in (text or "").split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise ValueError(ERR_MONTH) from None


def _type_labels(order: WorkOrder) -> dict[str, str]:
    for attribute in order.category.attributes or []:
        if attribute.get("code") == "dispute_type":
            return {v["key"]: v["name"] for v in attribute.get("values", [])}
    return {}


def dispute_report(*, scope: Scope, place: Place, month: dt.date) -> DisputeReport:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine((month + dt.timedelta(days=32)).replace(day=1), dt.time.min, tzinfo=tz)
    found = Q(created_at__gte=start, created_at__lt=end)
    # Carried over: raised before the month and not finished when it began.
    carried = Q(created_at__lt=start) & (Q(closed_at__isnull=True) | Q(closed_at__gte=start))
    qs = (orders_at(scope, place).filter(category__is_dispute=True)
          .filter(found | carried))
    mediated = Q(dispute__mediated_on__gte=month, dispute__mediated_on__lt=end.date())
    totals = qs.aggregate(
        found=Count("id", filter=found), carried=Count("id", filter=~found),
        by_grid=Count("id", filter=found & Q(channel__in=[Channel.GRID, Channel.VISIT])),
        mediated=Count("id", filter=mediated),
        success=Count("id", filter=mediated & Q(dispute__outcome=Outcome.SUCCESS)),
        referred=Count("id", filter=mediated & Q(dispute__outcome=Outcome.REFERRED)),
        closed=Count("id", filter=Q(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end)),
        pending=Count("id", filter=Q(closed_at__isnull=True) | Q(closed_at__gte=end)),
    )
    totals["success_rate"] = round(100 * totals["success"] / totals["mediated"], 1) if totals["mediated"] else None
    orders = list(qs.select_related("category", "community", "grid", "dispute").order_by("created_at", "id"))
    labels = _type_labels(orders[0]) if orders else {}
    rows = []
    for o in orders:
        dispute = getattr(o, "dispute", None)
        rows.append({
            "number": o.number, "pk": o.pk, "reported": timezone.localtime(o.created_at).date(),
            "new": start <= o.created_at < end, "community": o.community.name if o.community else "",
            "grid": o.grid.name if o.grid else "", "title": o.title,
            "type": labels.get(dispute.dispute_type, dispute.dispute_type) if dispute else "",
            "parties": "、".join(p.get("name", "") for p in (dispute.parties if dispute else []) if p.get("name")),
            "mediator": dispute.mediator if dispute else "",
            "mediated_on": dispute.mediated_on if dispute else None,
            "outcome": dispute.get_outcome_display() if dispute else "",
            "agreement": bool(dispute and dispute.agreement), "state": o.get_state_display(),
        })
    by_type = list(qs.values("dispute__dispute_type").annotate(n=Count("id")).order_by("-n"))
    by_type = [{"type": labels.get(r["dispute__dispute_type"], r["dispute__dispute_type"] or "未分类"), "n": r["n"]}
               for r in by_type]
    return DisputeReport(place=place, month=month, rows=rows, totals=totals, by_type=by_type,
                         generated_at=timezone.localtime())


COLUMNS = [("number", "工单号"), ("reported", "上报日期"), ("new", "本月新发"), ("community", "社区"), ("grid", "网格"),
           ("type", "纠纷类型"), ("title", "概况"), ("parties", "当事人"), ("mediator", "调解人"),
           ("mediated_on", "调解日期"), ("outcome", "调解结果"), ("agreement", "达成协议"), ("state", "工单状态")]


def to_xlsx(report: DisputeReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{report.month:%Y-%m}"
    ws.append(text_row(ws, [report.title]))
    ws["A1"].font = Font(bold=True, size=14)
    t = report.totals
    ws.append(text_row(ws, [f"本月排查发现 {t['found']} 件(网格排查 {t['by_grid']} 件),上月结转 {t['carried']} 件;"
               f"本月调解 {t['mediated']} 件,成功 {t['success']} 件,成功率 "
               f"{'—' if t['success_rate'] is None else str(t['success_rate']) + '%'};"
               f"移交 {t['referred']} 件;本月结案 {t['closed']} 件;月末在办 {t['pending']} 件。"]))
    ws.append([])
    ws.append(text_row(ws, [label for _, label in COLUMNS]))
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for row in report.rows:
        ws.append(text_row(ws, [("是" if row[k] else "否") if k in ("new", "agreement") else row[k] for k, _ in COLUMNS]))
    for column, width in zip("ABCDEFGHIJKLM", (20, 12, 9, 14, 16, 10, 24, 20, 10, 12, 12, 9, 10)):
        ws.column_dimensions[column].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def to_pdf(report: DisputeReport) -> bytes:
    from weasyprint import HTML

    html = render_to_string("workorders/dispute_report_print.html", {"report": report, "columns": COLUMNS})
    return HTML(string=html).write_pdf()
