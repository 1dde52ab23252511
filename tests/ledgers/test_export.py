"""A ledger tab as Excel: the rows the page shows for its tab, year and 含已离任, in its
columns; another community's ledger is as absent as its page; logged; formulas stay text."""
import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.ledgers.models import Meeting, Volunteer, Worker
from tests import factories as f


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content)
    rows = list(load_workbook(BytesIO(body), read_only=True).worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture
def books(world):
    year = dt.date.today().year
    for i in range(3):
        Meeting.objects.create(community=world.comm_a, kind="residents", held_on=dt.date(year, 1, 1 + i),
                               title=f"居民会议{i}", attendees=50 + i)
    Meeting.objects.create(community=world.comm_a, kind="deliberation", held_on=dt.date(year - 1, 6, 1),
                           title="去年议事", attendees=10)
    Meeting.objects.create(community=world.comm_a, kind="residents", held_on=dt.date(year, 2, 1), title="录错的会",
                           voided="日期录错")
    Meeting.objects.create(community=world.comm_b, kind="residents", held_on=dt.date(year, 1, 1), title="王五提议")
    Worker.objects.create(community=world.comm_a, name="在任甲", committee_post="director")
    Worker.objects.create(community=world.comm_a, name="离任乙", committee_post="member", left_on=dt.date(year, 1, 1))
    Volunteer.objects.create(community=world.comm_a, resident=world.res_a1, registered_on=dt.date(year, 1, 1))
    return world


def page_cells(client, url) -> list[list[str]]:
    table = client.get(url).context["table"]
    return [[c["text"] for c in r["cells"]] for r in table]


@pytest.mark.parametrize("query", ["tab=meetings", "tab=meetings&year={last}", "tab=workers", "tab=workers&left=1",
                                   "tab=volunteers", "", "tab=elections"])
def test_the_export_holds_exactly_the_rows_the_ledger_page_shows(client, books, query):
    query = query.format(last=dt.date.today().year - 1)
    client.force_login(books.community_worker_a)
    base = f"/ledgers/{books.comm_a.code}/"
    shown = page_cells(client, f"{base}?{query}")
    exported = rows_of(client.get(f"{base}export.xlsx?{query}"))
    assert [[str(v) for v in list(r.values())[:-1]] for r in exported] == [[str(c) for c in row] for row in shown]
    assert "王五提议" not in str(exported)


def test_columns_states_and_the_log(client, books):
    client.force_login(books.street_officer_a)  # reads, does not keep, the books
    rows = rows_of(client.get(f"/ledgers/{books.comm_a.code}/export.xlsx?tab=meetings"))
    assert len(rows) == 4 and list(rows[0])[:3] == ["日期", "内容", "说明"]
    assert sorted(r["状态"] for r in rows) == ["已作废:日期录错", "有效", "有效", "有效"]
    workers = rows_of(client.get(f"/ledgers/{books.comm_a.code}/export.xlsx?tab=workers&left=1"))
    assert {w["姓名"]: w["状态"] for w in workers}["离任乙"].startswith("已退出")
    logs = list(AccessLog.objects.filter(action="export").order_by("id"))
    assert [log.detail for log in logs] == [f"导出台账 4 条;筛选:台账=会议;年度={dt.date.today().year}",
                                            "导出台账 2 条;筛选:台账=班子与工作者;含已退出"]
    assert logs[0].target == f"台账 {books.comm_a.name}({books.comm_a.code})"


def test_the_page_links_the_export_with_its_query(client, books):
    client.force_login(books.community_worker_a)
    html = client.get(f"/ledgers/{books.comm_a.code}/?tab=workers&left=1").content.decode()
    assert f'href="/ledgers/{books.comm_a.code}/export.xlsx?tab=workers&amp;left=1"' in html


def test_another_community_and_other_posts(client, books):
    client.force_login(books.community_worker_a)
    assert client.get(f"/ledgers/{books.comm_b.code}/export.xlsx?tab=meetings").status_code == 404
    client.force_login(books.department)
    assert client.get(f"/ledgers/{books.comm_a.code}/export.xlsx").status_code == 403
    # a community worker of A who is a department officer at street B: B's books stay closed
    two = f.user_with_posts("cw_dept", ("community", books.comm_a, ""), ("department", books.street_b, "城管局"))
    client.force_login(two)
    assert client.get(f"/ledgers/{books.comm_b.code}/export.xlsx?tab=meetings").status_code == 404
    assert len(rows_of(client.get(f"/ledgers/{books.comm_a.code}/export.xlsx?tab=meetings"))) == 4
    assert not AccessLog.objects.filter(target__contains=books.comm_b.name).exists()


def test_formulas_stay_text_and_rows_cost_no_query_each(client, books, django_assert_max_num_queries):
    for i in range(30):
        Volunteer.objects.create(community=books.comm_a, resident=f.resident(books.hh_a2, f"志愿{i}", relation="20"),
                                 registered_on=dt.date(2025, 1, 1))
    Meeting.objects.filter(title="居民会议0").update(title="=SUM(1,2)")
    client.force_login(books.community_worker_a)
    with django_assert_max_num_queries(12):
        assert len(rows_of(client.get(f"/ledgers/{books.comm_a.code}/export.xlsx?tab=volunteers"))) == 31
    response = client.get(f"/ledgers/{books.comm_a.code}/export.xlsx?tab=meetings")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if "=SUM" in str(c.value))
    assert cell.data_type == "s"


def test_unknown_tab_is_404(client, books):
    client.force_login(books.community_worker_a)
    assert client.get(f"/ledgers/{books.comm_a.code}/export.xlsx?tab=nonsense").status_code == 404
