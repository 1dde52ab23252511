"""The rejected rows, as a workbook to fix and import again: the row's own
cells plus its original row number and the reasons it was refused.
"""
from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gongzhi.core.spreadsheets import text_row

REPORT_ROW_HEADER = "原行号"
REPORT_REASON_HEADER = "错误原因"


class _Report:
    def __init__(self, path: Path, headers: list[str]):
        self.path = path
        # A report imported again and rejected again must not grow a second pair.
        self.keep = [i for i, h in enumerate(headers) if h not in (REPORT_ROW_HEADER, REPORT_REASON_HEADER)]
        self.header = [headers[i] for i in self.keep] + [REPORT_ROW_HEADER, REPORT_REASON_HEADER]
        self.workbook = self.sheet = None

    def add(self, number: int, values: list, reason: str) -> None:
        if self.workbook is None:
            self.workbook = Workbook(write_only=True)  # rows go to a temporary file, not memory
            self.sheet = self.workbook.create_sheet("未导入")
            self.sheet.append(text_row(self.sheet, self.header))
        self.sheet.append(text_row(self.sheet, [_clean_cell(values[i]) for i in self.keep] + [number, reason]))

    def close(self) -> Path | None:
        if self.workbook is None:
            self.path.unlink(missing_ok=True)  # a report left by an earlier run would mislead
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.workbook.save(self.path)
        os.chmod(self.path, 0o600)  # the refused rows are personal data: the server's user only
        return self.path


def _clean_cell(value):
    """Control characters (pasted from other systems) that xlsx cannot hold."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def default_report_path(path: Path) -> Path:
    """residents.xlsx → residents.rejected.xlsx, beside the input."""
    return path.with_name(f"{path.stem}.rejected.xlsx")

