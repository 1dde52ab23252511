"""Reading the file: CSV and xlsx sources, streamed row by row, and Table,
which finds the header row and matches its columns by name.

Why not openpyxl or python-calamine for reading xlsx: calamine loads the
whole sheet into memory (≈1 KB per row: 1 GB for a million rows) and
openpyxl's read-only mode streams but manages only ≈12,000 rows/s. The small
expat reader below streams at ≈50,000 rows/s, adding only the packed
shared strings (≈25 bytes each) to memory.

Hostile files (docs/security.md, "Imports"): every limit below is checked
before or while parsing, never after loading, so memory stays within the
import's 500 MB budget and CPU within what a legitimate file of the largest
allowed size costs. The zip container is checked first (its directory's size
is read from the end record before zipfile builds one object per member;
then the member count, the total uncompressed size and each large member's
compression ratio); every XML part is parsed by expat with DOCTYPE and entity
declarations refused (what defusedxml does, on the raw parser) and no single
token larger than XML_MAX_TOKEN; the sheet's declared dimension, every cell
reference, each cell's and each row's text and the number of rows are
checked as they are read. CSV: lines, fields and rows likewise, NUL-filled
(UTF-16 or binary) files and undecodable bytes refused with the line.
A refusal is an ImportFileError naming the file, sheet, row and column.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import struct
import zipfile
from array import array
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from django.conf import settings

from gongzhi.people import template_columns as tc
from gongzhi.people.import_rows import (
    _FULLWIDTH, ERR_CELL_SIZE, ERR_COLUMN_LIMIT, ERR_CSV_BINARY, ERR_CSV_CELL_SIZE, ERR_CSV_ROWS_TOTAL, ERR_CSV_ENCODING_AT, ERR_CSV_FIELD, ERR_CSV_IS_ZIP,
    ERR_CSV_LINE, ERR_CSV_ROW_SIZE, ERR_CSV_UTF16, ERR_DIMENSION, ERR_FILE_MISSING, ERR_FILE_NO_HEADER, ERR_FILE_TYPE,
    ERR_FILE_UNREADABLE, ERR_MISSING_COLUMNS, ERR_ROW_LIMIT, ERR_ROW_SIZE, ERR_ROWS_TOTAL, ERR_SHARED_STRINGS,
    ERR_XML_COUNT, ERR_XML_DTD, ERR_XML_TOKEN, ERR_ZIP_DIRECTORY, ERR_ZIP_MEMBERS, ERR_ZIP_RATIO, ERR_ZIP_TOTAL,
    ImportFileError, ImportFileMissing,
)

# -- limits -------------------------------------------------------------------------------------------
MAX_COLUMNS = 702  # A … ZZ (the template has 13 columns, the export 15; room for the user's own)
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_ROW_CHARS = 32_767  # all the cells of one row together (a template row is under 500)
CHUNK_CHARS = 4_000_000  # a chunk of rows in flight ends early past this many characters
ZIP_MAX_MEMBERS = 1_000  # an xlsx has ~10 parts, a few more per sheet
ZIP_MAX_DIRECTORY = 1 << 20  # bytes of the zip's central directory (~80 per member)
ZIP_MAX_RATIO = 100  # uncompressed / compressed, per member (Apache POI's default too) ...
ZIP_RATIO_FROM = 1 << 20  # ... for members that inflate to more than this
XML_MAX_TOKEN = 1 << 20  # bytes of one tag (text is streamed: a cell's text is held to MAX_CELL_CHARS)
XML_MAX_ITEMS = 65_536  # sheets in the workbook, relationships, number formats, cell styles (Excel: 64,000)
CSV_MAX_LINE = 65_536  # characters of one line of a CSV file


def max_rows() -> int:
    """Data rows one file may hold (GONGZHI_IMPORT_MAX_ROWS)."""
    return settings.IMPORT_MAX_ROWS


def max_unzipped() -> int:
    """Bytes all the parts of an xlsx may inflate to: 2 KB per allowed row (an Excel row of the
    template is 0.4–0.8 KB), at least 256 MB. Parsing that much costs what the largest allowed file
    costs anyway."""
    return max(256 << 20, max_rows() * 2048)


def _column_letter(index: int) -> str:
    """0 → A, 701 → ZZ."""
    letters = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f}" if size >= 2**20 else f"{size / 2**20:.2f}"


def _shown(text: str, limit: int = 20) -> str:
    """A cell reference or range as the message quotes it (a hostile one can be megabytes)."""
    return text if len(text) <= limit else text[:limit] + "…"


def _is_blank(values: list) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


class _CsvSource:
    """CSV in UTF-8 (with or without BOM), or GB18030 as saved by Chinese Excel."""

    def __init__(self, path: Path):
        self.path = path
        self.encoding, lines, first = self._probe(path)
        self.delimiter = "\t" if first.count(b"\t") > first.count(b",") else ","
        self.total = max(lines - 1, 0)
        if self.total > max_rows():
            raise ImportFileError(ERR_CSV_ROWS_TOTAL.format(name=path.name, count=f"{self.total:,}",
                                                            limit=f"{max_rows():,}"))

    @staticmethod
    def _probe(path: Path) -> tuple[str, int, bytes]:
        """One pass over the bytes: does UTF-8 decode all of it, and how many lines. A file that
        neither UTF-8 nor GB18030 decodes is refused naming the line where the one that read
        further stopped."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8, lines, first, utf8_stop = True, 0, b"", 0
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                if not first:
                    _CsvSource._not_text(path, block)
                    first = block.split(b"\n", 1)[0][:CSV_MAX_LINE]
                if utf8:
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError as e:
                        utf8, utf8_stop = False, lines + block[:max(e.start, 0)].count(b"\n") + 1
                lines += block.count(b"\n")
            if utf8:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8, utf8_stop = False, lines + 1
        if utf8:
            return "utf-8-sig", lines, first
        with path.open("rb") as f:  # GB18030 decodes almost anything: check all of it
            decoder = codecs.getincrementaldecoder("gb18030")()
            before = 0  # lines before this block
            while True:
                block = f.read(1 << 20)
                try:
                    decoder.decode(block, final=not block)
                except UnicodeDecodeError as e:
                    row = max(utf8_stop, before + block[:max(e.start, 0)].count(b"\n") + 1)
                    raise ImportFileError(ERR_CSV_ENCODING_AT.format(name=path.name, row=row)) from None
                if not block:
                    break
                before += block.count(b"\n")
        return "gb18030", lines, first

    @staticmethod
    def _not_text(path: Path, head: bytes) -> None:
        """Files that are not CSV text at all, named for what they are."""
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ImportFileError(ERR_CSV_UTF16.format(name=path.name))
        if head.startswith(b"PK\x03\x04"):
            raise ImportFileError(ERR_CSV_IS_ZIP.format(name=path.name))
        sample = head[:1 << 16]
        if sample.count(b"\x00") * 100 > len(sample):  # a NUL in a cell is refused with its row; this is not text
            row = sample[:sample.index(b"\x00")].count(b"\n") + 1
            raise ImportFileError(ERR_CSV_BINARY.format(name=path.name, row=row))

    def rows(self) -> Iterator[tuple[int, list]]:
        name = self.path.name
        with self.path.open(newline="", encoding=self.encoding) as f:
            reader = csv.reader(self._lines(f), delimiter=self.delimiter)
            number, line = 0, 1  # the record, and the line it begins on
            try:
                for values in reader:
                    number += 1
                    if sum(map(len, values)) > MAX_ROW_CHARS:
                        self._too_big(line, values)
                    yield number, values
                    line = reader.line_num + 1
            except csv.Error as e:
                if "field limit" in str(e):
                    raise ImportFileError(ERR_CSV_FIELD.format(name=name, row=line,
                                                               limit=f"{csv.field_size_limit():,}")) from None
                raise ImportFileError(ERR_FILE_UNREADABLE.format(name=name, detail=e)) from None

    def _lines(self, f) -> Iterator[str]:
        """The file's lines, none longer than CSV_MAX_LINE (read no further than that)."""
        number = 0
        while line := f.readline(CSV_MAX_LINE + 1):
            number += 1
            if len(line) > CSV_MAX_LINE:
                raise ImportFileError(ERR_CSV_LINE.format(name=self.path.name, row=number,
                                                          limit=f"{CSV_MAX_LINE:,}"))
            yield line

    def _too_big(self, line: int, values: list) -> None:
        longest = max(range(len(values)), key=lambda i: len(values[i]))
        if len(values[longest]) > MAX_CELL_CHARS:
            raise ImportFileError(ERR_CSV_CELL_SIZE.format(name=self.path.name, row=line,
                                                           column=_column_letter(longest), limit=f"{MAX_CELL_CHARS:,}"))
        raise ImportFileError(ERR_CSV_ROW_SIZE.format(name=self.path.name, row=line, limit=f"{MAX_ROW_CHARS:,}"))


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


