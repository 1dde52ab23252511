"""Import of residents and households from xlsx or CSV.

Streaming all the way: rows are read, checked and written one chunk at a
time, so memory stays flat whatever the file size (what does grow is one
entry per ID number seen, to catch duplicates within the file: ~100 MB for
a million rows).

Two processes: a forked child reads, normalises and checks each row, and
does the costly per-row work (encryption, keyed hashes, pinyin); the parent
looks rows up in the database and writes them. On SQLite the two halves
cost about the same, so the pipeline nearly doubles the throughput.

Each chunk is written in one transaction. A process killed mid-file loses
only the chunk in flight; running the import again finds the rows already in
the database identical and counts them as unchanged, so nothing is doubled.
A row for a person already in the same household with other values updates
that person (name, phone, ethnicity, residence status, relation, moved-in
date, party membership, care tags — not the dwelling) through
services.resident_update, with history and an UPDATED event.

Why not openpyxl or python-calamine for reading xlsx: calamine loads the
whole sheet into memory (≈1 KB per row: 1 GB for a million rows) and
openpyxl's read-only mode streams but manages only ≈12,000 rows/s. The small
expat reader below streams at ≈50,000 rows/s, adding only the packed
shared strings (≈25 bytes each) to memory.

Why not the ORM for writing: Django's bulk_create (and simple-history's
bulk_create_with_history on top of it) costs ≈180 µs per resident with its
history and event rows, ten times the budget. The rows are built already in
database form and written with one executemany per table (COPY on
PostgreSQL), with the same history rows simple-history would write
(history_type "+", with the care-tag snapshot), the ids reserved first so
no row has to be read back.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
import multiprocessing
import re
import zipfile
from array import array
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter, itemgetter
from pathlib import Path
from xml.parsers import expat

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gongzhi.accounts.models import Capability
from gongzhi.core import codes, crypto, idcard
from gongzhi.core.access_log import access_log_write
from gongzhi.core.models import AccessAction, Job, JobStatus
from gongzhi.core.pinyin import name_pinyin
from gongzhi.people import services
from gongzhi.people import template_columns as tc
from gongzhi.people.models import (
    CareTag, EventKind, Household, HouseholdStatus, PersonStatus, ResidenceStatus, Resident, ResidentEvent,
)
from gongzhi.places.models import Dwelling, Level, Place

# -- file-level errors (the whole file is refused) ----------------------------
ERR_FILE_MISSING = "找不到文件 {path} (file not found)"
ERR_FILE_TYPE = "只能导入 .xlsx 或 .csv 文件: {name} (only .xlsx and .csv files can be imported)"
ERR_FILE_UNREADABLE = "无法读取文件 {name}: {detail} (the file cannot be read)"
ERR_FILE_ENCODING = "无法识别 CSV 文件的编码,请另存为 UTF-8 编码的 CSV (cannot decode the CSV file; save it as UTF-8)"
ERR_FILE_NO_HEADER = "文件中没有表头行 (the file has no header row)"
ERR_MISSING_COLUMNS = "缺少必填列: {columns} (missing required column: {columns})"
ERR_REPORT_IS_INPUT = "未导入行的报告不能写到输入文件本身 (the report would overwrite the input file)"
ERR_WORKER = "读取文件的进程意外退出 (the reading process died)"
ERR_INTERRUPTED = "导入中断: {detail}。已导入的行完整保留,再次导入同一文件即可继续 (import interrupted; run it again)"
ERR_NO_PERMISSION = "您没有导入居民信息的权限"

# -- row-level reasons (the row is refused, the rest goes on) ------------------
ERR_REQUIRED = "{column}: 不能为空"
ERR_TOO_LONG = "{column}: 不能超过{limit}个字符"
ERR_ID_LENGTH = "公民身份号码: 应为18位"
ERR_ID_CHARS = "公民身份号码: 含有非法字符"
ERR_ID_BIRTH = "公民身份号码: 出生日期无效"
ERR_ID_FUTURE = "公民身份号码: 出生日期晚于今天"
ERR_ID_CHECK = "公民身份号码: 校验位错误"
ERR_ID_AS_NUMBER = "公民身份号码: 被 Excel 存成了数字,末几位已丢失;请把该列设为文本后重新填写"
ERR_ID_DUPLICATE_IN_FILE = "公民身份号码: 与第 {row} 行重复"
ERR_ID_OTHER_HOUSEHOLD = services.ERR_DUPLICATE_ID  # 公民身份号码已登记在户号 {household} 中
ERR_ID_NOT_ACTIVE = "公民身份号码: 该居民已迁出或死亡,不能导入"
ERR_ETHNICITY = "民族: 无法识别“{value}”"
ERR_RELATION = "与户主关系: 无法识别“{value}”"
ERR_PHONE = "联系电话: “{value}”不是有效的手机号或带区号的固定电话"
ERR_RESIDENCE = "居住状态: 应为 户籍人口、常住人口 或 流动人口"
ERR_TAG = "人员标签: 无法识别“{value}”"
ERR_PARTY = "党员: 应为 是 或 否"
ERR_DATE_INVALID = "迁入日期: “{value}”不是有效日期"
ERR_DATE_FUTURE = "迁入日期: 不能晚于今天"
ERR_DATE_BEFORE_BIRTH = "迁入日期: 不能早于出生日期"
ERR_COMMUNITY_UNKNOWN = "社区代码: {code} 不存在"
ERR_GRID_UNKNOWN = "网格编号: {code} 不存在"
ERR_GRID_COMMUNITY = "网格编号: {grid} 不属于社区 {community}"
ERR_DWELLING_UNKNOWN = "房屋编号: {code} 不存在"
ERR_DWELLING_GRID = "房屋编号: {code} 不在网格 {grid} 内"
ERR_SCOPE_COMMUNITY = "社区代码 {code} 不在您的管辖范围内"
ERR_SCOPE_GRID = "网格编号 {code} 不在您的管辖范围内"
ERR_HOUSEHOLD_COMMUNITY = "户号: {number} 已登记在其他社区"
ERR_HOUSEHOLD_GRID = "户号: {number} 属于网格 {grid},与网格编号不符"
ERR_HOUSEHOLD_CLOSED = "户号: {number} 已注销"
REASON_SEPARATOR = "；"

_ID_ERRORS = {
    idcard.ERR_EMPTY: ERR_REQUIRED.format(column="公民身份号码"), idcard.ERR_LENGTH: ERR_ID_LENGTH,
    idcard.ERR_CHARS: ERR_ID_CHARS, idcard.ERR_DATE: ERR_ID_BIRTH, idcard.ERR_FUTURE: ERR_ID_FUTURE,
    idcard.ERR_CHECK: ERR_ID_CHECK,
}

REPORT_ROW_HEADER = "原行号"
REPORT_REASON_HEADER = "错误原因"
CHANGE_REASON = "导入"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, unreadable, wrong columns)."""


