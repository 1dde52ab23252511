"""Keyed Open311 clients: a key may read more only where its scope allows. A key issued for
a place reads the text, full address and exact point of the public orders inside that place,
and nothing more anywhere else; a key without a place reads what anyone reads; a key that
is not valid is refused."""
import io
import json

import pytest
from django.core.management import call_command

from gongzhi.audit.models import AuditEvent
from gongzhi.workorders import apikeys, services
from gongzhi.workorders.models import ApiKey, Category, Channel

BASE = "/open311/v2"
TEXT_A, TEXT_B = "幸福家园12幢2单元401室燃气管道老化", "南岳小区3幢1单元502室楼道堆物"


@pytest.fixture
def orders(world):
    public = Category.objects.filter(is_public=True).order_by("code").first()

    def report(grid, text, address, lat, lon):
        return services.order_report(category=public, description=text, channel=Channel.WINDOW,
                                     by=world.admin, grid=grid, address=address, lat=lat, lon=lon,
                                     reporter_name="王五", reporter_phone="13900001111")
    return (report(world.grid_a1, TEXT_A, "幸福家园12幢2单元401室", 31.3612345678901, 119.8212345678901),
            report(world.grid_b1, TEXT_B, "南岳小区3幢1单元502室", 31.3712345678901, 119.8312345678901))


def _read(client, key=None, order=None):
    params = {"api_key": key} if key else {}
    url = f"{BASE}/requests/{order.number}.json" if order else f"{BASE}/requests.json"
    response = client.get(url, params)
    return response, {i["service_request_id"]: i for i in response.json()} if response.status_code == 200 else {}


def test_a_key_for_community_a_reads_a_in_full_and_b_as_anyone(client, world, orders):
    order_a, order_b = orders
    raw = apikeys.apikey_create(name="A 社区服务台", place=world.comm_a)[1]
    _, items = _read(client, raw)
    a, b = items[order_a.number], items[order_b.number]
    assert a["description"] == TEXT_A and a["address"] == "幸福家园12幢2单元401室"
    assert a["lat"] == 31.3612345678901 and a["long"] == 119.8212345678901
    assert b["description"] is None and b["address"] == "南岳小区" and b["lat"] == 31.371
    # one order at a time: the same
    assert _read(client, raw, order_a)[1][order_a.number]["description"] == TEXT_A
    assert _read(client, raw, order_b)[1][order_b.number]["description"] is None
    body = json.dumps(list(items.values()), ensure_ascii=False)
    assert "楼道堆物" not in body and "502" not in body
    assert "王五" not in body and "13900001111" not in body  # never the reporter, even in scope


@pytest.mark.parametrize("place", ["grid_a1", "street_a", "district"])
def test_the_key_s_place_covers_what_lies_within_it(client, world, orders, place):
    order_a, order_b = orders
    raw = apikeys.apikey_create(name="客户端", place=getattr(world, place))[1]
    _, items = _read(client, raw)
    assert items[order_a.number]["description"] == TEXT_A
    assert (items[order_b.number]["description"] == TEXT_B) is (place == "district")


def test_a_key_without_a_place_reads_what_anyone_reads(client, world, orders):
    raw = apikeys.apikey_create(name="市民通 App")[1]
    assert _read(client, raw)[1] == _read(client)[1]
    assert TEXT_A not in json.dumps(_read(client, raw)[1], ensure_ascii=False)


def test_a_key_that_is_not_valid_is_refused(client, world, orders):
    raw = apikeys.apikey_create(name="已停用", place=world.comm_a)[1]
    apikeys.apikey_revoke(prefix=raw[:8])
    from django.core.cache import cache
    cache.clear()
    for key in (raw, "not-a-key"):
        response, _ = _read(client, key)
        assert response.status_code == 403 and "api_key 无效" in response.json()[0]["description"]
        assert _read(client, key, orders[0])[0].status_code == 403


def test_the_command_issues_a_key_for_a_place_and_lists_it(world):
    out = io.StringIO()
    call_command("apikey", "create", "--name", "A 社区服务台", "--place", world.comm_a.code, stdout=out)
    key = ApiKey.objects.get(name="A 社区服务台")
    assert key.place == world.comm_a
    listing = io.StringIO()
    call_command("apikey", "list", stdout=listing)
    assert f"范围 {world.comm_a.name}" in listing.getvalue()
    event = AuditEvent.objects.filter(object_id=str(key.pk)).latest("pk")
    assert world.comm_a.name in json.dumps(event.after, ensure_ascii=False)
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="找不到区划代码为 999"):
        call_command("apikey", "create", "--name", "x", "--place", "999", stdout=io.StringIO())
