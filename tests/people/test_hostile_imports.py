"""Hostile import files (issue 11): each is built here, small and fast, and imported by the real command in a
subprocess (`python -m gongzhi.cli import residents FILE`), whose peak memory and CPU time are read from the
kernel (getrusage of the command and its forked reader). Each is refused in one line of Chinese naming what and
where, with exit status 2 and no traceback, nothing is written, memory stays under the import's 500 MB budget
and CPU time under a bound a loaded two-core machine meets."""
from __future__ import annotations

import codecs
import os
import re
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from gongzhi.core.dburl import current_database_url
from gongzhi.core.models import Job, JobStatus
from gongzhi.people import import_sources as src
from gongzhi.people.models import Household, Resident
from gongzhi.people.template_columns import HEADERS
from tests import factories as f
from tests.people.test_import import person, run, write_csv, write_xlsx

MEMORY_BUDGET_MB = 500
CPU_BOUND_S = 30

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_WORKBOOK = (f'<workbook {_NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheets><sheet name="居民" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
_RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
         ' Target="worksheets/sheet1.xml"/></Relationships>').encode()
SHEET = "xl/worksheets/sheet1.xml"


def _col(i: int) -> str:
    return src._column_letter(i)


def header_row() -> str:
    cells = "".join(f'<c r="{_col(i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(HEADERS))
    return f'<row r="1">{cells}</row>'


def sheet(rows: str, dimension: str | None = None, head: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'{head}<worksheet {_NS}>{dim}<sheetData>{header_row()}{rows}</sheetData></worksheet>'.encode()


def xlsx(path: Path, sheet_xml: bytes, *, stored: bool = False, parts: dict[str, bytes] | None = None) -> Path:
    """A minimal workbook: the parts every reader needs, the sheet given, and any others."""
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as z:
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _RELS)
        z.writestr(SHEET, sheet_xml)
        for name, data in (parts or {}).items():
            z.writestr(name, data)
    return path


def deflate_bomb(path: Path, head: bytes, unit: bytes, repeat: int, tail: bytes) -> Path:
    """An xlsx whose sheet inflates to head + unit × repeat + tail. The unit is deflated once, ending with a
    full flush (no reference reaches back across it), and the bytes repeated: a gigabyte sheet from a few
    hundred KB, written in well under a second. The sizes and CRC are the true ones."""
    def segment(data: bytes, final: bool = False) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)

    body = segment(unit)
    stream = [segment(head), *([body] * repeat), segment(tail, final=True)]
    crc = zlib.crc32(head)
    for _ in range(repeat):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + len(unit) * repeat + len(tail)
    members = [(n, zlib.compress(d)[2:-4], zlib.crc32(d), len(d))
               for n, d in (("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _RELS))]
    with path.open("wb") as out:
        directory = b""
        for name, data, member_crc, member_size in [*members, (SHEET, None, crc, size)]:
            compressed = sum(map(len, stream)) if data is None else len(data)
            fields = (20, 0, 8, 0, 0x21, member_crc, compressed, member_size, len(name.encode()), 0)
            offset = out.tell()
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + name.encode())
            for piece in (stream if data is None else [data]):
                out.write(piece)
            directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset) + name.encode()
        at = out.tell()
        out.write(directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 3, 3, len(directory), at, 0))
    return path