@dataclass
class ImportResult:
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0  # rows already present identically (counted within accepted)
    updated: int = 0  # rows already present in the same household, changed (within accepted)
    report_path: Path | None = None

    @property
    def processed(self) -> int:
        return self.accepted + self.rejected


# =============================================================================
# Reading
# =============================================================================
# Full-width ASCII (digits, letters, punctuation) and the ideographic space,
# as typed with a Chinese input method.
_FULLWIDTH = {0x3000: " ", **{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}}


def _is_blank(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


class _CsvSource:
    """CSV in UTF-8 (with or without BOM), or GB18030 as saved by Chinese Excel."""

    def __init__(self, path: Path):
        self.path = path
        self.encoding, lines, first = self._probe(path)
        self.delimiter = "\t" if first.count(b"\t") > first.count(b",") else ","
        self.total = max(lines - 1, 0)

    @staticmethod
    def _probe(path: Path) -> tuple[str, int, bytes]:
        """One pass over the bytes: does UTF-8 decode all of it, and how many lines."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8, lines, first = True, 0, b""
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                if not first:
                    first = block.split(b"\n", 1)[0]
                lines += block.count(b"\n")
                if utf8:
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError:
                        utf8 = False
            if utf8:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            return "utf-8-sig", lines, first
        try:
            with path.open("rb") as f:  # GB18030 decodes almost anything: check all of it
                decoder = codecs.getincrementaldecoder("gb18030")()
                while block := f.read(1 << 20):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise ImportFileError(ERR_FILE_ENCODING) from None
        return "gb18030", lines, first

    def rows(self) -> Iterator[tuple[int, list]]:
        with self.path.open(newline="", encoding=self.encoding) as f:
            try:
                yield from enumerate(csv.reader(f, delimiter=self.delimiter), start=1)
            except csv.Error as e:
                raise ImportFileError(ERR_FILE_UNREADABLE.format(name=self.path.name, detail=e)) from None


# Built-in number formats that are dates or times (ECMA-376 18.8.30).
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59)) \
    | set(range(71, 82))
_DATE_FORMAT_CODE = re.compile(r"[ymdhs]", re.I)
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_REL_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
           "http://purl.oclc.org/ooxml/officeDocument/relationships")


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _parse_xml(data: bytes | zipfile.ZipExtFile, start=None, end=None, chars=None) -> None:
    """Namespace-aware expat over a small part (element names are "ns local")."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if chars:
        parser.CharacterDataHandler = chars
    if isinstance(data, bytes):
        parser.Parse(data, True)
    else:
        parser.ParseFile(data)


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


class _XlsxSource:
    """A streaming reader for the first worksheet of an xlsx file.

    Yields each row as a list of Python values: str, int, float, bool, or
    datetime for cells formatted as dates. Shared strings are held in memory
    (as every xlsx reader must); the sheet itself is parsed as it is inflated.
    """

    BLOCK = 1 << 16

    def __init__(self, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
            self.sheet, self.date1904 = self._workbook()
            self.date_styles = self._date_styles()
            self.strings = self._shared_strings()
        except (zipfile.BadZipFile, KeyError, expat.ExpatError, OSError, ValueError) as e:
            raise ImportFileError(ERR_FILE_UNREADABLE.format(name=path.name, detail=e)) from None
        self.last_row: int | None = None  # from the sheet's <dimension>, once read
        self.bytes_read = 0
        self.size = self.zip.getinfo(self.sheet).file_size

    # -- workbook parts --------------------------------------------------------
    def _workbook(self) -> tuple[str, bool]:
        """The first worksheet's part name, and whether dates count from 1904."""
        sheets, rels, date1904 = [], {}, [False]

        def on_workbook(name, attrs):
            local = _local(name)
            if local == "sheet":
                rid = next((v for k, v in attrs.items() if k.endswith(" id") and k.startswith(_REL_NS)), None)
                sheets.append(rid)
            elif local == "workbookPr":
                date1904[0] = attrs.get("date1904") in ("1", "true")

        def on_rel(name, attrs):
            if _local(name) == "Relationship":
                rels[attrs.get("Id")] = attrs.get("Target", "")

        _parse_xml(self.zip.read("xl/workbook.xml"), start=on_workbook)
        names = set(self.zip.namelist())
        if "xl/_rels/workbook.xml.rels" in names:
            _parse_xml(self.zip.read("xl/_rels/workbook.xml.rels"), start=on_rel)
        for rid in sheets:
            target = rels.get(rid, "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if target in names:
                return target, date1904[0]
        fallback = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        if not fallback:
            raise KeyError("no worksheet")
        return fallback[0], date1904[0]

    def _date_styles(self) -> frozenset[str]:
        """Style indices (the cells' s="…") whose number format is a date."""
        if "xl/styles.xml" not in self.zip.namelist():
            return frozenset()
        custom, xf_formats, state = {}, [], {"in_xfs": False}

        def start(name, attrs):
            local = _local(name)
            if local == "numFmt":
                custom[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                state["in_xfs"] = True
            elif local == "xf" and state["in_xfs"]:
                xf_formats.append(int(attrs.get("numFmtId", 0)))

        def end(name):
            if _local(name) == "cellXfs":
                state["in_xfs"] = False

        _parse_xml(self.zip.read("xl/styles.xml"), start=start, end=end)

        def is_date(fmt_id: int) -> bool:
            if fmt_id in custom:
                return bool(_DATE_FORMAT_CODE.search(_FORMAT_NOISE.sub("", custom[fmt_id])))
            return fmt_id in _BUILTIN_DATE_FORMATS

        return frozenset(str(i) for i, fmt in enumerate(xf_formats) if is_date(fmt))

    def _shared_strings(self) -> "_PackedStrings":
        strings = _PackedStrings()
        part = next((n for n in self.zip.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
        if part is None:
            return strings
        parts: list[str] = []
        state = [False, 0]  # inside <t>, depth inside <rPh> (phonetic guide: not part of the value)

        def start(name, attrs):
            local = _local(name)
            if local == "t":
                state[0] = state[1] == 0
            elif local == "rPh":
                state[1] += 1
            elif local == "si":
                parts.clear()

        def end(name):
            local = _local(name)
            if local == "t":
                state[0] = False
            elif local == "rPh":
                state[1] -= 1
            elif local == "si":
                strings.append("".join(parts))

        def chars(data):
            if state[0]:
                parts.append(data)

        with self.zip.open(part) as f:
            _parse_xml(f, start=start, end=end, chars=chars)
        strings.close()
        return strings

    # -- the sheet ---------------------------------------------------------------
    def _to_date(self, serial: float) -> dt.datetime | None:
        base = dt.datetime(1904, 1, 1) if self.date1904 else dt.datetime(1899, 12, 30)
        try:
            return base + dt.timedelta(days=serial)
        except OverflowError:
            return None

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, values) for each row of the sheet, as it is inflated.

        The handlers are written for speed (they run ~5 times per cell):
        columns are worked out from the cell references only for sparse rows.
        """
        blocks, offsets, date_styles, value_of = self.strings.blocks, self.strings.offsets, self.date_styles, self._value
        done: list[tuple[int, list]] = []
        refs: list = []  # current row: cell references ...
        vals: list = []  # ... and values
        text: list[str] = []
        cell = [None, None, None]  # r, t, s of the cell being read
        row_no = [0]
        state = [False, 0]  # collecting text, depth inside <rPh> (phonetic guide, not the value)
        # Without namespace processing expat runs twice as fast; element names
        # then carry the document's own prefix (none, or e.g. "x:").
        prefix = self._sheet_prefix()
        C, V, T, ROW, RPH, DIM = (prefix + tag for tag in ("c", "v", "t", "row", "rPh", "dimension"))

        def start(name, attrs):
            if name == C:
                cell[0], cell[1], cell[2] = attrs.get("r"), attrs.get("t"), attrs.get("s")
                text.clear()
            elif name == V or name == T:
                state[0] = state[1] == 0
            elif name == ROW:
                r = attrs.get("r")
                row_no[0] = int(r) if r else row_no[0] + 1
                refs.clear()
                vals.clear()
            elif name == RPH:
                state[1] += 1
            elif name == DIM:
                m = re.search(r"(\d+)$", attrs.get("ref", ""))
                if m:
                    self.last_row = int(m.group(1))

        def end(name):
            if name == C:
                t = cell[1]
                raw = "".join(text)
                if t == "s" and raw:  # _PackedStrings[i] inlined: most cells of an Excel file
                    i = int(raw)
                    block, at = blocks[i >> _PackedStrings.SHIFT], offsets[i >> _PackedStrings.SHIFT]
                    i &= _PackedStrings.MASK
                    value = block[at[i]:at[i + 1]]
                elif t == "inlineStr" or t == "str":
                    value = raw
                else:
                    value = value_of(t, cell[2], raw, date_styles)
                refs.append(cell[0])
                vals.append(value)
            elif name == V or name == T:
                state[0] = False
            elif name == ROW:
                if vals:
                    done.append((row_no[0], _place_cells(refs, vals)))
            elif name == RPH:
                state[1] -= 1

        def chars(data):
            if state[0]:
                text.append(data)

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.buffer_size = self.BLOCK
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
        try:
            with self.zip.open(self.sheet) as f:
                while True:
                    block = f.read(self.BLOCK)
                    self.bytes_read += len(block)
                    parser.Parse(block, not block)
                    yield from done
                    done.clear()
                    if not block:
                        break
        except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, ValueError, IndexError) as e:
            # Broken XML, a truncated archive, a shared-string index out of range.
            raise ImportFileError(ERR_FILE_UNREADABLE.format(name=self.path.name, detail=e)) from None

    def _sheet_prefix(self) -> str:
        with self.zip.open(self.sheet) as f:
            head = f.read(4096).decode("utf-8", "replace")
        m = re.search(r"<([A-Za-z_][\w.-]*:)?worksheet[\s>]", head)
        return (m.group(1) or "") if m else ""

    def _value(self, t, s, raw: str, date_styles):
        """Cells other than strings: numbers, dates, booleans, errors."""
        if t is None or t == "n":
            if not raw:
                return None
            number = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
            if s is not None and s in date_styles:
                return self._to_date(number)
            if isinstance(number, float) and number.is_integer() and abs(number) < 1e15:
                return int(number)
            return number
        if t == "b":
            return raw == "1"
        if t == "d":
            try:
                return dt.datetime.fromisoformat(raw)
            except ValueError:
                return raw
        return raw or None  # "e": an error such as #N/A kept as text; "s" without a value


class _PackedStrings:
    """The shared strings, packed: Python spends ~70 bytes on each short str;
    joined in blocks with an offsets array it is ~25. In a sheet of people
    the ID, phone and household numbers are all different: for a million
    rows that is 2.4 million strings, 170 MB as a list, 60 MB packed."""

    SHIFT = 14
    MASK = (1 << SHIFT) - 1

    def __init__(self):
        self.blocks: list[str] = []
        self.offsets: list[array] = []
        self._pending: list[str] = []

    def append(self, text: str) -> None:
        self._pending.append(text)
        if len(self._pending) > self.MASK:
            self._pack()

    def close(self) -> None:
        if self._pending:
            self._pack()

    def _pack(self) -> None:
        at, end = array("I", [0]), 0
        for text in self._pending:
            end += len(text)
            at.append(end)
        self.blocks.append("".join(self._pending))
        self.offsets.append(at)
        self._pending = []

    def __getitem__(self, i: int) -> str:
        block, at = self.blocks[i >> self.SHIFT], self.offsets[i >> self.SHIFT]
        i &= self.MASK
        return block[at[i]:at[i + 1]]

    def __len__(self) -> int:
        return sum(len(at) - 1 for at in self.offsets) + len(self._pending)


def _place_cells(refs: list, vals: list) -> list:
    """A row's values by column. Excel leaves out empty cells, so when the last
    cell's column says the row is sparse, each value goes to its own column."""
    last = refs[-1]
    if last is None or _column_index(last.rstrip("0123456789")) == len(vals) - 1:
        return list(vals)
    row: list = []
    for ref, value in zip(refs, vals):
        col = _column_index(ref.rstrip("0123456789")) if ref else len(row)
        row.extend([None] * (col - len(row)))
        row.append(value)
    return row


class Table:
    """A sheet with its header row located and its columns matched by name."""

    def __init__(self, path: Path):
        if not path.exists() or not path.is_file():
            raise ImportFileError(ERR_FILE_MISSING.format(path=path))
        suffix = path.suffix.lower()
        if suffix == ".csv":
            self.source = _CsvSource(path)
        elif suffix in (".xlsx", ".xlsm"):
            self.source = _XlsxSource(path)
        else:
            raise ImportFileError(ERR_FILE_TYPE.format(name=path.name))
        self._rows = self.source.rows()
        self.header_row, self.headers = self._header()
        self.index = self._match_columns()

    @property
    def total(self) -> int | None:
        """Data rows expected (from the sheet's dimension, or the CSV's line count)."""
        if isinstance(self.source, _XlsxSource):
            last = self.source.last_row
            return None if last is None else max(last - self.header_row, 0)
        return self.source.total

    def fraction_read(self) -> float | None:
        """How far through the file the reader is, to estimate the total when
        the sheet does not declare its size (openpyxl's write-only mode)."""
        source = self.source
        if isinstance(source, _XlsxSource) and source.size:
            return source.bytes_read / source.size
        return None

    def _header(self) -> tuple[int, list[str]]:
        for number, values in self._rows:
            if not _is_blank(values):
                return number, [_header_name(v) for v in values]
        raise ImportFileError(ERR_FILE_NO_HEADER)

    def _match_columns(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for i, name in enumerate(self.headers):
            column = _HEADER_TO_KEY.get(name)
            if column and column not in index:
                index[column] = i
        missing = [c.header for c in tc.COLUMNS if c.required and c.key not in index]
        if missing:
            raise ImportFileError(ERR_MISSING_COLUMNS.format(columns="、".join(missing)))
        return index

    def rows(self) -> Iterator[tuple[int, list]]:
        """Data rows, padded to the header's width; blank rows skipped."""
        width = len(self.headers)
        for number, values in self._rows:
            if len(values) < width:
                values = values + [None] * (width - len(values))
            elif len(values) > width:
                values = values[:width]
            if not _is_blank(values):
                yield number, values


_HEADER_TO_KEY = {c.header: c.key for c in tc.COLUMNS}


def _header_name(value) -> str:
    """Header cells as people type them: spaces, a "*" for required, full-width."""
    if value is None:
        return ""
    return "".join(str(value).translate(_FULLWIDTH).split()).rstrip("*").replace("(必填)", "")


# =============================================================================
# One row, on its own (no database)
# =============================================================================
_TAG_SPLIT = re.compile(f"[{re.escape(tc.TAG_SEPARATORS)}\\s]+")
_DATE_TEXT = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MOBILE = re.compile(r"(?:\+?86-?)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"\(?(0\d{2,3})\)?(-?)(\d{7,8})(?:-(\d{1,6}))?")
_PARTY = {"是": True, "否": False, "党员": True, "中共党员": True, "非党员": False, "群众": False,
          "Y": True, "N": False, "YES": True, "NO": False, "TRUE": True, "FALSE": False, "1": True, "0": False}
_RESIDENCE = {}
for _value, _label in ResidenceStatus.choices:
    _RESIDENCE.update({_value: _value, _label: _value, _label.removesuffix("人口"): _value})

# codes.*_code scan the whole table for a name: cached, as a sheet repeats a few values.
_ethnicity_code = lru_cache(maxsize=1024)(codes.ethnicity_code)
_relation_code = lru_cache(maxsize=1024)(codes.relation_code)

MAX_NAME = Resident._meta.get_field("name").max_length
MAX_HOUSEHOLD = Household._meta.get_field("number").max_length


def _text(value) -> str:
    """A cell as text, as the user sees it (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    return str(value)


def _code(value) -> str:
    """Codes and numbers: full-width characters and stray spaces removed."""
    if isinstance(value, str):
        return "".join(value.translate(_FULLWIDTH).split())
    return _text(value)


def parse_date(value) -> dt.date | None:
    """Excel date cells, Excel serial numbers and the text forms people type.
    None for an empty cell; ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == int(value) and 10_000_000 <= value <= 99_999_999:  # 20190301 typed as a number
            return parse_date(str(int(value)))
        if 1 <= value < 2_958_466:  # a date cell whose format was lost: Excel's serial day
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(value)
    text = _text(value).translate(_FULLWIDTH).strip()
    for pattern in _DATE_TEXT:
        m = pattern.fullmatch(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(value)


def parse_phone(value) -> str:
    """An 11-digit mobile, or a landline with its area code; "" when empty."""
    text = _code(value).replace("—", "-").replace("–", "-")
    if not text:
        return ""
    m = _MOBILE.fullmatch(text)
    if m:
        return m.group(1)
    m = _LANDLINE.fullmatch(text)
    if m:
        area, sep, number, ext = m.groups()
        if not sep and "(" not in text:
            return text  # where the area code ends is ambiguous without a separator
        return f"{area}-{number}" + (f"-{ext}" if ext else "")
    raise ValueError(value)


class _Row:
    """A data row on its way through the checks."""

    __slots__ = ("number", "values", "errors", "name", "id_number", "birth", "sex", "key", "id_hash", "ethnicity",
                 "phone", "household", "relation", "community", "grid", "dwelling", "residence", "tags",
                 "moved_in_on", "party", "community_id", "grid_id", "dwelling_id", "household_id", "existing",
                 "protected", "pinyin")

    def __init__(self, number: int, values: list):
        self.number, self.values, self.errors = number, values, []
        self.key = self.id_hash = self.dwelling_id = self.household_id = self.existing = None
        self.community_id = self.grid_id = self.protected = self.pinyin = self.birth = self.sex = None

    # Rows cross from the reading process to the writing one: as a plain
    # tuple they pickle ~6x faster than by the default for __slots__ classes.
    def __reduce__(self):
        return _load_row, (_row_state(self),)

    @property
    def reason(self) -> str:
        return REASON_SEPARATOR.join(dict.fromkeys(self.errors))


_row_state = attrgetter(*_Row.__slots__)


def _load_row(state: tuple) -> _Row:
    row = _Row.__new__(_Row)
    for name, value in zip(_Row.__slots__, state):
        setattr(row, name, value)
    return row


class _RowParser:
    """Normalises and checks the fields of one row against fixed tables
    (codes, tag names); what needs the database comes later, per chunk."""

    def __init__(self, index: dict[str, int], tags: dict[str, int], today: dt.date):
        self.index, self.tags, self.today = index, tags, today
        self.get = {key: itemgetter(i) for key, i in index.items()}

    def cell(self, key: str, values: list):
        get = self.get.get(key)
        return get(values) if get else None

    def parse(self, number: int, values: list) -> _Row:
        row = _Row(number, values)
        errors = row.errors
        cell = self.cell
        row.name = self._required(row, "name", _text(cell("name", values)), MAX_NAME)
        self._id_number(row, cell("id_number", values))
        row.ethnicity = self._coded(row, "ethnicity", cell("ethnicity", values), _ethnicity_code, ERR_ETHNICITY)
        row.relation = self._coded(row, "relation", cell("relation", values), _relation_code, ERR_RELATION)
        row.household = self._required(row, "household", _code(cell("household", values)), MAX_HOUSEHOLD)
        row.community = self._required(row, "community", _code(cell("community", values)))
        row.grid = self._required(row, "grid", _code(cell("grid", values)))
        row.dwelling = _code(cell("dwelling", values))
        residence = _code(cell("residence_status", values))
        row.residence = _RESIDENCE.get(residence)
        if not residence:
            errors.append(ERR_REQUIRED.format(column=tc.header("residence_status")))
        elif row.residence is None:
            errors.append(ERR_RESIDENCE)
        self._phone(row, cell("phone", values))
        self._tags(row, cell("tags", values))
        self._moved_in(row, cell("moved_in_on", values))
        self._party(row, cell("party_member", values))
        return row

    @staticmethod
    def _required(row: _Row, key: str, value: str, limit: int | None = None) -> str:
        if not value:
            row.errors.append(ERR_REQUIRED.format(column=tc.header(key)))
        elif limit and len(value) > limit:
            row.errors.append(ERR_TOO_LONG.format(column=tc.header(key), limit=limit))
        return value

    def _id_number(self, row: _Row, value) -> None:
        row.id_number = None
        if isinstance(value, float):  # 3.20282198005171E+17: a double keeps 15-16 digits of the 18
            row.errors.append(ERR_ID_AS_NUMBER)
            return
        try:
            parsed = idcard.parse(_code(value), today=self.today)
        except idcard.IdNumberError as e:
            row.errors.append(_ID_ERRORS.get(str(e), f"公民身份号码: {e}"))
            return
        row.id_number, row.birth, row.sex = parsed.value, parsed.birth_date, parsed.sex
        row.id_hash = crypto.keyed_hash(parsed.value)
        row.key = int(row.id_hash, 16)  # an int is half the memory of the hex text

    @staticmethod
    def _coded(row: _Row, key: str, value, lookup: Callable, message: str) -> str | None:
        text = _code(value)
        if not text:
            row.errors.append(ERR_REQUIRED.format(column=tc.header(key)))
            return None
        code = lookup(text)
        if code is None:
            row.errors.append(message.format(value=text))
        return code

    def _phone(self, row: _Row, value) -> None:
        try:
            row.phone = parse_phone(value) if "phone" in self.index else None
        except ValueError:
            row.phone = None
            row.errors.append(ERR_PHONE.format(value=_text(value)))

    def _tags(self, row: _Row, value) -> None:
        if "tags" not in self.index:
            row.tags = None  # column absent: leave the tags alone
            return
        names = [n for n in _TAG_SPLIT.split(_text(value).translate(_FULLWIDTH)) if n]
        unknown = [n for n in names if n not in self.tags]
        if unknown:
            row.errors.append(ERR_TAG.format(value="、".join(unknown)))
        row.tags = frozenset(self.tags[n] for n in names if n in self.tags)

    def _moved_in(self, row: _Row, value) -> None:
        try:
            row.moved_in_on = parse_date(value)
        except (ValueError, OverflowError):
            row.moved_in_on = None
            row.errors.append(ERR_DATE_INVALID.format(value=_text(value)))
            return
        if row.moved_in_on is None:
            return
        if row.moved_in_on > self.today:
            row.errors.append(ERR_DATE_FUTURE)
        elif row.id_number and row.moved_in_on < row.birth:
            row.errors.append(ERR_DATE_BEFORE_BIRTH)

    def _party(self, row: _Row, value) -> None:
        if "party_member" not in self.index:
            row.party = None
            return
        text = _code(value).upper()
        row.party = _PARTY.get(text, None) if text else False
        if row.party is None:
            row.errors.append(ERR_PARTY)


class _Prepared:
    """Everything about a row that needs no database: reading, normalising,
    duplicates within the file, and the costly per-row work for the rows
    that may be written (encryption, keyed hashes, pinyin)."""

    def __init__(self, table: "Table", parser: _RowParser, chunk_size: int):
        self.table, self.parser, self.chunk_size = table, parser, chunk_size
        self.seen: dict[int, int] = {}  # ID number (keyed hash as int) → first row number in the file

    def chunks(self) -> Iterator[tuple[list[_Row], float | None]]:
        parse, chunk = self.parser.parse, []
        for number, values in self.table.rows():
            chunk.append(parse(number, values))
            if len(chunk) >= self.chunk_size:
                yield self._finish(chunk), self.table.fraction_read()
                chunk = []
        if chunk:
            yield self._finish(chunk), self.table.fraction_read()

    def _finish(self, rows: list[_Row]) -> list[_Row]:
        seen = self.seen
        for r in rows:
            if r.key is None:
                continue
            first = seen.setdefault(r.key, r.number)
            if first != r.number:
                r.errors.append(ERR_ID_DUPLICATE_IN_FILE.format(row=first))
                r.key = None  # not compared with the database: the first row speaks for it
            elif not r.errors:
                r.protected = services.protected_fields(id_number=r.id_number, phone=r.phone or "")
                r.pinyin = name_pinyin(r.name)
        return rows


def _in_child_process(produce: Callable[[], Iterator]) -> Iterator:
    """The items of produce(), computed in a forked child one item ahead of
    the caller. A thread would not overlap: the GIL serialises the parsing
    and SQLite hands the GIL back and forth on every row, which makes both
    slower. Where fork is unavailable, runs in this process."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from produce()
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_all, args=(produce, sender), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise ImportFileError(ERR_WORKER) from None
            if kind == "end":
                return
            if kind == "error":
                raise payload
            yield payload
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _send_all(produce: Callable[[], Iterator], sender) -> None:
    """In the child: it must not touch the parent's database connection."""
    try:
        for item in produce():
            sender.send(("item", item))
        sender.send(("end", None))
    except BaseException as e:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            sender.send(("error", e))
        except Exception:  # noqa: BLE001 - unpicklable: the parent sees EOF and reports it
            pass
    finally:
        sender.close()


# =============================================================================
# Lookups that need the database
# =============================================================================
@dataclass
class _Places:
    """Communities and grids are few: loaded once. Dwellings are many: per chunk."""

    communities: dict[str, int]  # code → id
    grids: dict[str, tuple[int, int | None]]  # code → (id, community id)
    grid_codes: dict[int, str]
    allowed_grids: set[int] | None  # None: no scope, everything allowed
    reachable_communities: set[int] | None  # communities with at least one allowed grid

    @classmethod
    def load(cls, scope) -> "_Places":
        communities, grids, grid_codes = {}, {}, {}
        allowed_c: set[int] | None = None if scope is None else set()
        allowed_g: set[int] | None = None if scope is None else set()
        paths = tuple(p.path for p in scope.staff_places) if scope is not None else ()
        for pk, code, level, parent_id, path in Place.objects.filter(
                level__in=[Level.COMMUNITY, Level.GRID]).values_list("id", "code", "level", "parent_id", "path"):
            if level == Level.COMMUNITY:
                communities[code] = pk
            else:
                grids[code] = (pk, parent_id)
                grid_codes[pk] = code
            if scope is not None and path.startswith(paths):
                (allowed_c if level == Level.COMMUNITY else allowed_g).add(pk)
        if scope is not None:
            allowed_c |= {grids[grid_codes[pk]][1] for pk in allowed_g}
        return cls(communities, grids, grid_codes, allowed_g, allowed_c)


def _care_tags() -> dict[str, int]:
    tags = {}
    for pk, code, name in CareTag.objects.values_list("id", "code", "name"):
        tags[code] = tags[name] = pk
    return tags


def _batched(values: list, size: int | None = None) -> Iterator[list]:
    """IN (…) lists kept under the backend's parameter limit (999 on old SQLite)."""
    size = size or connection.features.max_query_params or 999
    for i in range(0, len(values), size):
        yield values[i:i + size]


@dataclass
class _Existing:
    id: int
    household: str
    name: str
    phone_hash: str
    ethnicity: str
    residence_status: str
    relation: str
    moved_in_on: dt.date | None
    party_member: bool
    status: str
    version: int
    tags: frozenset = frozenset()


# =============================================================================
# Writing: one executemany per table
# =============================================================================
class _Inserter:
    """INSERT … VALUES for one model through executemany, with the primary
    keys reserved first so that history, event and tag rows can point at the
    new rows without reading them back."""

    def __init__(self, model):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.values = itemgetter(*[f.attname for f in self.fields])
        qn = connection.ops.quote_name
        self.table, self.pk = model._meta.db_table, model._meta.pk.column
        columns = ", ".join(qn(f.column) for f in self.fields)
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(qn(self.table), columns, ", ".join(["%s"] * len(self.fields)))
        self.copy_sql = f"COPY {qn(self.table)} ({columns}) FROM STDIN"

    def reserve(self, cursor, n: int) -> list[int]:
        if not n:
            return []
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [self.table, self.pk, n])
            return [r[0] for r in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The chunk's transaction began IMMEDIATE: we hold the write lock,
            # nobody else can take these numbers. sqlite_sequence keeps
            # AUTOINCREMENT's promise never to reuse an id.
            qn = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({qn(self.pk)}) FROM {qn(self.table)}")
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            seq = cursor.fetchone()
            top = max(top, seq[0] if seq else 0)
            return list(range(top + 1, top + n + 1))
        raise NotImplementedError(f"import does not support the {connection.vendor} database")

    def insert(self, cursor, rows: list[dict]) -> None:
        if not rows:
            return
        for f in self.fields:  # a field added to the model later gets its default
            if f.attname not in rows[0]:
                default = f.get_db_prep_save(f.get_default(), connection)
                for row in rows:
                    row[f.attname] = default
        if connection.vendor == "postgresql":
            # COPY: Django's psycopg cursor would render every value as SQL
            # text in Python, which is four times slower than the rest put together.
            with cursor.cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(self.values(row))
        else:
            cursor.executemany(self.sql, [self.values(row) for row in rows])


class _Writer:
    """Turns checked rows into database rows: households, residents, their
    history (as simple-history records it), care tags and IMPORTED events."""

    def __init__(self, *, by, source_name: str, today: dt.date):
        ops = connection.ops
        self.by_id = by.pk if by is not None and getattr(by, "pk", None) else None
        self.source_name = source_name
        self.today = today
        self.date = ops.adapt_datefield_value
        self.json = ResidentEvent._meta.get_field("detail").get_db_prep_save
        tags_through = Resident.care_tags.through
        self.households = _Inserter(Household)
        self.household_history = _Inserter(Household.history.model)
        self.residents = _Inserter(Resident)
        self.resident_history = _Inserter(Resident.history.model)
        self.events = _Inserter(ResidentEvent)
        self.tags = _Inserter(tags_through)
        self.tag_history = _Inserter(apps.get_model("people", f"Historical{Resident.__name__}_care_tags"))

    def _history(self, row: dict, history_id: int, now) -> dict:
        return {**row, "history_id": history_id, "history_date": now, "history_change_reason": CHANGE_REASON,
                "history_type": "+", "history_user_id": self.by_id}

    def create_households(self, cursor, new: dict[str, _Row]) -> dict[str, int]:
        """number → id of the households first seen in this chunk."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        ids = self.households.reserve(cursor, len(new))
        history_ids = self.household_history.reserve(cursor, len(new))
        rows, history = [], []
        for (number, first), pk, hid in zip(new.items(), ids, history_ids):
            row = {"id": pk, "number": number, "community_id": first.community_id, "grid_id": first.grid_id,
                   "dwelling_id": first.dwelling_id, "status": HouseholdStatus.ACTIVE.value, "created_at": now}
            rows.append(row)
            history.append(self._history(row, hid, now))
        self.households.insert(cursor, rows)
        self.household_history.insert(cursor, history)
        return dict(zip(new, ids))

    def create_residents(self, cursor, rows: list[_Row]) -> None:
        if not rows:
            return
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        date, json = self.date, self.json
        ids = self.residents.reserve(cursor, len(rows))
        history_ids = self.resident_history.reserve(cursor, len(rows))
        event_ids = self.events.reserve(cursor, len(rows))
        fixed = {"status": PersonStatus.ACTIVE.value, "status_changed_on": None, "version": 1, "created_at": now,
                 "updated_at": now}
        residents, history, events, tag_rows = [], [], [], []
        for r, pk, hid, eid in zip(rows, ids, history_ids, event_ids):
            pinyin, initials = r.pinyin
            resident = {
                "id": pk, "name": r.name, "name_pinyin": pinyin, "name_initials": initials,
                "birth_date": date(r.birth), "sex": r.sex, "ethnicity": r.ethnicity, "residence_status": r.residence,
                "household_id": r.household_id, "relation": r.relation, "dwelling_id": r.dwelling_id,
                "community_id": r.community_id, "grid_id": r.grid_id, "moved_in_on": date(r.moved_in_on),
                "party_member": bool(r.party), **fixed, **r.protected,
            }
            residents.append(resident)
            history.append(self._history(resident, hid, now))
            events.append({"id": eid, "resident_id": pk, "kind": EventKind.IMPORTED.value,
                           "occurred_on": date(r.moved_in_on or self.today), "recorded_at": now,
                           "recorded_by_id": self.by_id,
                           "detail": json({"household": r.household, "file": self.source_name, "row": r.number},
                                          connection)})
            if r.tags:
                tag_rows.extend((pk, hid, tag) for tag in sorted(r.tags))
        self.residents.insert(cursor, residents)
        self.resident_history.insert(cursor, history)
        self.events.insert(cursor, events)
        self._create_tags(cursor, tag_rows)

    def _create_tags(self, cursor, tag_rows: list[tuple[int, int, int]]) -> None:
        """Through rows, and their copy in the history snapshot taken at creation."""
        ids = self.tags.reserve(cursor, len(tag_rows))
        history_ids = self.tag_history.reserve(cursor, len(tag_rows))
        through, history = [], []
        for (resident, resident_history, tag), pk, mid in zip(tag_rows, ids, history_ids):
            through.append({"id": pk, "resident_id": resident, "caretag_id": tag})
            history.append({"m2m_history_id": mid, "id": pk, "resident_id": resident, "caretag_id": tag,
                            "history_id": resident_history})
        self.tags.insert(cursor, through)
        self.tag_history.insert(cursor, history)


# =============================================================================
# The rejected rows, as a workbook to fix and import again
# =============================================================================
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
            self.sheet.append(self.header)
        self.sheet.append([_clean_cell(values[i]) for i in self.keep] + [number, reason])

    def close(self) -> Path | None:
        if self.workbook is None:
            self.path.unlink(missing_ok=True)  # a report left by an earlier run would mislead
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.workbook.save(self.path)
        return self.path


def _clean_cell(value):
    """Control characters (pasted from other systems) that xlsx cannot hold."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def default_report_path(path: Path) -> Path:
    """residents.xlsx → residents.rejected.xlsx, beside the input."""
    return path.with_name(f"{path.stem}.rejected.xlsx")


# While importing, SQLite gets a larger page cache (every row adds to a dozen
# indexes keyed by random hashes: with the default 2 MB each of those is a
# read from the file once the table is large) and checkpoints its WAL less
# often (a page changed by several chunks is then copied back once).
SQLITE_IMPORT_PRAGMAS = {"cache_size": -64 * 1024, "wal_autocheckpoint": 10_000}


@contextmanager
def _gc_paused():
    """The cyclic garbage collector would walk every object of the chunk in
    hand over and over (a third of the time spent passing rows between the
    processes). An import makes almost no cycles (two dozen per 100,000
    rows), so collection waits until the end. The child inherits the pause."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _sqlite_tuned():
    """SQLITE_IMPORT_PRAGMAS for this connection while importing, restored after."""
    if connection.vendor != "sqlite":
        yield
        return
    before = {}
    with connection.cursor() as cursor:
        for name, value in SQLITE_IMPORT_PRAGMAS.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name} = {int(value)}")


# =============================================================================
# The import, chunk by chunk
# =============================================================================
class _Importer:
    def __init__(self, *, table: Table, by, scope, job: Job | None, report: _Report, chunk_size: int,
                 progress: Callable[[ImportResult, int | None], None] | None):
        self.table, self.by, self.job, self.report = table, by, job, report
        self.chunk_size, self.progress = chunk_size, progress
        self.today = timezone.localdate()
        self.places = _Places.load(scope)
        self.parser = _RowParser(table.index, _care_tags(), self.today)
        self.tag_objects = CareTag.objects.in_bulk()
        self.writer = _Writer(by=by, source_name=table.source.path.name, today=self.today)
        self.result = ImportResult()
        self.total = table.total  # None when the file does not say: estimated as we go

    def run(self) -> ImportResult:
        prepared = _Prepared(self.table, self.parser, self.chunk_size)
        # closing(): a failed chunk stops the reading process at once.
        with _gc_paused(), _sqlite_tuned(), closing(_in_child_process(prepared.chunks)) as chunks:
            for rows, fraction in chunks:
                self._chunk(rows, fraction)
        self.result.report_path = self.report.close()
        return self.result

    # -- one chunk -----------------------------------------------------------------
    def _chunk(self, rows: list[_Row], fraction: float | None) -> None:
        counts = ImportResult()
        # The look-ups run inside the transaction too, so that two imports of
        # the same file at once cannot both decide that a person is new.
        with transaction.atomic():
            self._check_places(rows)
            self._check_identity(rows)
            self._check_households(rows)
            new = [r for r in rows if not r.errors and r.existing is None]
            known = [r for r in rows if not r.errors and r.existing is not None]
            self._create(new)
            counts.updated, counts.unchanged = self._update(known)
            counts.accepted = sum(1 for r in rows if not r.errors)
            counts.rejected = len(rows) - counts.accepted
            self._save_progress(counts, fraction)
        self._add_counts(counts)
        for r in rows:
            if r.errors:
                self.report.add(r.number, r.values, r.reason)
        if self.progress:
            self.progress(self.result, self.total)

    def _check_places(self, rows: list[_Row]) -> None:
        places = self.places
        codes_ = list({r.dwelling for r in rows if r.dwelling})
        dwellings = {}
        for batch in _batched(codes_):
            for code, pk, community_id, grid_id in Dwelling.objects.filter(code__in=batch).values_list(
                    "code", "id", "community_id", "grid_id"):
                dwellings[code] = (pk, community_id, grid_id)
        for r in rows:
            if r.community:
                r.community_id = places.communities.get(r.community)
                if r.community_id is None:
                    r.errors.append(ERR_COMMUNITY_UNKNOWN.format(code=r.community))
            if r.grid:
                grid = places.grids.get(r.grid)
                if grid is None:
                    r.errors.append(ERR_GRID_UNKNOWN.format(code=r.grid))
                elif r.community_id is not None and grid[1] != r.community_id:
                    r.errors.append(ERR_GRID_COMMUNITY.format(grid=r.grid, community=r.community))
                else:
                    r.grid_id = grid[0]
            self._check_scope(r)
            if r.dwelling:
                dwelling = dwellings.get(r.dwelling)
                if dwelling is None:
                    r.errors.append(ERR_DWELLING_UNKNOWN.format(code=r.dwelling))
                elif r.grid_id is not None and dwelling[2] != r.grid_id:
                    r.errors.append(ERR_DWELLING_GRID.format(code=r.dwelling, grid=r.grid))
                else:
                    r.dwelling_id = dwelling[0]

    def _check_scope(self, r: _Row) -> None:
        places = self.places
        if places.allowed_grids is None or r.grid_id in places.allowed_grids:
            return
        if r.community_id is not None and r.community_id not in places.reachable_communities:
            r.errors.append(ERR_SCOPE_COMMUNITY.format(code=r.community))
        elif r.grid_id is not None:
            r.errors.append(ERR_SCOPE_GRID.format(code=r.grid))

    def _check_identity(self, rows: list[_Row]) -> None:
        """People already registered (duplicates within the file are marked
        by the reading stage: their key is None)."""
        existing = self._existing([r.id_hash for r in rows if r.key is not None])
        for r in rows:
            found = existing.get(r.id_hash) if r.key is not None else None
            if found is None:
                continue
            if found.household != r.household:
                r.errors.append(ERR_ID_OTHER_HOUSEHOLD.format(household=found.household))
            elif found.status != PersonStatus.ACTIVE:
                r.errors.append(ERR_ID_NOT_ACTIVE)
            else:
                r.existing = found

    def _existing(self, hashes: list[str]) -> dict[str, _Existing]:
        found: dict[str, _Existing] = {}
        for batch in _batched(hashes):
            for id_hash, *rest in Resident.objects.filter(id_number_hash__in=batch).values_list(
                    "id_number_hash", "id", "household__number", "name", "phone_hash", "ethnicity",
                    "residence_status", "relation", "moved_in_on", "party_member", "status", "version"):
                found[id_hash] = _Existing(*rest)
        if found and "tags" in self.table.index:
            by_id = {e.id: e for e in found.values()}
            tags: dict[int, set[int]] = {}
            through = Resident.care_tags.through
            for batch in _batched(list(by_id)):
                for resident_id, tag_id in through.objects.filter(resident_id__in=batch).values_list(
                        "resident_id", "caretag_id"):
                    tags.setdefault(resident_id, set()).add(tag_id)
            for pk, tag_ids in tags.items():
                by_id[pk].tags = frozenset(tag_ids)
        return found

    def _check_households(self, rows: list[_Row]) -> None:
        """A household number names one household, in one community and grid;
        unknown numbers become new households, defined by their first row."""
        numbers = list({r.household for r in rows if r.household and r.community_id and r.grid_id})
        known: dict[str, tuple] = {}
        for batch in _batched(numbers):
            for number, *rest in Household.objects.filter(number__in=batch).values_list(
                    "number", "id", "community_id", "grid_id", "dwelling_id", "status"):
                known[number] = tuple(rest)
        first_rows: dict[str, _Row] = {}
        for r in rows:
            if not (r.household and r.community_id and r.grid_id):
                continue
            if r.household in known:
                pk, community_id, grid_id, dwelling_id, status = known[r.household]
                r.household_id = pk
                if r.dwelling_id is None:
                    r.dwelling_id = dwelling_id
            else:
                first = first_rows.setdefault(r.household, r) if not r.errors else first_rows.get(r.household, r)
                community_id, grid_id, status = first.community_id, first.grid_id, HouseholdStatus.ACTIVE
            if status != HouseholdStatus.ACTIVE:
                r.errors.append(ERR_HOUSEHOLD_CLOSED.format(number=r.household))
            elif community_id != r.community_id:
                r.errors.append(ERR_HOUSEHOLD_COMMUNITY.format(number=r.household))
            elif grid_id != r.grid_id:
                r.errors.append(ERR_HOUSEHOLD_GRID.format(number=r.household, grid=self.places.grid_codes[grid_id]))

    # -- writing --------------------------------------------------------------------
    def _create(self, rows: list[_Row]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            new_households = {}
            for r in rows:
                if r.household_id is None:
                    new_households.setdefault(r.household, r)
            created = self.writer.create_households(cursor, new_households)
            for r in rows:
                if r.household_id is None:
                    r.household_id = created[r.household]
            self.writer.create_residents(cursor, rows)

    def _update(self, rows: list[_Row]) -> tuple[int, int]:
        """Rows already registered in the same household: identical ones are
        left alone, others update the fields the file carries (with history
        and an UPDATED event, through the same service the web page uses)."""
        updated = unchanged = 0
        for r in rows:
            changes = self._changes(r, r.existing)
            if not changes:
                unchanged += 1
                continue
            if "care_tags" in changes:
                changes["care_tags"] = [self.tag_objects[pk] for pk in changes["care_tags"]]
            try:
                services.resident_update(resident=Resident(pk=r.existing.id), version=r.existing.version, by=self.by,
                                         **changes)
            except (services.RegistryError, services.ConflictError) as e:
                r.errors.append(str(e))
                continue
            updated += 1
        return updated, unchanged

    @staticmethod
    def _changes(r: _Row, e: _Existing) -> dict:
        changes = {}
        if r.name != e.name:
            changes["name"] = r.name
        if r.phone is not None and crypto.keyed_hash(r.phone) != e.phone_hash:
            changes["phone"] = r.phone
        for name, new, old in (("ethnicity", r.ethnicity, e.ethnicity),
                               ("residence_status", r.residence, e.residence_status),
                               ("relation", r.relation, e.relation),
                               ("moved_in_on", r.moved_in_on, e.moved_in_on),
                               ("party_member", r.party, e.party_member)):
            if new is not None and new != old:
                changes[name] = new
        if r.tags is not None and r.tags != e.tags:
            changes["care_tags"] = sorted(r.tags)
        return changes

    # -- progress ---------------------------------------------------------------------
    def _add_counts(self, counts: ImportResult) -> None:
        result = self.result
        result.accepted += counts.accepted
        result.rejected += counts.rejected
        result.unchanged += counts.unchanged
        result.updated += counts.updated

    def _save_progress(self, counts: ImportResult, fraction: float | None) -> None:
        """Inside the chunk's transaction: the counts commit with the rows."""
        result = self.result
        processed = result.processed + counts.processed
        if self.table.total is None:
            self.total = max(processed, round(processed / fraction)) if fraction else None
        if self.job is not None:
            Job.objects.filter(pk=self.job.pk).update(
                total=self.total, processed=processed, accepted=result.accepted + counts.accepted,
                rejected=result.rejected + counts.rejected)


# =============================================================================
# Entry point
# =============================================================================
def import_residents(*, path: Path, by=None, scope=None, job: Job | None = None, report_path: Path | None = None,
                     chunk_size: int = 5000,
                     progress: Callable[[ImportResult, int | None], None] | None = None) -> ImportResult:
    """Import residents (and their households) from an xlsx or CSV file.

    `scope` (a browser import by a community worker) refuses rows outside it;
    None imports anywhere (command line). Rejected rows go to `report_path`
    (default: beside the input, <name>.rejected.xlsx). Raises ImportFileError
    when the file itself cannot be imported.
    """
    path = Path(path)
    if scope is not None and not scope.can(Capability.IMPORT):
        _job_update(job, status=JobStatus.FAILED, message=ERR_NO_PERMISSION, finished_at=timezone.now())
        raise PermissionDenied(ERR_NO_PERMISSION)
    report_path = Path(report_path) if report_path else default_report_path(path)
    if report_path.resolve() == path.resolve():
        raise ImportFileError(ERR_REPORT_IS_INPUT)
    if job is not None:
        _job_update(job, status=JobStatus.RUNNING, input_name=job.input_name or path.name)
    try:
        table = Table(path)
        importer = _Importer(table=table, by=by, scope=scope, job=job, report=_Report(report_path, table.headers),
                             chunk_size=chunk_size, progress=progress)
        _job_update(job, total=importer.total)
        result = importer.run()
    except ImportFileError as e:
        _job_update(job, status=JobStatus.FAILED, message=str(e), finished_at=timezone.now())
        raise
    except BaseException as e:
        _job_update(job, status=JobStatus.FAILED, message=ERR_INTERRUPTED.format(detail=str(e) or type(e).__name__),
                    finished_at=timezone.now())
        raise
    _job_update(job, status=JobStatus.DONE, total=result.processed, processed=result.processed,
                accepted=result.accepted, rejected=result.rejected, finished_at=timezone.now(),
                result_path=str(result.report_path or ""))
    access_log_write(user=by, action=AccessAction.IMPORT, target=path.name,
                     detail=f"导入 {result.accepted} 行(其中未变 {result.unchanged}、更新 {result.updated}),"
                            f"未导入 {result.rejected} 行")
    return result


def _job_update(job: Job | None, **fields) -> None:
    """Progress the browser polls; written straight away (own statement)."""
    if job is None:
        return
    for name, value in fields.items():
        setattr(job, name, value)
    try:
        Job.objects.filter(pk=job.pk).update(**fields)
    except DatabaseError:
        if fields.get("status") != JobStatus.FAILED:
            raise
