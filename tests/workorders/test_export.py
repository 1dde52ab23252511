"""Excel exports of the work-order list and the visit log: exactly the rows the filtered
page shows, only the places of the posts granting the page's capability, formula-like
text kept as text, the reporter's phone masked, an access-log row naming the filter."""
import datetime as dt
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.core.models import AccessLog
from gongzhi.workorders import services
from gongzhi.workorders.models import Category, Channel, VisitLog, WorkOrder
from tests import factories as f


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxml")
    body = b"".join(response.streaming_content)
    rows = list(load_workbook(BytesIO(body), read_only=True).worksheets[0].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _report(world, *, grid, code="sanitation", by=None, **kw):
    return services.order_report(category=Category.objects.get(code=code), description=kw.pop("description", "楼道"),
                                 channel=Channel.WINDOW, by=by or world.community_worker_a, grid=grid, **kw)


@pytest.fixture
def orders(world):
    made = [_report(world, grid=world.grid_a1, title=f"楼道杂物{i}", reporter_name="赵六",
                    reporter_phone="13911112222") for i in range(4)]
    made += [_report(world, grid=world.grid_a2, code="property", title=f"电梯故障{i}") for i in range(3)]
    made.append(_report(world, grid=world.grid_b1, by=world.community_worker_b, title="南岳王五的事"))
    return made


def listed_numbers(client, query: str) -> list[str]:
    response = client.get(f"/orders/?{query}")
    assert response.status_code == 200
    page = response.context["page"]
    numbers = []
    for n in page.paginator.page_range:  # every page of the list, as a user would step through
        numbers += [o.number for o in client.get(f"/orders/?{query}&page={n}").context["page"].object_list]
    return numbers


@pytest.mark.parametrize("query", ["state=", "state=open&category=property", "q=楼道", "category=sanitation",
                                   "state=closed", "mine=1&state=", ""])
def test_the_export_holds_exactly_the_orders_the_list_shows(client, world, orders, query):
    client.force_login(world.community_worker_a)
    listed = listed_numbers(client, query)
    exported = [r["工单号"] for r in rows_of(client.get(f"/orders/export.xlsx?{query}"))]
    assert exported == listed  # same rows, same order
    assert all(o.number not in exported for o in orders if o.community_id == world.comm_b.id)


def test_the_list_links_the_export_with_its_filters(client, world, orders):
    client.force_login(world.community_worker_a)
    html = client.get("/orders/?state=&category=property&page=1", HTTP_HX_REQUEST="true").content.decode()
    assert 'href="/orders/export.xlsx?state=&amp;category=property"' in html


def test_columns_mask_the_phone_and_the_log_names_filter_and_count(client, world, orders):
    client.force_login(world.community_worker_a)
    rows = rows_of(client.get("/orders/export.xlsx?state=&category=sanitation"))
    assert len(rows) == 4
    row = rows[0]
    assert row["反映人"] == "赵六" and row["类别"] == Category.objects.get(code="sanitation").name
    assert row["联系电话(脱敏)"] == "139****2222" and "13911112222" not in str(rows)
    assert row["网格"] == world.grid_a1.name and row["状态"]
    log = AccessLog.objects.get(action="export")
    assert log.user == world.community_worker_a
    assert log.detail == f"导出工单 4 条;筛选:状态=全部;类别={Category.objects.get(code='sanitation').name}"


def test_a_user_with_two_posts_exports_only_the_posts_granting_view_orders(client, world, orders):
    """A grid worker of A1 who is also a resident of B: orders come through the grid post only
    (a resident post reads only what its user reported)."""
    user = f.user_with_posts("gw_res", ("grid", world.grid_a1, ""), ("resident", world.comm_b, ""))
    client.force_login(user)
    exported = {r["工单号"] for r in rows_of(client.get("/orders/export.xlsx?state="))}
    assert exported == {o.number for o in orders[:4]}


def test_formula_like_titles_stay_text(client, world, orders):
    WorkOrder.objects.filter(pk=orders[0].pk).update(title="=1+2", address="@SUM(A1)")
    client.force_login(world.community_worker_a)
    response = client.get("/orders/export.xlsx?state=")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value in ("=1+2", "@SUM(A1)")]
    assert len(cells) == 2 and all(c.data_type == "s" for c in cells)