# -- running the command in a subprocess --------------------------------------------------------------------
class Outcome:
    def __init__(self, status: int, stdout: str, stderr: str, rss_mb: float, cpu_s: float, wall_s: float):
        self.status, self.stdout, self.stderr = status, stdout, stderr
        self.rss_mb, self.cpu_s, self.wall_s = rss_mb, cpu_s, wall_s

    @property
    def message(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else ""


# A child forked from this (large) test process starts with its peak RSS, and Linux keeps that peak across
# exec; a small launcher in between measures the command alone: its children's rusage (RUSAGE_CHILDREN:
# the command and its forked reader, whichever peaked higher, and their CPU time).
_LAUNCHER = """
import resource, subprocess, sys
status = subprocess.run(sys.argv[2:]).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write(f"{usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
sys.exit(status)
"""


def import_in_subprocess(path: Path, timeout: float = 120, **env) -> Outcome:
    """`gongzhi import residents PATH` on this test's database, with its peak RSS and CPU time."""
    environment = {**os.environ, "DATABASE_URL": current_database_url(), **env}
    out, err, usage = path.with_suffix(".out"), path.with_suffix(".err"), path.with_suffix(".usage")
    start = time.monotonic()
    with out.open("wb") as o, err.open("wb") as e:
        done = subprocess.run([sys.executable, "-c", _LAUNCHER, str(usage), sys.executable, "-m", "gongzhi.cli",
                               "import", "residents", str(path)], stdout=o, stderr=e, stdin=subprocess.DEVNULL,
                              env=environment, timeout=timeout)
    rss_kb, cpu_s = usage.read_text().split()
    return Outcome(done.returncode, out.read_text(), err.read_text(), int(rss_kb) / 1024, float(cpu_s),
                   time.monotonic() - start)


def _registry() -> tuple[int, int]:
    return Resident.objects.count(), Household.objects.count()


def assert_refused(outcome: Outcome, *fragments: str, before: tuple[int, int] = (0, 0)) -> None:
    assert outcome.status == 2, (outcome.status, outcome.stderr[-2000:])
    assert "Traceback" not in outcome.stderr, outcome.stderr[-2000:]
    assert outcome.message.startswith("CommandError: 文件 "), outcome.stderr[-2000:]
    for fragment in fragments:
        assert fragment in outcome.message, (fragment, outcome.message)
    print(f"{outcome.rss_mb:5.0f} MB {outcome.cpu_s:5.2f} s CPU  {outcome.message[14:90]}")  # shown with -s
    assert outcome.rss_mb < MEMORY_BUDGET_MB, f"peak RSS {outcome.rss_mb:.0f} MB"
    assert outcome.cpu_s < CPU_BOUND_S, f"CPU {outcome.cpu_s:.1f} s"
    assert _registry() == before, "rows were written"


def refused_in_process(path: Path, *fragments: str) -> str:
    """For files whose danger is not memory: the same refusal, through import_residents in this process."""
    before = _registry()
    with pytest.raises(src.ImportFileError) as e:
        run(path)
    for fragment in fragments:
        assert fragment in str(e.value), (fragment, str(e.value))
    assert _registry() == before
    return str(e.value)


def test_a_copy_of_a_good_file_imports_in_the_subprocess(transactional_db, world, tmp_path):
    """The harness itself: a good file imports (so the refusals below are the limits, not the harness)."""
    path = write_xlsx(tmp_path / "good.xlsx", [person(world, id_number=f.id_number())])
    done = import_in_subprocess(path)
    assert done.status == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "accepted: 1, rejected: 0" and done.rss_mb < MEMORY_BUDGET_MB


# -- xlsx: dimension, cell references, cells, rows ----------------------------------------------------------
def test_a_sheet_declaring_column_zzzzzzzz(db, tmp_path):
    """The issue's 1.8 KB file: it died with MemoryError (a traceback; the page said to try again)."""
    path = xlsx(tmp_path / "zzz.xlsx", sheet('<row r="2"><c r="ZZZZZZZZ2"><v>1</v></c></row>', "A1:ZZZZZZZZ2"))
    assert path.stat().st_size < 2048
    assert_refused(import_in_subprocess(path), "zzz.xlsx", "工作表「居民」", "A1:ZZZZZZZZ2", "A 到 ZZ 列")


def test_a_far_cell_without_a_dimension(db, tmp_path):
    """Sparse: one cell far to the right in each of many rows (885 MB before)."""
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 4000))
    path = xlsx(tmp_path / "sparse.xlsx", sheet(rows))
    assert path.stat().st_size < 40_000
    assert_refused(import_in_subprocess(path), "sparse.xlsx", "第 2 行的单元格 XFD2", "超出第 ZZ 列")


def test_a_row_of_more_cells_than_columns_allowed(db, tmp_path):
    cells = "<c><v>1</v></c>" * 800  # no references: counted as they come
    path = xlsx(tmp_path / "wide.xlsx", sheet(f"<row>{cells}</row>"))
    assert_refused(import_in_subprocess(path), "wide.xlsx", "第 2 行", "超出第 ZZ 列")


def test_a_huge_cell(db, tmp_path):
    """One cell of 40 MB of text, stored uncompressed (so no ratio check stops it first): refused at 32,767
    characters, read no further."""
    huge = b"A" * (40 << 20)
    data = sheet("").replace(b"</sheetData>", b'<row r="2"><c r="B2" t="inlineStr"><is><t>' + huge
                                             + b"</t></is></c></row></sheetData>")
    path = xlsx(tmp_path / "cell.xlsx", data, stored=True)
    assert_refused(import_in_subprocess(path), "cell.xlsx", "第 2 行 B 列的单元格超过 32,767 个字符")


