"""Assessment results as files: the whole run as xlsx (one row per community,
one column pair per indicator, then the targets), and a printable PDF
scorecard per community (WeasyPrint, Noto CJK embedded)."""
from __future__ import annotations

from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone

from gongzhi.core.spreadsheets import text_row
from gongzhi.standards.models import AssessmentRun
from gongzhi.standards.packs import Pack


def run_xlsx(run: AssessmentRun, pack: Pack, data: dict, *, targets: list | None = None) -> bytes:
    """`data` is results.as_json(run, pack) narrowed to what the caller may see, and
    `targets` results.targets_for(...) likewise (default: all of the run's)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    red, green = PatternFill("solid", fgColor="F8D7DA"), PatternFill("solid", fgColor="D4EDDA")
    wb = Workbook()
    ws = wb.active
    ws.title = "评估结果"
    ws.append(text_row(ws, [f"{pack.title} · {run.period} 年评估(数据截至 {run.as_of:%Y-%m-%d},评估 #{run.pk})"]))
    ws["A1"].font = Font(bold=True)
    columns = [i for i in pack.indicators if i["applies_to"]["level"] == "community"]
    header = ["社区代码", "社区", "街道(镇)", "得分", "等级"]
    for i in columns:
        header += [f"{i['title']}({i['rule']})", "达标"]
    ws.append(text_row(ws, header))
    for c in data["communities"]:
        by_id = {x["indicator"]: x for x in c["indicators"]}
        row = [c["code"], c["name"], c["street"], c["score"], c["grade"]]
        fills = []
        for i in columns:
            x = by_id.get(i["id"])
            if x is None:
                row += ["不适用", ""]
                fills.append(None)
            else:
                row += [x["value"] if x["value"] is not None else "无数据", "是" if x["passed"] else "否"]
                fills.append(green if x["passed"] else red)
        ws.append(text_row(ws, row))
        for n, fill in enumerate(fills):
            if fill:
                ws.cell(row=ws.max_row, column=7 + 2 * n).fill = fill
    ws.freeze_panes = "C3"

    sheet = wb.create_sheet("目标达成")
    sheet.append(text_row(sheet, ["目标", "政策目录", "范围", "达标社区", "参与社区", "达标比例(%)或合计值", "要求", "达成"]))
    for t in run.summary.get("targets", []) if targets is None else targets:
        if t["counted"] is not None:
            sheet.append(text_row(sheet, [t["title"], t["rule"], "全部", t["met"], t["counted"], t["share"],
                          t.get("requirement") or t["share_min"], "是" if t["attained"] else "否"]))
        for s in t["streets"]:
            sheet.append(text_row(sheet, [t["title"], t["rule"], s["street"], s["met"], s["counted"], s["share"],
                          t.get("requirement") or t["share_min"], "是" if s["attained"] else "否"]))
    if data["streets"]:
        streets = wb.create_sheet("街道指标")
        streets.append(text_row(streets, ["街道代码", "街道(镇)", "指标", "值", "标准", "达标"]))
        for s in data["streets"]:
            for x in s["indicators"]:
                streets.append(text_row(streets, [s["code"], s["name"], pack.indicator(x["indicator"])["title"], x["value"],
                                x["threshold"], "是" if x["passed"] else "否"]))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def scorecard_pdf(*, run: AssessmentRun, pack: Pack, community, card: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("standards/scorecard_print.html", {
        "run": run, "pack": pack, "community": community, "card": card, "generated_at": timezone.localtime()})
    return HTML(string=html).write_pdf()


def funding_xlsx(pack: Pack, table: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "社区工作经费"
    ws.append(text_row(ws, [f"{pack.title}:社区每年工作经费测算(按当前户数)"]))
    ws["A1"].font = Font(bold=True)
    ws.append(text_row(ws, ["社区代码", "社区", "街道(镇)", "城乡", "户数", "每年合计(元)", "构成", *table["payers"]]))
    for r in table["rows"]:
        ws.append(text_row(ws, [r["community"].code, r["community"].name, r["street"].name,
                   {"urban": "城市", "rural": "农村"}.get(r["area"], "未知(未登记)"), r["households"], r["total"],
                   ";".join([r["error"]] if r.get("error") else [] + list(r.get("notes", []))
                            + [f"{i['title']} {i['amount']:,.2f} 元({i['how']})" for i in r["annual"]]),
                   *[r["shares"].get(p) for p in table["payers"]]]))
    sums = wb.create_sheet("按街道汇总")
    sums.append(text_row(sums, ["街道(镇)", "社区数", "户数", "每年合计(元)", *table["payers"]]))
    for s in table["streets"]:
        sums.append(text_row(sums, [s["street"].name, s["communities"], s["households"], s["total"],
                     *[s["shares"].get(p) for p in table["payers"]]]))
    sums.append(text_row(sums, ["合计", sum(s["communities"] for s in table["streets"]), table["households"], table["total"]]))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
