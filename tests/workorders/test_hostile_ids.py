"""Ids and years out of range answer with a clear error, never a 500."""
import pytest

from gongzhi.workorders.models import WorkOrder


@pytest.mark.parametrize("raw", ["9" * 19, str(2 ** 63), "GD20250101" + "9" * 25, "²", "١٢٣", "0", "-1", "GD"])
def test_order_numbers_out_of_range_mean_no_order(raw):
    assert WorkOrder.pk_from_number(raw) is None


@pytest.mark.parametrize("raw", [str(2 ** 63), "9" * 40, "GD20250101" + "9" * 25])
def test_open311_lookups_with_huge_ids_are_not_found(client, db, raw):
    for url in (f"/open311/v2/requests/{raw}.json", f"/open311/v2/requests.json?service_request_id={raw}"):
        r = client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)


@pytest.mark.parametrize("year", ["abc", "0", "-1", "1e309", "99999999999999999999", "１９９９"])
def test_calendar_refuses_bad_years_in_chinese(client, world, year):
    client.force_login(world.admin)
    r = client.get(f"/orders/calendar/?year={year}")
    assert r.status_code == 400 and "年份应为" in r.content.decode()