@pytest.mark.parametrize("kind", ["e", "n", "inlineStr"])
def test_a_long_cell_of_any_type_across_blocks(db, tmp_path, kind):
    """Text read across several of the parser's blocks and ended before the next check: refused at the cell's
    end whatever its type (an error value, a number, a string)."""
    text = "9" * 40_000
    value = f"<is><t>{text}</t></is>" if kind == "inlineStr" else f"<v>{text}</v>"
    cells = f'<c r="B2" t="{kind}">{value}</c><c r="C2" t="inlineStr"><is><t>x</t></is></c>'
    path = xlsx(tmp_path / "long.xlsx", sheet(f'<row r="2">{cells}</row>'))
    refused_in_process(path, "long.xlsx", "第 2 行 B 列的单元格超过 32,767 个字符")


def test_a_huge_attribute(db, tmp_path):
    """A tag expat must hold whole: refused at 1 MB."""
    data = sheet(f'<row r="2"><c r="A2" x="{"A" * (40 << 20)}"><v>1</v></c></row>')
    path = xlsx(tmp_path / "tag.xlsx", data, stored=True)
    assert_refused(import_in_subprocess(path), "tag.xlsx", SHEET, "超过 1 MB 的 XML 标记")


def test_a_row_of_long_shared_strings(db, tmp_path):
    """Cells that each reference the same 20,000-character shared string: small in the file, a row's
    text over 32,767 characters once read."""
    shared = f'<sst {_NS}><si><t>{"长" * 20_000}</t></si></sst>'.encode()
    cells = "".join(f'<c r="{_col(i)}2" t="s"><v>0</v></c>' for i in range(13))
    path = xlsx(tmp_path / "sst.xlsx", sheet(f'<row r="2">{cells}</row>'), parts={"xl/sharedStrings.xml": shared})
    assert_refused(import_in_subprocess(path), "sst.xlsx", "第 2 行共超过 32,767 个字符")


def test_a_shared_string_over_the_cell_limit(db, tmp_path):
    shared = f'<sst {_NS}><si><t>{"A" * 40_000}</t></si></sst>'.encode()
    path = xlsx(tmp_path / "sst1.xlsx", sheet(""), parts={"xl/sharedStrings.xml": shared})
    refused_in_process(path, "sst1.xlsx", "共享字符串表", "第 1 个字符串的长度超过 32,767")


def test_entity_expansion(db, tmp_path):
    """Billion laughs in the shared strings: refused at the DOCTYPE, nothing expanded."""
    lol = ['<!ENTITY a0 "lollollollollollollollollollol">'] + [
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    shared = f'<?xml version="1.0"?><!DOCTYPE sst [{"".join(lol)}]><sst {_NS}><si><t>&a9;</t></si></sst>'.encode()
    path = xlsx(tmp_path / "lol.xlsx", sheet(""), parts={"xl/sharedStrings.xml": shared})
    assert_refused(import_in_subprocess(path), "lol.xlsx", "xl/sharedStrings.xml", "DOCTYPE")


def test_an_external_entity_in_the_sheet(db, tmp_path):
    head = '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    path = xlsx(tmp_path / "xxe.xlsx", sheet('<row r="2"><c r="A2" t="inlineStr"><is><t>&x;</t></is></c></row>',
                                             head=head))
    refused_in_process(path, "xxe.xlsx", SHEET, "DOCTYPE")


