"""Reading the file: CSV and xlsx sources, streamed row by row, and Table,
which finds the header row and matches its columns by name.

Why not openpyxl or python-calamine for reading xlsx: calamine loads the
whole sheet into memory (≈1 KB per row: 1 GB for a million rows) and
openpyxl's read-only mode streams but manages only ≈12,000 rows/s. The small
expat reader below streams at ≈50,000 rows/s, adding only the packed
shared strings (≈25 bytes each) to memory.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from array import array
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from gongzhi.people import template_columns as tc
from gongzhi.people.import_rows import (
    _FULLWIDTH, ERR_FILE_ENCODING, ERR_FILE_MISSING, ERR_FILE_NO_HEADER, ERR_FILE_TYPE, ERR_FILE_UNREADABLE,
    ERR_MISSING_COLUMNS, ImportFileError,
)


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

