"""The columns of the resident import template (and of the export).

One ordered list is the single source of truth: the downloadable template,
the importer's header matching and the export all read it. 出生日期 and 性别
are not columns to fill in: they are derived from the 公民身份号码. The export
appends them after the template's columns for the reader's convenience.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core import codes
from gongzhi.people.models import BUILTIN_CARE_TAGS, ResidenceStatus


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str
    text: bool = False  # keep Excel from turning the value into a number


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, "居民姓名,不超过50个字符"),
    Column("id_number", "公民身份号码", True,
           "18位公民身份号码;末位 X 可小写,全角数字也可识别;出生日期和性别由此自动得出", text=True),
    Column("ethnicity", "民族", True, "民族名称或两位代码(GB/T 3304),如 汉族 或 01;填 汉 也可识别"),
    Column("phone", "联系电话", False, "11位手机号,或带区号的固定电话,如 0510-87654321", text=True),
    Column("household", "户号", True, "同一户的成员填同一户号;户号不存在时自动建户", text=True),
    Column("relation", "与户主关系", True, "GB/T 4761 名称或代码,如 户主/02、配偶/10、子/20、女/30"),
    Column("community", "社区代码", True, "12位统计用区划代码", text=True),
    Column("grid", "网格编号", True, "所属网格的编号,须属于上面的社区", text=True),
    Column("dwelling", "房屋编号", False, "系统中已登记的房屋编号,须属于上面的网格;可留空", text=True),
    Column("residence_status", "居住状态", True, "户籍人口、常住人口 或 流动人口"),
    Column("tags", "人员标签", False, "重点人群标签(见下方可填的名称),多个用 、 或 , 或 ； 分隔,如 低保、独居老人"),
    Column("moved_in_on", "迁入日期", False, "如 2019-03-01、2019/3/1、2019年3月1日 或 Excel 日期;不能早于出生日期、不能晚于今天"),
    Column("party_member", "党员", False, "是 或 否,留空为否"),
)

BY_KEY = {c.key: c for c in COLUMNS}
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)
REQUIRED_HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS if c.required)
# Derived from the ID number: exported for reading, ignored on import.
DERIVED_HEADERS: tuple[str, ...] = ("出生日期", "性别")
EXPORT_HEADERS: tuple[str, ...] = HEADERS + DERIVED_HEADERS
# A masked export carries the birth year only: a full date beside a masked number completes it.
MASKED_EXPORT_HEADERS: tuple[str, ...] = HEADERS + ("出生年份", "性别")

RESIDENCE_LABELS = [label for _, label in ResidenceStatus.choices]
TAG_SEPARATORS = "、,，;；"  # and spaces

TEMPLATE_ROWS = 5000  # rows given the drop-down lists


def header(key: str) -> str:
    return BY_KEY[key].header


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(index + 1)


def _main_sheet(ws) -> None:
    ws.title = "居民"
    ws.append(list(HEADERS))
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for i, col in enumerate(COLUMNS):
        cell = ws.cell(row=1, column=i + 1)
        cell.font = Font(bold=True, color="C00000" if col.required else "000000")
        if col.required:
            cell.fill = required_fill
        letter = _column_letter(i)
        ws.column_dimensions[letter].width = max(10, len(col.header) * 2 + 4)
        if col.text:
            # A text column style keeps an 18-digit ID typed in Excel from
            # becoming 3.20282E+17 (and losing its last digits).
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    for key, values in (("residence_status", RESIDENCE_LABELS), ("party_member", ["是", "否"])):
        letter = _column_letter(HEADERS.index(header(key)))
        dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
        dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        ws.add_data_validation(dv)


def _help_sheet(wb, care_tag_names: list[str]) -> None:
    ws = wb.create_sheet("填写说明")
    ws.append(["列名", "是否必填", "说明"])
    for col in COLUMNS:
        ws.append([col.header, "必填" if col.required else "选填", col.help])
    ws.append([])
    ws.append(["说明", "", "第一行为表头,列的顺序可以调整,不认识的列会被忽略;出生日期、性别由公民身份号码自动得出,无需填写。"])
    ws.append(["", "", "导入后,未通过检查的行会生成一个“未导入”表格,注明原行号和原因,改正后可直接再次导入;已导入的行不会重复。"])
    ws.append([])
    ws.append(["居住状态可填", "", "、".join(RESIDENCE_LABELS)])
    ws.append(["人员标签可填", "", "、".join(care_tag_names)])
    ws.append([])
    ws.append(["民族代码(GB/T 3304)", "代码", "名称"])
    for code, name in codes.ETHNICITIES.items():
        ws.append(["", code, name])
    ws.append([])
    ws.append(["与户主关系代码(GB/T 4761)", "代码", "名称"])
    for code, name in codes.RELATIONS.items():
        ws.append(["", code, name])
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 90
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def care_tag_names() -> list[str]:
    """Tag names from the database (locality-defined ones included)."""
    from gongzhi.people.models import CareTag
    return list(CareTag.objects.values_list("name", flat=True)) or [name for _, name in BUILTIN_CARE_TAGS]


def build_template(path: Path | str | None = None, *, care_tags: list[str] | None = None) -> Workbook:
    """The downloadable template: header row on sheet 居民, help on 填写说明.
    Saved to `path` when one is given."""
    wb = Workbook()
    _main_sheet(wb.active)
    _help_sheet(wb, care_tags if care_tags is not None else care_tag_names())
    if path is not None:
        wb.save(path)
    return wb


def write_template(path: Path | str, care_tags: list[str] | None = None) -> Path:
    build_template(path, care_tags=care_tags)
    return Path(path)
