import csv
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from gongzhi.core import crypto, idcard
from gongzhi.core.models import AccessLog, Job, JobStatus
from gongzhi.core.scope import Scope
from gongzhi.people import importer as imp
from gongzhi.people import services
from gongzhi.people import template_columns as tc
from gongzhi.people.models import CareTag, EventKind, Household, PersonStatus, Resident, ResidentEvent
from tests import factories as f

HEADERS = list(tc.HEADERS)
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def id_ending_in_x(birth=dt.date(1985, 6, 1)) -> str:
    for seq in range(1000):
        number = idcard.make("320282", birth, seq)
        if number.endswith("X"):
            return number
    raise AssertionError


def person(world, **kw) -> dict:
    """One data row, by header; keyword names are the column keys."""
    values = {
        "name": "赵六", "id_number": f.id_number(dt.date(1975, 4, 9)), "ethnicity": "汉族", "phone": "13900001111",
        "household": "HNEW1", "relation": "户主", "community": world.comm_a.code, "grid": world.grid_a1.code,
        "dwelling": "", "residence_status": "户籍人口", "tags": "", "moved_in_on": "2019-03-01", "party_member": "否",
    }
    values.update(kw)
    return {tc.header(k): v for k, v in values.items()}


def write_xlsx(path, rows: list[dict], headers=None, write_only=False):
    """Inline strings either way; the default also writes a <dimension> and
    leaves empty cells out, as Excel does; write_only does neither."""
    headers = headers or HEADERS
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("居民") if write_only else wb.active
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers])
    wb.save(path)
    return path