_REF = re.compile(r"\$?([A-Za-z]+)\$?(\d*)")


def _ref_column(ref: str) -> int | None:
    """The 0-based column of a cell reference such as "C7"; None when there is none to read."""
    m = _REF.fullmatch(ref)
    if not m:
        return None
    letters = m.group(1).upper()
    return _column_index(letters) if len(letters) <= 3 else EXCEL_COLUMNS  # past XFD: beyond any limit


EXCEL_COLUMNS = 16_384


def _ignore(*args) -> None:
    return None


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


class _XlsxSource:
    """A streaming reader for the first worksheet of an xlsx file.

    Yields each row as a list of Python values: str, int, float, bool, or
    datetime for cells formatted as dates. Shared strings are held in memory
    (as every xlsx reader must); the sheet itself is parsed as it is inflated.
    """

    BLOCK = 1 << 14  # small blocks: what one block's rows hold is bounded by rows × MAX_ROW_CHARS
    READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, expat.ExpatError, OSError, EOFError,
                   ValueError, IndexError, RuntimeError, NotImplementedError, struct.error)

    def __init__(self, path: Path):
        self.path = path
        self.sheet_name = ""
        self.bytes_read = 0  # of the sheet, for the progress estimate (the parts before are reset below)
        try:
            self._check_directory()
            self.zip = zipfile.ZipFile(path)
            self._check_members()
            self.sheet, self.date1904 = self._workbook()
            self.date_styles = self._date_styles()
            self.strings = self._shared_strings()
            self.last_row: int | None = None  # from the sheet's <dimension>
            self._check_size()
        except ImportFileError:
            raise
        except self.READ_ERRORS as e:
            raise ImportFileError(ERR_FILE_UNREADABLE.format(name=path.name, detail=e)) from None
        self.bytes_read = 0
        self.size = self.zip.getinfo(self.sheet).file_size

    def _refuse(self, message: str, **fields) -> None:
        raise ImportFileError(message.format(name=self.path.name, sheet=self.sheet_name, **fields))

    # -- the container -----------------------------------------------------------
    def _check_directory(self) -> None:
        """The size of the zip's central directory, from its end record, before zipfile reads it
        (zipfile keeps a ~400-byte object per member: a 100 MB directory would take gigabytes)."""
        with self.path.open("rb") as f:
            f.seek(0, 2)
            size = f.tell()
            tail_at = max(0, size - 22 - 0xFFFF)
            f.seek(tail_at)
            tail = f.read()
            at = tail.rfind(b"PK\x05\x06")
            if at < 0 or len(tail) - at < 22:
                return  # not a zip: zipfile says so
            entries, directory = struct.unpack("<10xHL6x", tail[at:at + 22])
            if entries == 0xFFFF or directory == 0xFFFFFFFF:  # ZIP64: the locator is just before
                f.seek(max(0, tail_at + at - 20))
                locator = f.read(20)
                if len(locator) == 20 and locator.startswith(b"PK\x06\x07"):
                    f.seek(struct.unpack("<8xQ4x", locator)[0])
                    record = f.read(56)
                    if len(record) == 56 and record.startswith(b"PK\x06\x06"):
                        entries, directory = struct.unpack("<32xQQ8x", record)
        if directory > ZIP_MAX_DIRECTORY:
            self._refuse(ERR_ZIP_DIRECTORY, size=_mb(directory), limit=_mb(ZIP_MAX_DIRECTORY))
        if entries > ZIP_MAX_MEMBERS:
            self._refuse(ERR_ZIP_MEMBERS, count=f"{entries:,}", limit=f"{ZIP_MAX_MEMBERS:,}")

    def _check_members(self) -> None:
        """Member count, total uncompressed size, and each member's compression ratio (a zip bomb
        inflates a few MB to gigabytes). zipfile reads no more than a member's declared size."""
        members = self.zip.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            self._refuse(ERR_ZIP_MEMBERS, count=f"{len(members):,}", limit=f"{ZIP_MAX_MEMBERS:,}")
        total = 0
        for m in members:
            total += m.file_size
            if m.file_size > ZIP_RATIO_FROM and m.file_size > ZIP_MAX_RATIO * max(m.compress_size, 1):
                self._refuse(ERR_ZIP_RATIO, member=_shown(m.filename, 60), size=_mb(m.file_size),
                             ratio=f"{m.file_size // max(m.compress_size, 1):,}", limit=ZIP_MAX_RATIO)
        if total > max_unzipped():
            self._refuse(ERR_ZIP_TOTAL, size=_mb(total), limit=_mb(max_unzipped()))

    # -- safe XML ------------------------------------------------------------------
    def _parser(self, part: str, namespaces: bool = True):
        """expat with what defusedxml refuses refused: a DOCTYPE, entity declarations (billion
        laughs, external entities). An xlsx part never has them."""
        parser = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()

        def refuse(*args):
            self._refuse(ERR_XML_DTD, part=part)

        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        parser.UnparsedEntityDeclHandler = refuse
        parser.ExternalEntityRefHandler = refuse
        # every kind of markup is an event, so the parser's position follows what it has taken in
        parser.CommentHandler = parser.ProcessingInstructionHandler = parser.CharacterDataHandler = _ignore
        parser.buffer_text = True
        return parser

    def _feed(self, parser, stream, part: str) -> Iterator[None]:
        """Feeds the part to the parser a block at a time, yielding after each block. Text reaches
        the handlers as it comes; a tag is held whole by expat, so one larger than XML_MAX_TOKEN
        (a megabyte attribute) is refused before it grows further."""
        fed = 0
        while True:
            block = stream.read(self.BLOCK)
            fed += len(block)
            self.bytes_read += len(block)
            parser.Parse(block, not block)
            if fed - parser.CurrentByteIndex > XML_MAX_TOKEN:
                self._refuse(ERR_XML_TOKEN, part=part, limit=XML_MAX_TOKEN >> 20)
            yield
            if not block:
                return

    def _parse(self, part: str, start=None, end=None, chars=None) -> None:
        """A namespace-aware parse of a part other than the sheet (element names are "ns local")."""
        parser = self._parser(part)
        if start:
            parser.StartElementHandler = start
        if end:
            parser.EndElementHandler = end
        if chars:
            parser.CharacterDataHandler = chars
        with self.zip.open(part) as f:
            for _ in self._feed(parser, f, part):
                pass

    def _counted(self, items: list | dict, part: str, what: str) -> None:
        if len(items) >= XML_MAX_ITEMS:
            self._refuse(ERR_XML_COUNT, part=part, what=what, limit=f"{XML_MAX_ITEMS:,}")

    # -- workbook parts --------------------------------------------------------
    def _workbook(self) -> tuple[str, bool]:
        """The first worksheet's part name, and whether dates count from 1904."""
        sheets, rels, date1904 = [], {}, [False]

        def on_workbook(name, attrs):
            local = _local(name)
            if local == "sheet":
                self._counted(sheets, "xl/workbook.xml", "工作表")
                rid = next((v for k, v in attrs.items() if k.endswith(" id") and k.startswith(_REL_NS)), None)
                sheets.append((rid, attrs.get("name", "")))
            elif local == "workbookPr":
                date1904[0] = attrs.get("date1904") in ("1", "true")

        def on_rel(name, attrs):
            if _local(name) == "Relationship":
                self._counted(rels, "xl/_rels/workbook.xml.rels", "关系")
                rels[attrs.get("Id")] = attrs.get("Target", "")

        self._parse("xl/workbook.xml", start=on_workbook)
        names = set(self.zip.namelist())
        if "xl/_rels/workbook.xml.rels" in names:
            self._parse("xl/_rels/workbook.xml.rels", start=on_rel)
        for rid, sheet_name in sheets:
            target = rels.get(rid, "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            if target in names:
                self.sheet_name = _shown(sheet_name, 31)
                return target, date1904[0]
        fallback = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        if not fallback:
            raise KeyError("no worksheet")
        self.sheet_name = fallback[0].rpartition("/")[2].removesuffix(".xml")
        return fallback[0], date1904[0]

    def _date_styles(self) -> frozenset[str]:
        """Style indices (the cells' s="…") whose number format is a date."""
        if "xl/styles.xml" not in self.zip.namelist():
            return frozenset()
        custom, xf_formats, state = {}, [], {"in_xfs": False}

        def start(name, attrs):
            local = _local(name)
            if local == "numFmt":
                self._counted(custom, "xl/styles.xml", "数字格式")
                custom[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                state["in_xfs"] = True
            elif local == "xf" and state["in_xfs"]:
                self._counted(xf_formats, "xl/styles.xml", "单元格样式")
                xf_formats.append(int(attrs.get("numFmtId", 0)))

        def end(name):
            if _local(name) == "cellXfs":
                state["in_xfs"] = False

        self._parse("xl/styles.xml", start=start, end=end)

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
        max_count, max_chars = 8 * max_rows() + XML_MAX_ITEMS, 64 * max_rows() + (1 << 20)
        size = [0, 0]  # strings, characters

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
                size[0] += 1
                if size[0] > max_count:
                    self._refuse(ERR_SHARED_STRINGS, what="字符串个数", limit=f"{max_count:,}")

        def chars(data):
            if state[0]:
                parts.append(data)
                size[1] += len(data)
                if size[1] > max_chars:
                    self._refuse(ERR_SHARED_STRINGS, what="字符总数", limit=f"{max_chars:,}")
                if len(parts) > 1 or len(data) > MAX_CELL_CHARS:
                    if sum(map(len, parts)) > MAX_CELL_CHARS:
                        self._refuse(ERR_SHARED_STRINGS, what=f"第 {size[0] + 1:,} 个字符串的长度",
                                     limit=f"{MAX_CELL_CHARS:,} 个字符")

        self._parse(part, start=start, end=end, chars=chars)
        strings.close()
        return strings

    # -- the sheet ---------------------------------------------------------------
    def _check_size(self) -> None:
        """The sheet's declared <dimension> (near its top); without one, its rows are counted
        now, so that a sheet over the row limit is refused before any row is written."""
        head = self._head()
        m = re.search(r"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?ref=\"([^\"]*)\"", head)
        if m:
            self._check_dimension(m.group(1))
            return
        prefix = self._sheet_prefix(head).encode()
        tags = (b"<" + prefix + b"row ", b"<" + prefix + b"row>")
        count, carry, limit = 0, b"", max_rows() + 1  # the header row besides the data
        with self.zip.open(self.sheet) as f:
            while block := f.read(1 << 20):
                data = carry + block
                count += sum(data.count(t) for t in tags)
                carry = data[-8 - len(prefix):]
                count -= sum(carry.count(t) for t in tags)  # counted again with the next block
                if count > limit:
                    self._refuse(ERR_ROWS_TOTAL, count=f"{count - 1:,}+", limit=f"{max_rows():,}")

    def _check_dimension(self, ref: str) -> None:
        last = ref.rpartition(":")[2]
        m = _REF.fullmatch(last)
        if not m:
            return  # unreadable: the cells themselves are checked as they come
        column = _ref_column(last)
        row = int(m.group(2)) if m.group(2) and len(m.group(2)) < 10 else (0 if not m.group(2) else 10**10)
        if column >= MAX_COLUMNS or row > max_rows() + 1:
            self._refuse(ERR_DIMENSION, ref=_shown(ref, 40), rows=f"{max_rows():,}", cols=MAX_COLUMNS,
                         last=_column_letter(MAX_COLUMNS - 1))
        self.last_row = row or None

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
        size = [0]  # characters of the current row's text
        state = [False, 0]  # collecting text, depth inside <rPh> (phonetic guide, not the value)
        # Without namespace processing expat runs twice as fast; element names
        # then carry the document's own prefix (none, or e.g. "x:").
        prefix = self._sheet_prefix(self._head())
        C, V, T, ROW, RPH, DIM = (prefix + tag for tag in ("c", "v", "t", "row", "rPh", "dimension"))
        max_columns, max_row_chars, max_cell_chars = MAX_COLUMNS, MAX_ROW_CHARS, MAX_CELL_CHARS

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
                size[0] = 0
            elif name == RPH:
                state[1] += 1
            elif name == DIM:
                self._check_dimension(attrs.get("ref", ""))

        def end(name):
            if name == C:
                t = cell[1]
                raw = "".join(text)
                if len(raw) > max_cell_chars:
                    self._cell_too_big(row_no[0], cell[0], len(vals))
                if t == "s" and raw:  # _PackedStrings[i] inlined: most cells of an Excel file
                    i = int(raw)
                    block, at = blocks[i >> _PackedStrings.SHIFT], offsets[i >> _PackedStrings.SHIFT]
                    i &= _PackedStrings.MASK
                    value = block[at[i]:at[i + 1]]
                    size[0] += len(value)
                    if size[0] > max_row_chars:  # a short cell can point at a long string: checked per cell
                        self._row_too_big(row_no[0], refs, vals)
                elif t == "inlineStr" or t == "str":
                    value = raw
                    size[0] += len(value)
                else:
                    value = value_of(t, cell[2], raw, date_styles)
                    if t is not None and value.__class__ is str:  # an error (#N/A) or an unreadable date
                        size[0] += len(value)
                refs.append(cell[0])
                vals.append(value)
            elif name == V or name == T:
                state[0] = False
            elif name == ROW:
                if vals:
                    if size[0] > max_row_chars or len(vals) > max_columns:
                        self._row_too_big(row_no[0], refs, vals)
                    done.append((row_no[0], self._place_cells(row_no[0], refs, vals)))
            elif name == RPH:
                state[1] -= 1

        def chars(data):
            if state[0]:
                text.append(data)

        parser = self._parser(self.sheet, namespaces=False)
        parser.buffer_size = self.BLOCK
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
        try:
            with self.zip.open(self.sheet) as f:
                for _ in self._feed(parser, f, self.sheet):
                    # What one block can add is checked once per block (the handlers run per cell): a
                    # cell's text grows by at most a block between checks, a row by a block's cells.
                    if len(text) > 1 and sum(map(len, text)) > max_cell_chars:
                        self._cell_too_big(row_no[0], cell[0], len(vals))
                    if len(vals) > max_columns or size[0] > max_row_chars:
                        self._row_too_big(row_no[0], refs, vals)
                    yield from done
                    done.clear()
        except self.READ_ERRORS as e:
            # Broken XML, a truncated archive, a shared-string index out of range.
            raise ImportFileError(ERR_FILE_UNREADABLE.format(name=self.path.name, detail=e)) from None

    @staticmethod
    def _column_of(ref: str | None, position: int) -> str:
        if ref:
            m = _REF.fullmatch(ref)
            if m:
                return _shown(m.group(1).upper(), 8)
        return _column_letter(position)

    def _cell_too_big(self, row: int, ref: str | None, position: int) -> None:
        self._refuse(ERR_CELL_SIZE, row=row, column=self._column_of(ref, position), limit=f"{MAX_CELL_CHARS:,}")

    def _row_too_big(self, row: int, refs: list, vals: list) -> None:
        if len(vals) > MAX_COLUMNS:
            self._refuse(ERR_COLUMN_LIMIT, row=row, ref=_shown(refs[-1] or _column_letter(len(vals) - 1) + str(row)),
                         last=_column_letter(MAX_COLUMNS - 1))
        self._refuse(ERR_ROW_SIZE, row=row, limit=f"{MAX_ROW_CHARS:,}")

    def _place_cells(self, row: int, refs: list, vals: list) -> list:
        """A row's values by column. Excel leaves out empty cells, so when the last
        cell's column says the row is sparse, each value goes to its own column."""
        last = refs[-1]
        if last is None or (len(last) < 12 and _column_index(last.rstrip("0123456789")) == len(vals) - 1):
            return list(vals)  # dense: the last cell's column is its position (and within max_columns)
        placed: list = []
        for ref, value in zip(refs, vals):
            if ref is None:
                col = len(placed)
            else:  # a reference is at most 3 letters and 7 digits; anything longer is read with care
                col = _column_index(ref.rstrip("0123456789")) if len(ref) < 12 else _ref_column(ref)
                if col is None:
                    col = len(placed)
                elif col >= MAX_COLUMNS:
                    self._refuse(ERR_COLUMN_LIMIT, row=row, ref=_shown(ref), last=_column_letter(MAX_COLUMNS - 1))
            placed.extend([None] * (col - len(placed)))
            placed.append(value)
        return placed

    def _head(self) -> str:
        with self.zip.open(self.sheet) as f:
            return f.read(1 << 16).decode("utf-8", "replace")

    @staticmethod
    def _sheet_prefix(head: str) -> str:
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


class Table:
    """A sheet with its header row located and its columns matched by name."""

    def __init__(self, path: Path):
        if not path.exists() or not path.is_file():
            raise ImportFileMissing(ERR_FILE_MISSING.format(path=path))
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
        """Data rows, padded to the header's width; blank rows skipped; no more than max_rows()."""
        width, count, limit = len(self.headers), 0, max_rows()
        for number, values in self._rows:
            if len(values) < width:
                values = values + [None] * (width - len(values))
            elif len(values) > width:
                values = values[:width]
            if not _is_blank(values):
                count += 1
                if count > limit:  # a sheet that declared fewer rows than it holds
                    raise ImportFileError(ERR_ROW_LIMIT.format(name=self.source.path.name, limit=f"{limit:,}",
                                                               row=number))
                yield number, values


def sheet_rows(path: Path) -> Iterator[tuple[int, list]]:
    """(row number, values) of the first sheet of an xlsx or CSV file that is not the registry's
    template (another module's upload: elections' tally sheet), with every hostile-file limit above.
    Raises ImportFileError naming the file, sheet, row and column."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        source = _CsvSource(path)
    elif suffix in (".xlsx", ".xlsm"):
        source = _XlsxSource(path)
    else:
        raise ImportFileError(ERR_FILE_TYPE.format(name=path.name))
    count, limit = 0, max_rows()
    for number, values in source.rows():
        if _is_blank(values):
            continue
        count += 1
        if count > limit:
            raise ImportFileError(ERR_ROW_LIMIT.format(name=path.name, limit=f"{limit:,}", row=number))
        yield number, values


_HEADER_TO_KEY = {c.header: c.key for c in tc.COLUMNS}


def _header_name(value) -> str:
    """Header cells as people type them: spaces, a "*" for required, full-width."""
    if value is None:
        return ""
    return "".join(str(value).translate(_FULLWIDTH).split()).rstrip("*").replace("(必填)", "")

