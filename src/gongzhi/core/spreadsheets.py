"""Rows written to every xlsx the platform makes go through `text_row`: a text that
begins like a formula (= + - @, or a tab or CR that Excel strips first) is written
as a text cell, exactly as stored, so opening the file never evaluates what a
resident or a worker typed (OWASP "CSV injection"; a name like =HYPERLINK(...)).
Control characters that xlsx cannot hold are dropped, so nothing stored can make
an export fail.
"""
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_row(sheet, values) -> list:
    """`values` for sheet.append, with formula-like texts as explicit text cells."""
    return [_as_text(sheet, v) for v in values]


def _as_text(sheet, value):
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # stored before inputs refused them: never fail the export
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl took it for a formula
        return cell
    return value
