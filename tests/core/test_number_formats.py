"""Numbers read the same on every page: counts grouped from five digits up, money as ¥1,234.50."""
from decimal import Decimal

import pytest
from django.template import Context, Template

from gongzhi.core.templatetags.gongzhi_format import money, num


@pytest.mark.parametrize("value, shown", [
    (0, "0"), (7, "7"), (2026, "2026"), (9999, "9999"), (10_000, "10,000"), (76_543, "76,543"),
    (1_234_567, "1,234,567"), (-12_345, "-12,345"), ("12345", "12,345"), (None, "—"), ("", "—"),
    ("无数据", "无数据"), (True, True), (float("nan"), float("nan")),
])
def test_num_groups_counts_of_five_digits_and_more(value, shown):
    result = num(value)
    if isinstance(shown, float):
        assert result != result  # nan stays what it was
    else:
        assert result == shown


@pytest.mark.parametrize("value, places, shown", [
    (3.14159, 1, "3.1"), (12345.67, 1, "12,345.7"), (2.0, "-1", "2"), (2.25, "-1", "2.3"),
    (12000.0, "-1", "12,000"), (0.05, 1, "0.1"), (-0.04, 1, "0.0"), (5, "x", "5"),
])
def test_num_with_decimals(value, places, shown):
    assert num(value, places) == shown


@pytest.mark.parametrize("value, shown", [
    (0, "¥0.00"), (330, "¥330.00"), (1234.5, "¥1,234.50"), (Decimal("280500"), "¥280,500.00"),
    (0.005, "¥0.01"), (2.675, "¥2.68"),  # half up on the decimal, not the float's binary value
    (-12, "-¥12.00"), (-0.001, "¥0.00"), (None, "—"), ("—", "—"),
])
def test_money_has_two_decimals_and_a_separator(value, shown):
    assert money(value) == shown


def test_money_without_the_sign_for_a_column_headed_yuan():
    assert money(1234.5, "") == "1,234.50"


def test_filters_in_a_template():
    t = Template("{% load gongzhi_format %}{{ n|num }} 人 · {{ m|money }}")
    assert t.render(Context({"n": 76000, "m": 1234.5})) == "76,000 人 · ¥1,234.50"


def test_home_counts_are_grouped():
    """The home page's figures: 12,345 households, not 12345 (zh-Hans groups by four with no separator)."""
    from django.template.loader import render_to_string
    counts = {"households": 12345, "residents": 76543, "by_status": [("户籍人口", 70000)], "party_members": 812,
              "care_groups": []}
    html = render_to_string("people/panel_counts.html", {"ctx": {"counts": counts, "chart": {}}})
    assert 'data-testid="count-households">12,345<' in html and 'data-testid="count-residents">76,543<' in html
    assert ">70,000<" in html and ">812<" in html


def test_funding_page_shows_money(client, world):
    client.force_login(world.admin)
    html = client.get("/standards/funding/?pack=yixing-2019").content.decode()
    assert 'data-testid="funding-total">¥330.00<' in html


def test_pagers_group_the_total():
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string
    page = Paginator(range(12_345), 20).get_page(2)
    assert "共 12,345 条" in render_to_string("core/pager.html", {"page": page})
    assert "共 12,345 件" in render_to_string("workorders/_pager.html", {"page": page, "count_label": "件"})