def test_a_zip_bomb(db, tmp_path):
    """A sheet of 1.25 GB in a file of about a megabyte (the issue's 1.5 GB in 3.6 MB took 176 s of CPU)."""
    unit = b"".join(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' for _ in range(20_000))
    path = deflate_bomb(tmp_path / "bomb.xlsx", b"<worksheet " + _NS.encode() + b"><sheetData>" +
                        header_row().encode(), unit, (1250 << 20) // len(unit), b"</sheetData></worksheet>")
    assert path.stat().st_size < 4 << 20
    with zipfile.ZipFile(path) as z:
        assert z.getinfo(SHEET).file_size > 1 << 30
        with z.open(SHEET) as sheet_part:
            assert sheet_part.read(1 << 20).startswith(b"<worksheet")  # a real deflate stream
    assert_refused(import_in_subprocess(path), "bomb.xlsx", SHEET, "超过 100 倍的上限", "压缩炸弹")


def test_a_zip_bomb_under_the_ratio_is_held_by_the_total(db, tmp_path):
    """Below the ratio limit, the total uncompressed size is capped (2 KB per allowed row, at least 256 MB)."""
    unit = os.urandom(512).hex().encode() * 64  # 64 KB that deflate shrinks ~50 times
    path = deflate_bomb(tmp_path / "big.xlsx", b"<worksheet><sheetData>", unit, 4_800, b"</sheetData></worksheet>")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(SHEET)
        assert info.file_size > 300 << 20 and info.file_size < 100 * info.compress_size
    assert_refused(import_in_subprocess(path, GONGZHI_IMPORT_MAX_ROWS="100"), "big.xlsx", "解压后共 300 MB",
                   "超过 256 MB 的上限")


def test_a_zip_of_many_members(db, tmp_path):
    path = xlsx(tmp_path / "many.xlsx", sheet(""), parts={f"xl/media/{i}.bin": b"" for i in range(1_200)})
    assert_refused(import_in_subprocess(path), "many.xlsx", "1,203 个部件", "超过 1,000 个")


def test_a_member_that_inflates_past_its_declared_size(db, tmp_path):
    """A central directory that understates a member: zipfile reads no more than the declared size."""
    unit = b"<row><c><v>1</v></c></row>" * 10_000
    path = deflate_bomb(tmp_path / "liar.xlsx", b"<worksheet><sheetData>", unit, 2_000, b"</sheetData></worksheet>")
    data = bytearray(path.read_bytes())
    true_size = struct.pack("<L", 22 + len(unit) * 2_000 + 24)
    for at in [i for i in range(len(data) - 3) if data[i:i + 4] == true_size]:
        data[at:at + 4] = struct.pack("<L", 1 << 16)  # declared: 64 KB
    path.write_bytes(bytes(data))
    outcome = import_in_subprocess(path)
    assert outcome.status == 2 and "liar.xlsx" in outcome.message and outcome.rss_mb < MEMORY_BUDGET_MB
    assert outcome.cpu_s < CPU_BOUND_S


def test_a_dimension_over_the_row_limit(db, tmp_path):
    path = xlsx(tmp_path / "rows.xlsx", sheet('<row r="2"><c r="A2"><v>1</v></c></row>', "A1:M2000001"))
    refused_in_process(path, "rows.xlsx", "A1:M2000001", "最多 1,000,000 行")


def test_rows_over_the_limit_without_a_dimension_are_counted_first(world, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = [person(world, id_number=f.id_number(), household=f"HR{i}") for i in range(8)]
    path = write_xlsx(tmp_path / "wo.xlsx", rows, write_only=True)  # openpyxl's write-only mode: no <dimension>
    refused_in_process(path, "wo.xlsx", "有 8+ 行", "超过 5 行的上限", "请拆分")


def test_rows_over_the_limit_behind_a_false_dimension(world, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = [person(world, id_number=f.id_number(), household=f"HL{i}") for i in range(8)]
    path = write_xlsx(tmp_path / "lie.xlsx", rows)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[SHEET], declared = re.subn(rb'<dimension ref="A1:M9"', b'<dimension ref="A1:M3"', parts[SHEET])
    assert declared == 1
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    job = Job.objects.create(kind="import_residents")
    with pytest.raises(src.ImportFileError, match=re.escape("超过 5 行的上限(第 7 行)")):
        run(path, job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "超过 5 行的上限" in job.message and "再次导入" not in job.message
    assert not Resident.objects.filter(household__number__startswith="HL").exists()


# -- CSV -------------------------------------------------------------------------------------------------------
def test_a_csv_with_a_50_mb_line(db, tmp_path):
    path = tmp_path / "line.csv"
    path.write_bytes(",".join(HEADERS).encode() + b"\n" + b"A" * (50 << 20) + b"\n")
    assert_refused(import_in_subprocess(path), "line.csv", "第 2 行超过 65,536 个字符")


def test_a_csv_field_over_the_cell_limit(db, tmp_path):
    path = tmp_path / "field.csv"
    path.write_text(",".join(HEADERS) + "\n张三," + "1" * 40_000 + "\n", encoding="utf-8")
    refused_in_process(path, "field.csv", "第 2 行 B 列的字段超过 32,767 个字符")


def test_a_csv_quoted_field_across_many_lines(db, tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text(",".join(HEADERS) + '\n"' + "A\n" * 100_000 + '"\n', encoding="utf-8")
    assert_refused(import_in_subprocess(path), "quoted.csv", "第 2 行起的一个字段超过 131,072 个字符")


def test_a_utf16_csv(db, tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + (",".join(HEADERS) + "\n").encode("utf-16-le"))
    refused_in_process(path, "u16.csv", "UTF-16", "CSV UTF-8")


def test_a_csv_full_of_nul_bytes(db, tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(",".join(HEADERS).encode() + b"\n" + b"\x00" * 10_000 + b"\n")
    assert_refused(import_in_subprocess(path), "nul.csv", "NUL 字节(第 2 行)")


def test_an_xlsx_named_csv(db, tmp_path):
    good = write_xlsx(tmp_path / "real.xlsx", [])
    path = tmp_path / "named.csv"
    path.write_bytes(good.read_bytes())
    refused_in_process(path, "named.csv", "扩展名改为 .xlsx")


def test_a_csv_in_no_known_encoding_names_the_line(db, tmp_path):
    path = tmp_path / "enc.csv"
    path.write_bytes(",".join(HEADERS).encode() + b"\n\xe5\xbc\xa0\xe4\xb8\x89,1\n\xff\xfe\xff,2\n")
    refused_in_process(path, "enc.csv", "第 3 行的字节无法按 UTF-8 或 GB18030 解码")


def test_a_csv_over_the_row_limit_is_refused_before_any_row(world, tmp_path):
    """Through the command, with the limit from the environment (GONGZHI_IMPORT_MAX_ROWS)."""
    rows = [person(world, id_number=f.id_number(), household=f"HC{i}") for i in range(8)]
    path = write_csv(tmp_path / "many.csv", rows)
    before = _registry()
    assert_refused(import_in_subprocess(path, GONGZHI_IMPORT_MAX_ROWS="5"), "文件 many.csv 有 8 行", "超过 5 行的上限",
                   before=before)


def test_a_single_nul_in_a_cell_still_refuses_only_that_row(world, tmp_path):
    """Not a binary file: one bad cell is the row's problem (test_control_characters), not the file's."""
    rows = [person(world, id_number=f.id_number(), household="HN1"), person(world, name="赵\x00六", household="HN2")]
    result = run(write_csv(tmp_path / "one.csv", rows))
    assert (result.accepted, result.rejected) == (1, 1)


# -- the page's job -------------------------------------------------------------------------------------------
def test_a_refused_file_fails_its_job_with_the_reason_not_a_retry(transactional_db, world, tmp_path):
    path = xlsx(tmp_path / "zzz.xlsx", sheet('<row r="2"><c r="ZZZZZZZZ2"><v>1</v></c></row>', "A1:ZZZZZZZZ2"))
    job = Job.objects.create(kind="import_residents", created_by=world.community_worker_a, input_name="居民.xlsx",
                             input_path=str(path), result_path=str(tmp_path / "r.rejected.xlsx"))
    env = {**os.environ, "DATABASE_URL": current_database_url()}
    done = subprocess.run([sys.executable, "-m", "gongzhi.cli", "import", "residents", str(path), "--job",
                           str(job.pk), "--report", job.result_path], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "A1:ZZZZZZZZ2" in job.message
    assert "再次导入" not in job.message and "重试" not in job.message
    assert not path.exists()  # the upload is gone with its job


def test_a_memory_error_is_a_refusal_not_a_retry(world, tmp_path, monkeypatch):
    def exhausted(self):
        raise MemoryError
    monkeypatch.setattr(src.Table, "_match_columns", exhausted)
    job = Job.objects.create(kind="import_residents")
    with pytest.raises(src.ImportFileError, match="超出导入的内存上限"):
        run(write_xlsx(tmp_path / "m.xlsx", [person(world)]), job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "原样重试会同样失败" in job.message


def test_the_import_page_shows_the_refusal(client, world, tmp_path):
    path = xlsx(tmp_path / "zzz.xlsx", sheet('<row r="2"><c r="ZZZZZZZZ2"><v>1</v></c></row>', "A1:ZZZZZZZZ2"))
    job = Job.objects.create(kind="import_residents", created_by=world.community_worker_a, input_name="居民.xlsx")
    with pytest.raises(src.ImportFileError):
        run(path, job=job)
    client.force_login(world.community_worker_a)
    page = client.get(f"/people/import/{job.pk}/").content.decode()
    assert 'role="alert"' in page and "声明的范围 A1:ZZZZZZZZ2 超出导入上限" in page and "再次导入" not in page