def test_one_query_for_the_rows(client, world, orders, django_assert_max_num_queries):
    for i in range(40):
        _report(world, grid=world.grid_a1, title=f"更多{i}")
    client.force_login(world.community_worker_a)
    with django_assert_max_num_queries(12):
        rows = rows_of(client.get("/orders/export.xlsx?state="))
    assert len(rows) == 47


def test_refused_to_those_who_may_not_view_orders(client, world):
    client.logout()
    assert client.get("/orders/export.xlsx").status_code == 302  # to the login page


# -- the visit log -------------------------------------------------------------------------------

@pytest.fixture
def visits(world):
    today = timezone.localdate()
    made = [services.visit_record(by=world.grid_worker_a1, grid=world.grid_a1, household=world.hh_a1,
                                  visited_on=today - dt.timedelta(days=i), notes=f"走访{i}", concerns="路灯不亮")
            for i in range(5)]
    made += [services.visit_record(by=world.community_worker_a, grid=world.grid_a2, visited_on=today - dt.timedelta(days=10),
                                   notes="二网格走访")]
    made.append(VisitLog.objects.create(grid=world.grid_b1, household=world.hh_b1, visitor=world.community_worker_b,
                                        visited_on=today, notes="王五家走访"))
    return made


def listed_visits(client, query: str) -> list[int]:
    response = client.get(f"/orders/visits/?{query}")
    assert response.status_code == 200
    ids = []
    for n in response.context["page"].paginator.page_range:
        ids += [v.pk for v in client.get(f"/orders/visits/?{query}&page={n}").context["page"].object_list]
    return ids


@pytest.mark.parametrize("query", ["", "q=路灯", "start={d3}", "start={d3}&end={d1}", "q=HA1", "end=2000-01-01"])
def test_the_visit_export_holds_exactly_the_visits_the_log_shows(client, world, visits, query):
    today = timezone.localdate()
    query = query.format(d3=today - dt.timedelta(days=3), d1=today - dt.timedelta(days=1))
    client.force_login(world.community_worker_a)
    listed = listed_visits(client, query)
    by_id = {v.pk: v for v in visits}
    exported = rows_of(client.get(f"/orders/visits/export.xlsx?{query}"))
    assert [(r["走访日期"].date(), r["走访情况"]) for r in exported] == \
        [(by_id[i].visited_on, by_id[i].notes) for i in listed]
    assert "王五家走访" not in {r["走访情况"] for r in exported}
    log = AccessLog.objects.get(action="export")
    assert log.detail.startswith(f"导出民情日记 {len(listed)} 条;筛选:")


def test_the_log_page_filters_and_links_the_export(client, world, visits):
    client.force_login(world.grid_worker_a1)
    html = client.get("/orders/visits/?q=路灯").content.decode()
    assert 'href="/orders/visits/export.xlsx?q=%E8%B7%AF%E7%81%AF"' in html
    assert html.count("路灯不亮") == 5
    bad = client.get("/orders/visits/?start=2025/03/01")
    assert bad.status_code == 200 and "起始日期应为 yyyy-mm-dd 格式的日期(收到 2025/03/01),已忽略" in bad.content.decode()


def test_a_grid_worker_exports_their_grid_only(client, world, visits):
    client.force_login(world.grid_worker_a1)
    rows = rows_of(client.get("/orders/visits/export.xlsx"))
    assert len(rows) == 5 and {r["网格"] for r in rows} == {world.grid_a1.name}
    assert rows[0]["走访户"] == world.hh_a1.number and rows[0]["记录人"] == world.grid_worker_a1.display_name


def test_a_user_with_two_posts_exports_visits_of_the_post_granting_view_visits(client, world, visits):
    """A community worker of A who is also a department officer at street B: departments
    read no visit log, so nothing of B."""
    user = f.user_with_posts("cw_dept", ("community", world.comm_a, ""), ("department", world.street_b, "城管局"))
    client.force_login(user)
    rows = rows_of(client.get("/orders/visits/export.xlsx"))
    assert len(rows) == 6 and "王五家走访" not in {r["走访情况"] for r in rows}
    client.force_login(world.department)
    assert client.get("/orders/visits/export.xlsx").status_code == 403


def test_visit_export_neutralises_formulas_and_reads_in_one_query(client, world, visits,
                                                                  django_assert_max_num_queries):
    VisitLog.objects.filter(pk=visits[0].pk).update(concerns="=cmd|' /C calc'!A0")
    client.force_login(world.community_worker_a)
    with django_assert_max_num_queries(10):
        response = client.get("/orders/visits/export.xlsx")
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=cmd"))
    assert cell.data_type == "s"
