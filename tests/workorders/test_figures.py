"""Figures per unit for a period, computed by the database, checked against
orders whose outcome we know."""
import datetime as dt

from django.utils import timezone

from gongzhi.core.scope import Scope
from gongzhi.workorders import selectors, services
from gongzhi.workorders.manifest import VIEW_ORDER_REPORTS
from gongzhi.workorders.models import Category, Channel


def _reports(user):
    return Scope.for_user_capability(user, VIEW_ORDER_REPORTS)


def at(d, h=10):
    return timezone.make_aware(dt.datetime.combine(d, dt.time(h)))


NOV = dt.date(2026, 11, 2)  # a Monday


def _run(world, *, days_to_close=None, rework=False, rating=None, decline=False, accept_late=False, start=NOV):
    cw = world.community_worker_a
    o = services.order_report(category=Category.objects.get(code="sanitation"), description="垃圾", by=world.grid_worker_a1,
                              channel=Channel.GRID, grid=world.grid_a1, now=at(start))
    if decline:
        return services.order_decline(order=o, by=cw, version=o.version, reason="重复", now=at(start, 11))
    accepted = at(start + dt.timedelta(days=3)) if accept_late else at(start, 11)
    o = services.order_accept(order=o, by=cw, version=o.version, now=accepted)
    o = services.order_dispatch(order=o, by=cw, version=o.version, place=world.comm_a, now=accepted)
    if days_to_close is None:
        return o
    done = accepted + dt.timedelta(days=days_to_close)
    o = services.order_reply(order=o, by=cw, version=o.version, reply="好", now=done)
    if rework:
        o = services.order_verify(order=o, by=world.grid_worker_a1, version=o.version, passed=False, note="没弄好",
                                  now=done)
        o = services.order_reply(order=o, by=cw, version=o.version, reply="好了", now=done)
    o = services.order_verify(order=o, by=world.grid_worker_a1, version=o.version, passed=True, now=done)
    o = services.order_close(order=o, by=cw, version=o.version, now=done)
    if rating:
        o = services.order_rate(order=o, by=world.grid_worker_a1, version=o.version, rating=rating, now=done)
    return o


def test_rates_per_community(world):
    _run(world, days_to_close=1, rating=5)               # on time, satisfied
    _run(world, days_to_close=1, rework=True, rating=3)  # on time, reworked, not satisfied
    _run(world, days_to_close=10, rating=4)              # late (limit: 3 working days)
    _run(world, accept_late=True)                          # still open, due in the period
    _run(world, decline=True)
    (row,) = selectors.figures(scope=_reports(world.admin), start=NOV, end=dt.date(2026, 11, 30))
    assert row["unit"] == "东虹社区"
    assert row["reported"] == 5 and row["accepted"] == 4
    assert row["due"] == 4 and row["closed"] == 3 and row["on_time"] == 2 and row["rework"] == 1
    assert row["closure_rate"] == 75.0 and row["on_time_rate"] == 50.0 and row["rework_rate"] == 25.0
    assert row["response_rate"] == 80.0  # 4 of 5 answered within the acceptance limit
    assert row["resolution_rate"] == 60.0 and row["satisfaction_rate"] == 66.7
    assert 1 <= row["avg_handling_days"] <= 10


def test_figures_follow_the_scope(world):
    _run(world, days_to_close=1)
    services.order_report(category=Category.objects.get(code="sanitation"), description="B", channel=Channel.WINDOW,
                          by=world.community_worker_b, grid=world.grid_b1, now=at(NOV))
    rows = selectors.figures(scope=_reports(world.community_worker_a), start=NOV, end=dt.date(2026, 11, 30))
    assert [r["unit"] for r in rows] == ["东虹社区"]
    rows = selectors.figures(scope=_reports(world.admin), start=NOV, end=dt.date(2026, 11, 30), group="street")
    assert sorted(r["unit"] for r in rows) == ["宜城街道", "新街街道"]


def test_figures_page_has_charts_and_refuses_residents(client, world):
    _run(world, days_to_close=1)
    client.force_login(world.street_officer_a)
    page = client.get("/orders/figures/?start=2026-11-01&end=2026-11-30&group=grid")
    text = page.content.decode()
    assert page.status_code == 200 and "rates-chart" in text and "figures-data" in text and "东虹社区第1网格" in text
    assert client.get("/orders/figures/?start=2026-12-01&end=2026-11-01").status_code == 400
    client.force_login(world.resident_user)
    assert client.get("/orders/figures/").status_code == 403


def test_figures_download(client, world):
    from io import BytesIO

    from openpyxl import load_workbook
    _run(world, days_to_close=1, rating=5)
    client.force_login(world.community_worker_a)
    response = client.get("/orders/figures/?start=2026-11-01&end=2026-11-30&format=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:5] == ["社区", "上报", "受理", "应结案", "结案"]
    assert [c.value for c in sheet[3]][:5] == ["东虹社区", 1, 1, 1, 1]


def test_the_trend_covers_exactly_the_months_asked_for(world):
    import datetime as dt

    from gongzhi.workorders.selectors import monthly_trend
    for today in (dt.date(2026, 11, 26), dt.date(2026, 1, 31), dt.date(2026, 3, 1)):
        labels = monthly_trend(scope=_reports(world.admin), today=today)["labels"]
        assert len(labels) == 12 and labels[-1] == f"{today:%Y-%m}", (today, labels)


def test_figures_count_the_units_places_not_what_its_staff_reported_elsewhere(world):
    """A street officer of A who reports an order in community B (e.g. while visiting) does not
    find it in street A's figures or trend."""
    services.order_report(category=Category.objects.get(code="sanitation"), description="外街道的垃圾",
                          by=world.street_officer_a, channel=Channel.WINDOW, grid=world.grid_b1, now=at(NOV))
    scope = Scope.for_user_capability(world.street_officer_a, VIEW_ORDER_REPORTS)
    rows = selectors.figures(scope=scope, start=NOV, end=NOV, group="street")
    assert all(r["unit"] != "新街街道" for r in rows) and sum(r["reported"] for r in rows) == 0
    assert sum(selectors.monthly_trend(scope=scope, today=NOV)["reported"]) == 0