def excel_like(path, prefix=""):
    """Rewrite an openpyxl file the way Excel stores text: a shared-strings
    table (here with a rich-text run and a phonetic guide, which is not part
    of the value); with `prefix`, elements namespaced like "x:c" as the .NET
    OpenXML SDK writes them."""
    import html
    import re
    import zipfile
    from xml.sax.saxutils import escape

    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    strings: list[str] = []

    def shared(m):
        strings.append(html.unescape(m.group(2)))  # openpyxl over lxml writes non-ASCII as &#…; references
        return f'<c r="{m.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    sheet = re.sub(r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', shared, sheet)
    items = []
    for text in strings:
        if len(text) >= 2:  # split into two runs, with a phonetic guide that must be ignored
            items.append(f"<si><r><t>{escape(text[:1])}</t></r><r><rPr><b/></rPr><t>{escape(text[1:])}</t></r>"
                         f'<rPh sb="0" eb="1"><t>ピン</t></rPh></si>')
        else:
            items.append(f"<si><t>{escape(text)}</t></si>")
    parts["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + "".join(items) + "</sst>").encode()
    if prefix:
        sheet = re.sub(r"<(/?)(\w+)([ />])", lambda m: f"<{m.group(1)}{prefix}:{m.group(2)}{m.group(3)}", sheet)
        sheet = sheet.replace(f"<{prefix}:worksheet xmlns=", f"<{prefix}:worksheet xmlns:{prefix}=", 1)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def write_csv(path, rows: list[dict], headers=None, encoding="utf-8-sig"):
    headers = headers or HEADERS
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for r in rows:
            w.writerow(["" if r.get(h) is None else r.get(h) for h in headers])
    return path


def run(path, **kw):
    kw.setdefault("by", None)
    kw.setdefault("scope", None)
    return imp.import_residents(path=path, **kw)


def report_rows(path) -> list[list]:
    ws = load_workbook(path, read_only=True).worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def reasons(result) -> dict[int, str]:
    """Row number → reason, from the rejected-rows report."""
    rows = report_rows(result.report_path)
    header = rows[0]
    at_row, at_reason = header.index(imp.REPORT_ROW_HEADER), header.index(imp.REPORT_REASON_HEADER)
    return {r[at_row]: r[at_reason] for r in rows[1:]}


def resident_by_id(number: str) -> Resident:
    return Resident.objects.get(id_number_hash=crypto.keyed_hash(number))


# -- template ---------------------------------------------------------------------
def test_template_has_the_columns_and_a_help_sheet(db, tmp_path):
    path = tc.write_template(tmp_path / "template.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["居民", "填写说明"]
    header = [c.value for c in wb["居民"][1]]
    for name in ["姓名", "公民身份号码", "民族", "联系电话", "户号", "与户主关系", "社区代码", "网格编号", "房屋编号",
                 "居住状态", "人员标签", "迁入日期"]:
        assert name in header
    help_text = [c.value for row in wb["填写说明"].iter_rows() for c in row if c.value]
    assert "汉族" in help_text and "户主" in help_text and "低保" in " ".join(map(str, help_text))
    assert any("户籍人口" in str(t) and "流动人口" in str(t) for t in help_text)


def test_build_template_saves_when_given_a_path(db, tmp_path):
    wb = tc.build_template(tmp_path / "t.xlsx")
    assert (tmp_path / "t.xlsx").exists() and wb.sheetnames == ["居民", "填写说明"]
    assert tc.build_template(care_tags=["低保"]).sheetnames == ["居民", "填写说明"]


def test_the_template_itself_imports_as_an_empty_file(db, tmp_path):
    result = run(tc.write_template(tmp_path / "template.xlsx"))
    assert (result.accepted, result.rejected, result.report_path) == (0, 0, None)


# -- happy paths --------------------------------------------------------------------
@pytest.mark.parametrize("form", ["openpyxl", "write-only", "shared-strings", "prefixed"])
def test_xlsx_import_creates_residents_households_history_tags_and_events(world, tmp_path, form):
    dwelling = f.dwelling(world.grid_a1, room="909")
    head, spouse = f.id_number(dt.date(1970, 1, 2)), f.id_number(dt.date(1972, 3, 4))
    child = f.id_number(dt.date(2001, 5, 6))
    rows = [
        person(world, name="赵六", id_number=head, household="HX1", dwelling=dwelling.code, tags="低保、独居老人",
               party_member="是"),
        person(world, name="钱七", id_number=spouse, household="HX1", relation="10", phone="", ethnicity="03"),
        person(world, name="孙八", id_number=child, household="HX2", relation="户主", grid=world.grid_a2.code,
               residence_status="流动人口", moved_in_on=""),
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows, write_only=form == "write-only")
    if form in ("shared-strings", "prefixed"):
        excel_like(path, prefix="x" if form == "prefixed" else "")
    before = Resident.objects.count()

    result = run(path, by=world.admin)

    assert (result.accepted, result.rejected, result.unchanged, result.report_path) == (3, 0, 0, None)
    assert Resident.objects.count() == before + 3
    r = resident_by_id(head)
    assert r.name == "赵六" and r.name_pinyin == "zhaoliu" and r.name_initials == "zl"
    assert r.birth_date == dt.date(1970, 1, 2) and r.sex in ("M", "F") and r.relation == "02"
    assert r.household.number == "HX1" and r.household.dwelling == dwelling and r.dwelling == dwelling
    assert r.community == world.comm_a and r.grid == world.grid_a1 and r.party_member
    assert r.moved_in_on == dt.date(2019, 3, 1) and r.residence_status == "registered"
    assert services.resident_reveal(resident=r) == {"id_number": head, "phone": "13900001111"}
    assert r.phone_masked == "139****1111" and r.id_number_masked == crypto.mask_id_number(head)
    assert set(r.care_tags.values_list("name", flat=True)) == {"低保", "独居老人"}
    spouse_r = resident_by_id(spouse)
    assert spouse_r.household_id == r.household_id and spouse_r.ethnicity == "03" and spouse_r.phone_enc == ""
    child_r = resident_by_id(child)
    assert child_r.household.grid == world.grid_a2 and child_r.residence_status == "floating"
    assert child_r.moved_in_on is None
    # History exists as simple-history would have written it, with the tag snapshot.
    h = r.history.get()
    assert h.history_type == "+" and h.history_user == world.admin and h.name == "赵六"
    assert {t.caretag.name for t in h.care_tags.all()} == {"低保", "独居老人"}
    assert Household.objects.get(number="HX1").history.get().history_type == "+"
    event = r.events.get()
    assert event.kind == EventKind.IMPORTED and event.recorded_by == world.admin
    assert event.detail["household"] == "HX1" and event.occurred_on == dt.date(2019, 3, 1)
    assert child_r.events.get().occurred_on == timezone.localdate()
    # The ORM sees rows written directly like any other.
    services.resident_update(resident=r, version=r.version, by=world.admin, phone="13700000000")
    assert AccessLog.objects.filter(action="import", target="r.xlsx").exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_import(world, tmp_path, encoding):
    number = f.id_number()
    path = write_csv(tmp_path / "r.csv", [person(world, id_number=number, tags="留守儿童")], encoding=encoding)
    result = run(path)
    assert (result.accepted, result.rejected) == (1, 0)
    r = resident_by_id(number)
    assert r.name == "赵六" and list(r.care_tags.values_list("name", flat=True)) == ["留守儿童"]


def test_columns_in_any_order_and_unknown_columns_ignored(world, tmp_path):
    number = f.id_number()
    headers = ["备注"] + list(reversed(HEADERS)) + ["出生日期"]
    row = person(world, id_number=number) | {"备注": "随便写", "出生日期": "1900-01-01"}
    result = run(write_xlsx(tmp_path / "r.xlsx", [row], headers=headers))
    assert result.accepted == 1 and resident_by_id(number).birth_date != dt.date(1900, 1, 1)


def test_optional_columns_may_be_absent(world, tmp_path):
    number = f.id_number()
    headers = list(tc.REQUIRED_HEADERS)
    result = run(write_xlsx(tmp_path / "r.xlsx", [person(world, id_number=number)], headers=headers))
    assert result.accepted == 1
    r = resident_by_id(number)
    assert r.phone_enc == "" and r.moved_in_on is None and not r.party_member and r.dwelling is None


# -- normalisation ----------------------------------------------------------------------
def test_fullwidth_digits_and_lowercase_x_are_normalised(world, tmp_path):
    number = id_ending_in_x()
    typed = number[:-1].translate(FULLWIDTH) + "x"
    row = person(world, id_number=f" {typed} ", phone="１３９ ０００１ ２２２２", community=world.comm_a.code.translate(FULLWIDTH),
                 moved_in_on="２０１９年３月１日")
    result = run(write_csv(tmp_path / "r.csv", [row]))
    assert result.accepted == 1, reasons(result)
    r = resident_by_id(number)
    assert services.resident_reveal(resident=r) == {"id_number": number, "phone": "13900012222"}
    assert r.moved_in_on == dt.date(2019, 3, 1)


@pytest.mark.parametrize("cell", [
    dt.datetime(2019, 3, 1), dt.date(2019, 3, 1), "2019-03-01", "2019/3/1", "2019.3.1", "20190301", 20190301,
    "2019年3月1日", "2019-03-01 00:00:00", 43525,
], ids=repr)
def test_excel_date_cells_and_text_dates(world, tmp_path, cell):
    number = f.id_number()
    result = run(write_xlsx(tmp_path / "r.xlsx", [person(world, id_number=number, moved_in_on=cell)]))
    assert result.accepted == 1
    assert resident_by_id(number).moved_in_on == dt.date(2019, 3, 1)


def test_xlsx_date_cells_with_a_custom_format_and_the_1904_system(world, tmp_path):
    numbers = [f.id_number(), f.id_number()]
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for n in numbers:
        ws.append([person(world, id_number=n, moved_in_on=None).get(h) for h in HEADERS])
    col = HEADERS.index("迁入日期") + 1
    ws.cell(row=2, column=col, value=dt.date(2019, 3, 1)).number_format = 'yyyy"年"m"月"d"日"'
    ws.cell(row=3, column=col, value=dt.date(2020, 2, 29)).number_format = "[$-804]yyyy/m/d;@"
    wb.epoch = __import__("openpyxl").utils.datetime.CALENDAR_MAC_1904
    wb.save(tmp_path / "r.xlsx")
    result = run(tmp_path / "r.xlsx")
    assert result.accepted == 2
    assert resident_by_id(numbers[0]).moved_in_on == dt.date(2019, 3, 1)
    assert resident_by_id(numbers[1]).moved_in_on == dt.date(2020, 2, 29)


def test_phone_forms(world, tmp_path):
    numbers = {f.id_number(): phone for phone in ["0510-87654321", "(0510)87654321", "+8613912345678"]}
    rows = [person(world, id_number=n, phone=p, household=f"HP{i}") for i, (n, p) in enumerate(numbers.items())]
    result = run(write_csv(tmp_path / "r.csv", rows))
    assert result.accepted == 3
    got = [services.resident_reveal(resident=resident_by_id(n))["phone"] for n in numbers]
    assert got == ["0510-87654321", "0510-87654321", "13912345678"]


# -- each rule, with its reason ----------------------------------------------------------
def _bad_check_digit():
    good = f.id_number()
    return good[:-1] + ("0" if good[-1] != "0" else "1")


RULES = [
    (lambda w: {"id_number": _bad_check_digit()}, imp.ERR_ID_CHECK),
    (lambda w: {"id_number": "32028219800101123"}, imp.ERR_ID_LENGTH),
    (lambda w: {"id_number": "3202821980010112A4"}, imp.ERR_ID_CHARS),
    (lambda w: {"id_number": idcard.make("320282", dt.date(1980, 1, 1), 1)[:10] + "1332" + "0011"},
     imp.ERR_ID_BIRTH),
    (lambda w: {"id_number": ""}, imp.ERR_REQUIRED.format(column="公民身份号码")),
    (lambda w: {"id_number": 3.20282198005171e17}, imp.ERR_ID_AS_NUMBER),
    (lambda w: {"name": "  "}, imp.ERR_REQUIRED.format(column="姓名")),
    (lambda w: {"name": "长" * 51}, imp.ERR_TOO_LONG.format(column="姓名", limit=50)),
    (lambda w: {"household": ""}, imp.ERR_REQUIRED.format(column="户号")),
    (lambda w: {"relation": ""}, imp.ERR_REQUIRED.format(column="与户主关系")),
    (lambda w: {"relation": "邻居"}, imp.ERR_RELATION.format(value="邻居")),
    (lambda w: {"ethnicity": "火星族"}, imp.ERR_ETHNICITY.format(value="火星族")),
    (lambda w: {"residence_status": "暂住"}, imp.ERR_RESIDENCE),
    (lambda w: {"residence_status": ""}, imp.ERR_REQUIRED.format(column="居住状态")),
    (lambda w: {"phone": "12345"}, imp.ERR_PHONE.format(value="12345")),
    (lambda w: {"tags": "低保、富豪"}, imp.ERR_TAG.format(value="富豪")),
    (lambda w: {"party_member": "也许"}, imp.ERR_PARTY),
    (lambda w: {"moved_in_on": "2019-02-30"}, imp.ERR_DATE_INVALID.format(value="2019-02-30")),
    (lambda w: {"moved_in_on": "明年"}, imp.ERR_DATE_INVALID.format(value="明年")),
    (lambda w: {"moved_in_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}, imp.ERR_DATE_FUTURE),
    (lambda w: {"moved_in_on": "1970-01-01"}, imp.ERR_DATE_BEFORE_BIRTH),
    (lambda w: {"community": "320282999001"}, imp.ERR_COMMUNITY_UNKNOWN.format(code="320282999001")),
    (lambda w: {"community": ""}, imp.ERR_REQUIRED.format(column="社区代码")),
    (lambda w: {"grid": "320282001001999"}, imp.ERR_GRID_UNKNOWN.format(code="320282001001999")),
    (lambda w: {"grid": w.grid_b1.code},
     lambda w: imp.ERR_GRID_COMMUNITY.format(grid=w.grid_b1.code, community=w.comm_a.code)),
    (lambda w: {"dwelling": "NO-SUCH-HOME"}, imp.ERR_DWELLING_UNKNOWN.format(code="NO-SUCH-HOME")),
    (lambda w: {"dwelling": f.dwelling(w.grid_a2, room="808").code},
     lambda w: imp.ERR_DWELLING_GRID.format(code=f"{w.comm_a.code}-1-1-808", grid=w.grid_a1.code)),
    (lambda w: {"household": "HB1"}, imp.ERR_HOUSEHOLD_COMMUNITY.format(number="HB1")),
    (lambda w: {"household": "HA2"}, lambda w: imp.ERR_HOUSEHOLD_GRID.format(number="HA2", grid=w.grid_a2.code)),
]


@pytest.mark.parametrize("change,reason", RULES, ids=[r if isinstance(r, str) else str(i) for i, (_, r) in
                                                      enumerate(RULES)])
def test_each_rule_rejects_with_its_reason(world, tmp_path, change, reason):
    reason = reason if isinstance(reason, str) else reason(world)
    good = person(world, id_number=f.id_number(), household="HGOOD")
    bad = person(world, **{"household": "HBAD", **change(world)})
    before = Resident.objects.count()
    result = run(write_xlsx(tmp_path / "r.xlsx", [good, bad]))
    assert (result.accepted, result.rejected) == (1, 1)
    assert reasons(result) == {3: reason}
    assert Resident.objects.count() == before + 1
    assert not Household.objects.filter(number="HBAD").exists()


def test_closed_household_is_refused(world, tmp_path):
    Household.objects.filter(pk=world.hh_a1.pk).update(status="closed")
    result = run(write_xlsx(tmp_path / "r.xlsx", [person(world, household="HA1")]))
    assert reasons(result) == {2: imp.ERR_HOUSEHOLD_CLOSED.format(number="HA1")}


def test_several_problems_are_joined(world, tmp_path):
    row = person(world, id_number=_bad_check_digit(), phone="123", residence_status="暂住")
    result = run(write_xlsx(tmp_path / "r.xlsx", [row]))
    assert reasons(result)[2] == "；".join([imp.ERR_ID_CHECK, imp.ERR_RESIDENCE, imp.ERR_PHONE.format(value="123")])


def test_duplicate_within_the_file(world, tmp_path):
    number = f.id_number()
    rows = [person(world, id_number=number), person(world, name="另一人", id_number=number, relation="10")]
    result = run(write_xlsx(tmp_path / "r.xlsx", rows))
    assert (result.accepted, result.rejected) == (1, 1)
    assert reasons(result) == {3: imp.ERR_ID_DUPLICATE_IN_FILE.format(row=2)}
    assert resident_by_id(number).name == "赵六"


def test_duplicate_within_the_file_across_chunks(world, tmp_path):
    number = f.id_number()
    rows = [person(world, id_number=number)] + [person(world, household=f"HC{i}") for i in range(5)]
    rows.append(person(world, id_number=number.lower().translate(FULLWIDTH)))
    result = run(write_xlsx(tmp_path / "r.xlsx", rows), chunk_size=2)
    assert reasons(result) == {8: imp.ERR_ID_DUPLICATE_IN_FILE.format(row=2)}


def test_id_registered_in_another_household(world, tmp_path):
    number = services.resident_reveal(resident=world.res_a1)["id_number"]
    result = run(write_xlsx(tmp_path / "r.xlsx", [person(world, id_number=number, household="HNEW9")]))
    assert reasons(result) == {2: "公民身份号码已登记在户号 HA1 中"}
    assert not Household.objects.filter(number="HNEW9").exists()


def test_id_of_a_person_who_moved_out(world, tmp_path):
    r = world.res_a1
    services.resident_move_out(resident=r, version=r.version, moved_on=dt.date(2024, 1, 1), destination="无锡", by=None)
    number = services.resident_reveal(resident=r)["id_number"]
    result = run(write_xlsx(tmp_path / "r.xlsx", [person(world, id_number=number, household="HA1")]))
    assert reasons(result) == {2: imp.ERR_ID_NOT_ACTIVE}


# -- scope ----------------------------------------------------------------------------
def test_scope_refuses_rows_outside_it(world, tmp_path):
    inside, outside = f.id_number(), f.id_number()
    rows = [person(world, id_number=inside),
            person(world, id_number=outside, household="HOUT", community=world.comm_b.code, grid=world.grid_b1.code)]
    scope = Scope.for_user(world.community_worker_a)
    result = run(write_xlsx(tmp_path / "r.xlsx", rows), by=world.community_worker_a, scope=scope)
    assert (result.accepted, result.rejected) == (1, 1)
    assert reasons(result) == {3: f"社区代码 {world.comm_b.code} 不在您的管辖范围内"}
    assert not Resident.objects.filter(id_number_hash=crypto.keyed_hash(outside)).exists()


def test_grid_level_scope_names_the_grid(world, tmp_path):
    from gongzhi.accounts.models import RoleAssignment
    scope = Scope(user=world.grid_worker_a1, assignments=[
        RoleAssignment(role="community", place=world.grid_a1)])  # an import right held on one grid
    rows = [person(world), person(world, id_number=f.id_number(), household="HG2", grid=world.grid_a2.code)]
    result = run(write_xlsx(tmp_path / "r.xlsx", rows), scope=scope)
    assert reasons(result) == {3: imp.ERR_SCOPE_GRID.format(code=world.grid_a2.code)}


def test_import_needs_the_import_capability(world, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [person(world)])
    with pytest.raises(PermissionDenied):
        run(path, by=world.grid_worker_a1, scope=Scope.for_user(world.grid_worker_a1))


# -- the file itself -------------------------------------------------------------------
def test_missing_file(db, tmp_path):
    with pytest.raises(imp.ImportFileError, match="找不到文件"):
        run(tmp_path / "nope.xlsx")


def test_wrong_kind_of_file(db, tmp_path):
    (tmp_path / "r.txt").write_text("姓名")
    with pytest.raises(imp.ImportFileError, match=r"只能导入 \.xlsx 或 \.csv"):
        run(tmp_path / "r.txt")


@pytest.mark.parametrize("content", [b"this is not a zip", b"PK\x03\x04broken", b""])
def test_corrupt_xlsx(db, tmp_path, content):
    (tmp_path / "r.xlsx").write_bytes(content)
    with pytest.raises(imp.ImportFileError, match="无法读取文件 r.xlsx"):
        run(tmp_path / "r.xlsx")


def test_csv_in_an_unknown_encoding(db, tmp_path):
    (tmp_path / "r.csv").write_bytes("姓名,公民身份号码\n".encode("utf-8") + b"\x81\x30\xff\xff\n")
    with pytest.raises(imp.ImportFileError, match="编码"):
        run(tmp_path / "r.csv")


def test_empty_file_has_no_header(db, tmp_path):
    (tmp_path / "r.csv").write_bytes(b"\n\n")
    with pytest.raises(imp.ImportFileError, match="表头"):
        run(tmp_path / "r.csv")


def test_missing_required_column_is_named(world, tmp_path):
    headers = [h for h in HEADERS if h not in ("户号", "网格编号")]
    path = write_xlsx(tmp_path / "r.xlsx", [person(world)], headers=headers)
    with pytest.raises(imp.ImportFileError) as e:
        run(path)
    assert str(e.value) == imp.ERR_MISSING_COLUMNS.format(columns="户号、网格编号")


def test_unreadable_file_fails_the_job(world, tmp_path):
    job = Job.objects.create(kind="import_residents")
    (tmp_path / "r.xlsx").write_bytes(b"garbage")
    with pytest.raises(imp.ImportFileError):
        run(tmp_path / "r.xlsx", job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "无法读取文件" in job.message and job.finished_at


# -- idempotence, updates and crash safety ----------------------------------------------------
def _counts():
    return (Resident.objects.count(), Household.objects.count(), Resident.history.count(),
            ResidentEvent.objects.count(), Resident.care_tags.through.objects.count())


def test_importing_the_same_file_twice_creates_nothing_new(world, tmp_path):
    rows = [person(world, id_number=f.id_number(), household=f"HI{i // 2}", relation="02" if i % 2 == 0 else "10",
                   tags="低保" if i % 3 == 0 else "") for i in range(7)]
    rows.append(person(world, id_number=_bad_check_digit()))
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    first = run(path, chunk_size=3)
    counts = _counts()
    second = run(path, chunk_size=3)
    assert (first.accepted, first.rejected, first.unchanged) == (7, 1, 0)
    assert (second.accepted, second.rejected, second.unchanged, second.updated) == (7, 1, 7, 0)
    assert _counts() == counts


def test_reimport_with_changes_updates_the_resident(world, tmp_path):
    number = f.id_number()
    run(write_xlsx(tmp_path / "a.xlsx", [person(world, id_number=number, tags="低保")]))
    changed = person(world, id_number=number, name="赵六六", phone="13600000000", tags="残疾人", relation="01",
                     moved_in_on="2020-01-01")
    result = run(write_xlsx(tmp_path / "b.xlsx", [changed]), by=world.admin)
    assert (result.accepted, result.updated, result.unchanged) == (1, 1, 0)
    r = resident_by_id(number)
    assert r.name == "赵六六" and r.name_initials == "zll" and r.relation == "01" and r.version == 2
    assert r.moved_in_on == dt.date(2020, 1, 1)
    assert services.resident_reveal(resident=r)["phone"] == "13600000000"
    assert list(r.care_tags.values_list("name", flat=True)) == ["残疾人"]
    assert r.events.filter(kind=EventKind.UPDATED).exists() and r.history.count() >= 2


def test_a_failure_mid_file_keeps_whole_chunks_and_a_rerun_completes(world, tmp_path, monkeypatch):
    rows = [person(world, id_number=f.id_number(), household=f"HK{i}") for i in range(7)]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    job = Job.objects.create(kind="import_residents")
    before = _counts()
    real = imp._Writer.create_residents
    calls = {"n": 0}

    def failing(self, cursor, chunk_rows):
        calls["n"] += 1
        if calls["n"] == 3:
            real(self, cursor, chunk_rows[:1])  # half-written when the disk fills up
            raise OSError("No space left on device")
        return real(self, cursor, chunk_rows)

    monkeypatch.setattr(imp._Writer, "create_residents", failing)
    with pytest.raises(OSError):
        run(path, chunk_size=2, job=job)
    assert _counts()[0] == before[0] + 4  # two whole chunks, nothing of the third
    assert Household.objects.filter(number__startswith="HK").count() == 4
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "导入中断" in job.message and job.processed == 4

    monkeypatch.setattr(imp._Writer, "create_residents", real)
    result = run(path, chunk_size=2)
    assert (result.accepted, result.rejected, result.unchanged) == (7, 0, 4)
    assert _counts()[0] == before[0] + 7 and _counts()[1] == before[1] + 7
    hashes = list(Resident.objects.values_list("id_number_hash", flat=True))
    assert len(hashes) == len(set(hashes))


# -- the report ---------------------------------------------------------------------------------
def test_report_has_original_columns_row_numbers_and_reasons_and_reimports(world, tmp_path):
    good, fixable = f.id_number(), f.id_number()
    headers = HEADERS + ["备注"]
    rows = [
        person(world, id_number=good) | {"备注": "a"},
        person(world, id_number=fixable, household="HR1", moved_in_on=dt.datetime(2030, 1, 1)) | {"备注": "b"},
        {},  # a blank line is not a row
        person(world, id_number=_bad_check_digit(), household="HR2", phone="1") | {"备注": "c"},
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows, headers=headers)
    result = run(path, report_path=tmp_path / "out" / "rejected.xlsx")
    assert result.report_path == tmp_path / "out" / "rejected.xlsx"
    table = report_rows(result.report_path)
    assert table[0] == headers + ["原行号", "错误原因"]
    assert [(r[-2], r[-1]) for r in table[1:]] == [
        (3, imp.ERR_DATE_FUTURE), (5, "；".join([imp.ERR_ID_CHECK, imp.ERR_PHONE.format(value="1")]))]
    assert table[1][headers.index("备注")] == "b" and table[1][headers.index("户号")] == "HR1"
    assert table[1][headers.index("迁入日期")] == dt.datetime(2030, 1, 1)  # still a date cell

    # Fix the date in the report itself and import it again: only that row goes in.
    wb = load_workbook(result.report_path)
    wb.active.cell(row=2, column=headers.index("迁入日期") + 1, value=dt.date(2021, 1, 1))
    wb.save(tmp_path / "fixed.xlsx")
    again = run(tmp_path / "fixed.xlsx")
    assert (again.accepted, again.rejected) == (1, 1)
    assert resident_by_id(fixable).moved_in_on == dt.date(2021, 1, 1)
    assert report_rows(again.report_path)[0] == headers + ["原行号", "错误原因"]  # no second pair of columns


def test_default_report_path_is_beside_the_input(world, tmp_path):
    path = write_csv(tmp_path / "居民.csv", [person(world, id_number="1")])
    result = run(path)
    assert result.report_path == tmp_path / "居民.rejected.xlsx" and result.report_path.exists()


# -- job progress -------------------------------------------------------------------------------
@pytest.mark.parametrize("write_only", [False, True], ids=["dimension", "estimated"])
def test_job_progress(world, tmp_path, write_only):
    rows = [person(world, id_number=f.id_number(), household=f"HJ{i}") for i in range(5)]
    rows.append(person(world, id_number="bad"))
    job = Job.objects.create(kind="import_residents", created_by=world.admin)
    seen = []
    result = run(write_xlsx(tmp_path / "r.xlsx", rows, write_only=write_only), job=job, chunk_size=2,
                 progress=lambda res, total: seen.append((res.processed, total)))
    job.refresh_from_db()
    assert (job.status, job.total, job.processed, job.accepted, job.rejected) == (JobStatus.DONE, 6, 6, 5, 1)
    assert job.finished_at and job.result_path == str(result.report_path) and job.input_name == "r.xlsx"
    assert [p for p, _ in seen] == [2, 4, 6]
    if not write_only:
        assert all(total == 6 for _, total in seen)


def test_rows_are_active_registered_people_in_their_household(world, tmp_path):
    number = f.id_number()
    run(write_xlsx(tmp_path / "r.xlsx", [person(world, id_number=number, household="HA1", relation="10")]))
    r = resident_by_id(number)
    assert r.household == world.hh_a1 and r.status == PersonStatus.ACTIVE
    assert r.dwelling == world.hh_a1.dwelling  # the household's home when the row names none
    assert CareTag.objects.filter(residents=r).count() == 0


# -- the reading process -------------------------------------------------------------------------
def test_sparse_rows_as_excel_writes_them(world, tmp_path):
    number = f.id_number()
    row = person(world, id_number=number, phone=None, dwelling=None, tags=None, moved_in_on=None)
    result = run(write_xlsx(tmp_path / "r.xlsx", [row]))  # openpyxl, like Excel, leaves empty cells out
    assert result.accepted == 1
    r = resident_by_id(number)
    assert r.phone_enc == "" and r.moved_in_on is None and r.household.number == "HNEW1"


def test_tab_separated_csv(world, tmp_path):
    number = f.id_number()
    path = tmp_path / "r.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(HEADERS)
        w.writerow([person(world, id_number=number)[h] for h in HEADERS])
    assert run(path).accepted == 1


def test_a_file_broken_mid_way_keeps_the_chunks_before(world, tmp_path):
    import zipfile
    rows = [person(world, id_number=f.id_number(), household=f"HT{i}") for i in range(6)]
    good = write_xlsx(tmp_path / "good.xlsx", rows)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[:data.index(b'<row r="6"')] + b"<row><c><v>broken"
            dst.writestr(item, data)
    job = Job.objects.create(kind="import_residents")
    with pytest.raises(imp.ImportFileError, match="无法读取文件 broken.xlsx"):
        run(broken, chunk_size=2, job=job)
    # Rows 2-3 are a closed chunk; rows 4-5 are not: a chunk ends only when the next row shows that its
    # last household is over, and the next row is the broken one (whole households or nothing).
    assert Household.objects.filter(number__startswith="HT").count() == 2
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.processed == 2


def test_an_error_in_the_reading_process_reaches_the_caller(world, tmp_path, monkeypatch):
    def boom(self, number, values):
        raise RuntimeError("kaput")
    monkeypatch.setattr(imp._RowParser, "parse", boom)
    with pytest.raises(RuntimeError, match="kaput"):
        run(write_xlsx(tmp_path / "r.xlsx", [person(world)]))


def test_without_fork_everything_runs_in_one_process(world, tmp_path, monkeypatch):
    monkeypatch.setattr(imp.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    rows = [person(world, id_number=f.id_number(), household=f"HF{i}") for i in range(3)] + [person(world, id_number="1")]
    result = run(write_xlsx(tmp_path / "r.xlsx", rows), chunk_size=2)
    assert (result.accepted, result.rejected) == (3, 1)


def test_report_cannot_overwrite_the_input(world, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [person(world)])
    with pytest.raises(imp.ImportFileError, match="输入文件"):
        run(path, report_path=path)


def test_a_stale_report_is_removed_when_nothing_is_rejected(world, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [person(world, id_number="1")])
    assert run(path).report_path.exists()
    write_xlsx(path, [person(world, id_number=f.id_number())])
    assert run(path).report_path is None and not imp.default_report_path(path).exists()


def test_packed_shared_strings_across_blocks():
    strings = imp._PackedStrings()
    texts = [f"{i}号" * (i % 3) for i in range(40_000)] + ["𠀀生僻字"]
    for text in texts:
        strings.append(text)
    strings.close()
    assert len(strings) == len(texts) and len(strings.blocks) == 3
    for i in (0, 1, 16383, 16384, 16385, 32767, 32768, 39_999, 40_000):
        assert strings[i] == texts[i]
