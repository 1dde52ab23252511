"""One data row on its own, with no database: the messages, and the parsing.

Holds every message the import shows (ERR_*: the file-level ones that refuse
a whole file, raised as ImportFileError, and the row-level reasons written
to the report), the normalisation of cell values as people type them
(full-width characters, dates, phone numbers, codes), and _RowParser, which
checks one row against fixed tables. It runs in the reading process, so it
must not touch the database; what needs the database is checked per chunk
in import_pipeline.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from operator import attrgetter, itemgetter

from gongzhi.core import codes, crypto, idcard
from gongzhi.core.validators import CONTROL_CHARACTERS, LINE_BREAKS
from gongzhi.people import services
from gongzhi.people import template_columns as tc
from gongzhi.people.models import Household, ResidenceStatus, Resident

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
# -- limits (the file is refused as it is: importing it again would fail the same way) --------------------
_SPLIT = "请拆分成几个文件分批导入"
_NOT_IMPORTED = "文件未导入"
ERR_ZIP_MEMBERS = "文件 {name} 不是正常的 xlsx: 压缩包内有 {count} 个部件,超过 {limit} 个的上限," + _NOT_IMPORTED
ERR_ZIP_DIRECTORY = "文件 {name} 不是正常的 xlsx: 压缩包的目录有 {size} MB,超过 {limit} MB 的上限," + _NOT_IMPORTED
ERR_ZIP_TOTAL = "文件 {name} 解压后共 {size} MB,超过 {limit} MB 的上限;" + _SPLIT
ERR_ZIP_RATIO = ("文件 {name} 中的 {member} 解压后 {size} MB,是压缩后的 {ratio} 倍,超过 {limit} 倍的上限"
                 "(疑似压缩炸弹)," + _NOT_IMPORTED)
ERR_XML_DTD = "文件 {name} 的 {part} 含有 DOCTYPE 或实体声明,正常的 xlsx 没有这些(可能是 XML 实体炸弹)," + _NOT_IMPORTED
ERR_XML_TOKEN = "文件 {name} 的 {part} 中有一个超过 {limit} MB 的 XML 标记," + _NOT_IMPORTED
ERR_XML_COUNT = "文件 {name} 的 {part} 中 {what} 超过 {limit} 个," + _NOT_IMPORTED
ERR_DIMENSION = ("文件 {name} 的工作表「{sheet}」声明的范围 {ref} 超出导入上限(最多 {rows} 行、{cols} 列,即 A 到 {last} 列);"
                 + _SPLIT)
ERR_COLUMN_LIMIT = ("文件 {name} 的工作表「{sheet}」第 {row} 行的单元格 {ref} 超出第 {last} 列,导入只读 A 到 {last} 列;"
                    "请删除多余的列后再导入")
ERR_ROWS_TOTAL = "文件 {name} 的工作表「{sheet}」有 {count} 行,超过 {limit} 行的上限;" + _SPLIT
ERR_ROW_LIMIT = "文件 {name} 超过 {limit} 行的上限(第 {row} 行);" + _SPLIT
ERR_CELL_SIZE = "文件 {name} 的工作表「{sheet}」第 {row} 行 {column} 列的单元格超过 {limit} 个字符," + _NOT_IMPORTED
ERR_ROW_SIZE = "文件 {name} 的工作表「{sheet}」第 {row} 行共超过 {limit} 个字符," + _NOT_IMPORTED
ERR_SHARED_STRINGS = "文件 {name} 的共享字符串表超过上限({what}超过 {limit}),"+ _NOT_IMPORTED
ERR_CSV_LINE = "文件 {name} 第 {row} 行超过 {limit} 个字符,不像是居民信息表," + _NOT_IMPORTED
ERR_CSV_FIELD = "文件 {name} 第 {row} 行起的一个字段超过 {limit} 个字符," + _NOT_IMPORTED
ERR_CSV_ROWS_TOTAL = "文件 {name} 有 {count} 行,超过 {limit} 行的上限;" + _SPLIT
ERR_CSV_CELL_SIZE = "文件 {name} 第 {row} 行 {column} 列的字段超过 {limit} 个字符," + _NOT_IMPORTED
ERR_CSV_ROW_SIZE = "文件 {name} 第 {row} 行共超过 {limit} 个字符," + _NOT_IMPORTED
ERR_CSV_BINARY = ("文件 {name} 含有 NUL 字节(第 {row} 行),不是 UTF-8 或 GB18030 的文本 CSV(可能是 UTF-16 或二进制文件);"
                  "请在 Excel 中另存为「CSV UTF-8」后再导入")
ERR_CSV_UTF16 = "文件 {name} 是 UTF-16 编码的文本,请在 Excel 中另存为「CSV UTF-8」后再导入"
ERR_CSV_IS_ZIP = "文件 {name} 实际上是 xlsx(压缩包),扩展名却是 .csv;请把扩展名改为 .xlsx 后再导入"
ERR_CSV_ENCODING_AT = "文件 {name} 第 {row} 行的字节无法按 UTF-8 或 GB18030 解码;请另存为 UTF-8 编码的 CSV 后再导入"
ERR_MEMORY = "文件 {name} 超出导入的内存上限," + _NOT_IMPORTED + ";原样重试会同样失败,请检查文件或" + _SPLIT

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
ERR_ID_ELSEWHERE = services.ERR_ID_ELSEWHERE  # registered outside the importer's scope: where is not said
ERR_HOUSEHOLD_ELSEWHERE = "户号: " + services.ERR_HOUSEHOLD_ELSEWHERE  # in use outside the scope
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


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, unreadable, wrong columns,
    over a limit). `refused`: the file was read and refused (the command's exit status 2);
    False for a file that is not there (status 1, as for other usage errors)."""

    refused = True


class ImportFileMissing(ImportFileError):
    refused = False


# Full-width ASCII (digits, letters, punctuation) and the ideographic space,
# as typed with a Chinese input method.
_FULLWIDTH = {0x3000: " ", **{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}}


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

ERR_CONTROL_CELL = "{column}: 含有不可见的控制字符或换行,请删除后重新导入"
_UNPRINTABLE = re.compile(f"{CONTROL_CHARACTERS.pattern}|{LINE_BREAKS.pattern}")
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
        elif _UNPRINTABLE.search(value):  # NUL, escapes, line breaks: one-line fields hold none
            row.errors.append(ERR_CONTROL_CELL.format(column=tc.header(key)))
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
