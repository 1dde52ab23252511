"""Open311 GeoReport v2: discovery, services and definitions in both formats,
filing a request with an API key (and every way of being refused), and the
public reads, which show public categories only and never the reporter."""
import datetime as dt
import io
import json
import re
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from gongzhi.core import crypto
from gongzhi.workorders import apikeys, locate, open311, services
from gongzhi.workorders.models import ApiKey, Category, Channel, Escalation, WorkOrder

BASE = "/open311/v2"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
PHONE = "13987654321"
EMAIL = "reporter@example.cn"
# A square around a point in Yixing, as GeoJSON [lon, lat] rings.
INSIDE_A1 = (31.36, 119.81)
SQUARE_A1 = {"type": "Polygon", "coordinates": [[[119.80, 31.35], [119.82, 31.35], [119.82, 31.37],
                                                 [119.80, 31.37], [119.80, 31.35]]]}


@pytest.fixture
def api_key(db):
    return apikeys.apikey_create(name="测试客户端")[1]


@pytest.fixture
def grid_a1_mapped(world):
    world.grid_a1.boundary = SQUARE_A1
    world.grid_a1.save()
    locate.forget()
    yield world.grid_a1
    locate.forget()


def post(client, fields: dict, fmt="json"):
    """As the spec sends it: form-encoded, repeated keys for lists."""
    return client.post(f"{BASE}/requests.{fmt}", urlencode(fields, doseq=True), content_type=FORM)


def valid(api_key, **fields):
    return {"api_key": api_key, "service_code": "sanitation", "address_string": "人民路1号",
            "description": "垃圾堆放三天无人清运", **fields}


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def report(world, code="sanitation", now=None, **kw):
    kw.setdefault("grid", world.grid_a1)
    kw.setdefault("description", "路灯不亮")
    return services.order_report(category=Category.objects.get(code=code), channel=Channel.WEB, now=now, **kw)


# -- discovery, services, definitions ----------------------------------------------
def test_discovery_json_and_xml(client, db):
    response = client.get(f"{BASE}/discovery.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    data = response.json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(data)
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production" and endpoint["formats"] == ["text/xml", "application/json"]

    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2/"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_changeset_moves_when_the_catalogue_changes(client, db):
    before = client.get(f"{BASE}/discovery.json").json()["changeset"]
    Category.objects.filter(code="sanitation").update(version=2)
    after = client.get(f"{BASE}/discovery.json").json()["changeset"]
    assert after > before


def test_services_lists_every_active_category(client, db):
    Category.objects.filter(code="city_order").update(active=False)
    data = client.get(f"{BASE}/services.json").json()
    by_code = {s["service_code"]: s for s in data}
    assert "city_order" not in by_code
    assert set(by_code) == set(Category.objects.filter(active=True).values_list("code", flat=True))
    safety = by_code["safety"]
    assert safety == {"service_code": "safety", "service_name": "安全隐患", "description": safety["description"],
                      "metadata": True, "type": "realtime", "keywords": safety["keywords"], "group": "事件"}
    assert by_code["sanitation"]["metadata"] is False
    assert by_code["svc_dibao"]["group"] == "服务事项" and "社会救助" in by_code["svc_dibao"]["keywords"]

    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and {e.tag for e in root} == {"service"}
    first = root.find("service")
    assert [e.tag for e in first] == ["service_code", "service_name", "description", "metadata", "type",
                                      "keywords", "group"]
    assert root.find("service[service_code='safety']/metadata").text == "true"


def test_service_definition_json_and_xml(client, db):
    data = client.get(f"{BASE}/services/safety.json").json()
    assert data["service_code"] == "safety"
    attribute = data["attributes"][0]
    assert attribute == {"variable": True, "code": "urgent", "datatype": "singlevaluelist", "required": False,
                         "datatype_description": None, "order": 1, "description": "是否紧急",
                         "values": [{"key": "yes", "name": "紧急"}, {"key": "no", "name": "一般"}]}

    root = xml(client.get(f"{BASE}/services/safety.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "safety"
    node = root.find("attributes/attribute")
    assert node.findtext("variable") == "true" and node.findtext("required") == "false"
    assert [(v.findtext("key"), v.findtext("name")) for v in node.findall("values/value")] == [
        ("yes", "紧急"), ("no", "一般")]


def test_unknown_service_definition_is_404_in_both_formats(client, db):
    response = client.get(f"{BASE}/services/nope.json")
    assert response.status_code == 404
    assert response.json() == [{"code": 404, "description": open311.ERR_SERVICE_CODE_UNKNOWN.format(code="nope")}]
    response = client.get(f"{BASE}/services/nope.xml")
    root = xml(response)
    assert response.status_code == 404 and root.tag == "errors"
    assert root.findtext("error/code") == "404" and "nope" in root.findtext("error/description")


def test_unsupported_method_is_405_in_spec_format(client, db):
    response = client.delete(f"{BASE}/requests.json")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, POST"
    assert response.json()[0]["code"] == 405
    root = xml(client.post(f"{BASE}/services.xml"))
    assert root.findtext("error/code") == "405"


# -- POST a request ---------------------------------------------------------------------
def test_post_creates_one_order_with_protected_contacts(world, api_key):
    csrf_client = Client(enforce_csrf_checks=True)  # a machine API: no CSRF token, no session
    response = post(csrf_client, valid(api_key, first_name="小明", last_name="王", phone=PHONE, email=EMAIL,
                                       device_id="dev-1", account_id="acct-9",
                                       media_url="https://img.example.cn/1.jpg"))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    [created] = response.json()
    order = WorkOrder.objects.get()
    assert created["service_request_id"] == order.number and order.number.startswith("GD")
    assert created["account_id"] == "acct-9" and order.number in created["service_notice"]
    assert "token" not in created  # the spec: service_request_id and token are alternatives
    assert order.channel == Channel.OPEN311 and order.category.code == "sanitation"
    assert order.reporter_user is None and order.reporter_name == "王小明"
    assert order.description == "垃圾堆放三天无人清运" and order.address == "人民路1号"
    assert order.reporter_phone_masked == "139****4321"
    assert crypto.decrypt(order.reporter_phone_enc) == PHONE and crypto.decrypt(order.reporter_email_enc) == EMAIL
    stored = json.dumps(list(WorkOrder.objects.values()), default=str, ensure_ascii=False)
    assert PHONE not in stored and EMAIL not in stored
    assert order.extra["media_url"] == "https://img.example.cn/1.jpg" and order.extra["device_id"] == "dev-1"
    assert order.events.get().actor_name == "王小明"


def test_post_xml_answer(client, world, api_key):
    response = post(client, valid(api_key), fmt="xml")
    root = xml(response)
    assert root.tag == "service_requests"
    assert [e.tag for e in root.find("request")] == ["service_request_id", "service_notice", "account_id"]
    assert root.findtext("request/service_request_id") == WorkOrder.objects.get().number


def test_post_point_in_a_grid_resolves_that_grid(client, world, api_key, grid_a1_mapped):
    lat, lon = INSIDE_A1
    response = post(client, {"api_key": api_key, "service_code": "sanitation", "lat": lat, "long": lon})
    assert response.status_code == 200, response.content
    order = WorkOrder.objects.get()
    assert order.grid == world.grid_a1 and order.community == world.comm_a and order.street == world.street_a
    assert (order.lat, order.lon) == INSIDE_A1
    assert order.description == "环境卫生"  # Open311 allows no description; the service name stands in


def test_post_point_outside_every_grid_falls_back_to_the_district(client, world, api_key, grid_a1_mapped):
    response = post(client, {"api_key": api_key, "service_code": "sanitation", "lat": 30.0, "long": 120.0})
    assert response.status_code == 200, response.content
    order = WorkOrder.objects.get()
    assert order.grid is None and order.district == world.district


def test_post_with_address_id_only(client, world, api_key):
    response = post(client, {"api_key": api_key, "service_code": "sanitation", "address_id": "A-17"})
    assert response.status_code == 200, response.content
    order = WorkOrder.objects.get()
    assert order.extra["address_id"] == "A-17" and "A-17" in order.address


@pytest.mark.parametrize("key, message", [(None, open311.ERR_API_KEY_MISSING),
                                          ("not-a-key", open311.ERR_API_KEY_INVALID)])
def test_post_without_a_valid_key_is_403(client, world, key, message):
    fields = valid("x")
    fields.pop("api_key")
    if key:
        fields["api_key"] = key
    response = post(client, fields)
    assert response.status_code == 403 and response.json() == [{"code": 403, "description": message}]
    assert not WorkOrder.objects.exists()


def test_revoked_key_is_403(client, world, api_key):
    apikeys.apikey_revoke(prefix=api_key[:8])
    response = post(client, valid(api_key))
    assert response.status_code == 403 and not WorkOrder.objects.exists()


def test_key_use_is_recorded_at_most_once_a_minute(client, world, api_key):
    assert post(client, valid(api_key)).status_code == 200
    first_use = ApiKey.objects.get().last_used_at
    assert first_use is not None
    assert post(client, valid(api_key)).status_code == 200
    assert ApiKey.objects.get().last_used_at == first_use
    ApiKey.objects.update(last_used_at=first_use - dt.timedelta(minutes=2))
    cache.clear()  # the process keeps a checked key a minute; let that minute pass
    assert post(client, valid(api_key)).status_code == 200
    assert ApiKey.objects.get().last_used_at > first_use


def test_missing_service_code_is_400_and_unknown_is_404(client, world, api_key):
    fields = valid(api_key)
    del fields["service_code"]
    response = post(client, fields)
    assert response.status_code == 400 and response.json()[0]["description"] == open311.ERR_SERVICE_CODE_MISSING
    response = post(client, valid(api_key, service_code="potholes"))
    assert response.status_code == 404 and "potholes" in response.json()[0]["description"]
    Category.objects.filter(code="sanitation").update(active=False)
    cache.clear()  # categories are kept a minute per process (the admin's edit page clears at once)
    assert post(client, valid(api_key)).status_code == 404
    assert not WorkOrder.objects.exists()


def test_missing_or_bad_location_is_400_naming_the_field(client, world, api_key):
    fields = valid(api_key)
    del fields["address_string"]
    response = post(client, fields)
    assert response.status_code == 400 and response.json()[0]["description"] == open311.ERR_LOCATION
    response = post(client, {**fields, "lat": "31.3"})
    assert response.json()[0]["description"] == open311.ERR_LAT_LONG_PAIR
    response = post(client, {**fields, "lat": "north", "long": "119.8"})
    assert response.status_code == 400 and response.json()[0]["description"].startswith("lat ")
    response = post(client, {**fields, "lat": "31.3", "long": "999"})
    assert response.status_code == 400 and response.json()[0]["description"].startswith("long ")
    assert not WorkOrder.objects.exists()


def test_several_errors_come_back_together(client, world, api_key):
    response = post(client, valid(api_key, phone="12", email="not-mail", media_url="javascript:alert(1)"))
    assert response.status_code == 400
    assert [e["description"] for e in response.json()] == [open311.ERR_PHONE, open311.ERR_EMAIL,
                                                           open311.ERR_MEDIA_URL]
    assert not WorkOrder.objects.exists()


def test_attributes_are_checked_against_the_definition(client, world, api_key):
    Category.objects.filter(code="property").update(attributes=[
        {"code": "estate", "datatype": "string", "required": True, "description": "小区名称"},
        {"code": "floors", "datatype": "number", "required": False, "description": "楼层"},
        {"code": "issues", "datatype": "multivaluelist", "required": False, "description": "问题",
         "values": [{"key": "lift", "name": "电梯"}, {"key": "water", "name": "供水"}]},
    ])
    fields = valid(api_key, service_code="property")
    response = post(client, fields)
    assert response.status_code == 400
    assert response.json()[0]["description"] == open311.ERR_ATTRIBUTE_REQUIRED.format(code="estate",
                                                                                     description="小区名称")
    response = post(client, {**fields, "attribute[estate]": "阳光小区", "attribute[issues][]": ["lift", "gas"]})
    assert response.status_code == 400 and "gas" in response.json()[0]["description"]
    response = post(client, {**fields, "attribute[estate]": "阳光小区", "attribute[floors]": "many"})
    assert response.status_code == 400 and "attribute[floors]" in response.json()[0]["description"]
    assert not WorkOrder.objects.exists()

    response = post(client, {**fields, "attribute[estate]": "阳光小区", "attribute[floors]": "12",
                             "attribute[issues][]": ["lift", "water"], "attribute[unknown]": "dropped"})
    assert response.status_code == 200, response.content
    assert WorkOrder.objects.get().extra["attributes"] == {"estate": "阳光小区", "floors": 12,
                                                           "issues": ["lift", "water"]}


def test_unknown_single_value_key_is_400(client, world, api_key):
    response = post(client, valid(api_key, service_code="safety", **{"attribute[urgent]": "maybe"}))
    assert response.status_code == 400
    assert response.json()[0]["description"] == open311.ERR_ATTRIBUTE_CHOICE.format(code="urgent", value="maybe")
    assert post(client, valid(api_key, service_code="safety", **{"attribute[urgent]": "yes"})).status_code == 200
    assert WorkOrder.objects.get().extra["attributes"] == {"urgent": "yes"}


def test_dispute_filed_by_open311_keeps_its_type(client, world, api_key):
    response = post(client, valid(api_key, service_code="dispute", **{"attribute[dispute_type]": "neighbour"}))
    assert response.status_code == 200, response.content
    assert WorkOrder.objects.get().dispute.dispute_type == "neighbour"


def test_install_without_territory_refuses_cleanly(client, api_key):
    response = post(client, valid(api_key))
    assert response.status_code == 400 and response.json()[0]["description"] == open311.ERR_NO_TERRITORY
    assert not WorkOrder.objects.exists()


def test_workflow_error_is_400_with_its_message(client, world, api_key, monkeypatch):
    def refuse(**kw):
        raise services.WorkflowError(services.ERR_NO_LOCATION)
    monkeypatch.setattr(open311, "order_report", refuse)
    response = post(client, valid(api_key))
    assert response.status_code == 400 and response.json()[0]["description"] == services.ERR_NO_LOCATION


def test_post_path_does_a_bounded_number_of_queries(client, world, api_key, grid_a1_mapped,
                                                    django_assert_max_num_queries):
    lat, lon = INSIDE_A1
    fields = {"api_key": api_key, "service_code": "safety", "lat": lat, "long": lon, "attribute[urgent]": "yes"}
    assert post(client, fields).status_code == 200  # warms the grid cache and records the key's use
    # The API's own share is three look-ups (key, category, grid); the rest is order_report's
    # (calendar, order, event, duplicate check, notices) inside its savepoint.
    with django_assert_max_num_queries(12):
        assert post(client, fields).status_code == 200


# -- GET requests -------------------------------------------------------------------------
def test_get_never_shows_private_categories_or_reporters(client, world):
    report(world, "sanitation", description="楼下垃圾", reporter_name="孙八", reporter_phone="13511112222",
           reporter_email="sun@example.cn", household=world.hh_a1)
    report(world, "dispute", description="邻居噪音纠纷", reporter_name="赵六", reporter_phone="13633334444")
    report(world, "special_groups", description="独居老人")
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}/requests.{fmt}").content.decode()
        assert "环境卫生" in body and "楼下垃圾" not in body  # the category shows, never the text
        for secret in ("孙八", "13511112222", "1351", "sun@example.cn", "赵六", "13633334444", "邻居噪音纠纷", "独居老人",
                       "dispute", "special_groups", "HA1", "张三"):
            assert secret not in body, (fmt, secret)


def test_get_item_fields(client, world):
    order = report(world, "sanitation", address="人民路1号", lat=31.36, lon=119.81)
    [item] = client.get(f"{BASE}/requests.json").json()
    assert list(item) == ["service_request_id", "status", "status_notes", "service_name", "service_code",
                          "description", "agency_responsible", "service_notice", "requested_datetime",
                          "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
                          "long", "media_url"]
    assert item["service_request_id"] == order.number and item["status"] == "open"
    assert item["status_notes"] == "待受理" and item["service_name"] == "环境卫生"
    assert item["requested_datetime"] == timezone.localtime(order.created_at).isoformat(timespec="seconds")
    assert item["requested_datetime"].endswith("+08:00")
    assert (item["lat"], item["long"], item["address"]) == (31.36, 119.81, "人民路")  # the door number is not published
    assert item["media_url"] is None and item["address_id"] is None

    cw = world.community_worker_a
    order = services.order_accept(order=order, by=cw, version=order.version)
    order = services.order_dispatch(order=order, by=cw, version=order.version, place=world.grid_a1)
    order = services.order_handle(order=order, by=world.grid_worker_a1, version=order.version, note="已联系")
    Escalation.objects.filter(order=order).update(level=1)
    [item] = client.get(f"{BASE}/requests.json").json()
    assert item["status"] == "open" and item["status_notes"] == "处置中;已升级至街道督办"
    assert item["agency_responsible"] == world.grid_a1.name
    assert item["expected_datetime"] == timezone.localtime(order.due_at).isoformat(timespec="seconds")

    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests" and root.find("request/long").text == "119.81"


def test_get_closed_states_and_their_notes(client, world):
    cw = world.community_worker_a
    declined = report(world, "sanitation", description="不归社区管")
    services.order_decline(order=declined, by=cw, version=declined.version, reason="属于供电公司职责")
    first = report(world, "sanitation", description="井盖缺失", address="人民路2号")
    second = report(world, "sanitation", description="井盖又缺", address="人民路2号")
    services.order_merge(order=second, into=first, by=cw, version=second.version)
    items = {i["service_request_id"]: i for i in client.get(f"{BASE}/requests.json").json()}
    assert items[declined.number]["status"] == "closed"
    assert items[declined.number]["status_notes"] == "不予受理:属于供电公司职责"
    assert items[second.number]["status"] == "closed"
    assert items[second.number]["status_notes"] == f"已合并至 {first.number}"
    assert items[first.number]["status"] == "open"


def test_get_filters(client, world):
    now = timezone.now()
    old = report(world, "sanitation", now=now - dt.timedelta(days=120))
    recent = report(world, "sanitation", now=now - dt.timedelta(days=10))
    hazard = report(world, "safety", now=now - dt.timedelta(days=2))
    services.order_decline(order=hazard, by=world.community_worker_a, version=hazard.version, reason="已自行处理")

    def ids(**params):
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return {i["service_request_id"] for i in response.json()}

    assert ids() == {recent.number, hazard.number}  # default: the last 90 days
    assert ids(status="open") == {recent.number}
    assert ids(status="closed") == {hazard.number}
    assert ids(status="open,closed") == {recent.number, hazard.number}
    assert ids(service_code="safety") == {hazard.number}
    assert ids(service_code="safety,sanitation") == {recent.number, hazard.number}
    start = (now - dt.timedelta(days=150)).isoformat()
    end = (now - dt.timedelta(days=100)).isoformat()
    assert ids(start_date=start, end_date=end) == {old.number}
    assert ids(start_date=(now - dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")) == {hazard.number}
    # ids override every other argument, even the date window
    assert ids(service_request_id=f"{old.number},{hazard.number}", status="open") == {old.number, hazard.number}
    assert ids(service_request_id="GD19990101" + f"{old.pk:07d}") == set()


def test_get_with_an_unencoded_plus_in_the_offset(client, world):
    order = report(world, "sanitation")
    start = timezone.localtime(order.created_at - dt.timedelta(hours=1)).isoformat(timespec="seconds")
    response = client.get(f"{BASE}/requests.json?start_date={start}")  # "+08:00" arrives as " 08:00"
    assert response.status_code == 200 and [i["service_request_id"] for i in response.json()] == [order.number]


@pytest.mark.parametrize("params, message", [
    ({"status": "pending"}, open311.ERR_STATUS),
    ({"start_date": "yesterday"}, open311.ERR_DATE.format(field="start_date")),
    ({"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, open311.ERR_DATE_ORDER),
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, open311.ERR_DATE_SPAN),
])
def test_get_bad_arguments_are_400(client, db, params, message):
    response = client.get(f"{BASE}/requests.json", params)
    assert response.status_code == 400 and response.json() == [{"code": 400, "description": message}]


def test_get_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    cw = world.community_worker_a
    for i in range(6):
        order = report(world, "sanitation", description=f"问题{i}", address=f"人民路{i}号")
        if i % 3 == 1:
            services.order_decline(order=order, by=cw, version=order.version, reason="不属于社区职责")
        elif i % 3 == 2:
            order = services.order_accept(order=order, by=cw, version=order.version)
            services.order_dispatch(order=order, by=cw, version=order.version, place=world.comm_a)
    with django_assert_max_num_queries(1):
        assert len(client.get(f"{BASE}/requests.json").json()) == 6


def test_get_one_request(client, world):
    public = report(world, "sanitation")
    private = report(world, "dispute", description="纠纷")
    [item] = client.get(f"{BASE}/requests/{public.number}.json").json()
    assert item["service_request_id"] == public.number
    root = xml(client.get(f"{BASE}/requests/{public.number}.xml"))
    assert root.findtext("request/service_request_id") == public.number
    for missing in (private.number, "GD202601010999999", "nonsense"):
        response = client.get(f"{BASE}/requests/{missing}.json")
        assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_token_lookup(client, world):
    order = report(world, "sanitation")
    assert client.get(f"{BASE}/tokens/{order.token}.json").json() == [
        {"service_request_id": order.number, "token": str(order.token)}]
    root = xml(client.get(f"{BASE}/tokens/{order.token}.xml"))
    assert root.findtext("request/service_request_id") == order.number
    for unknown in ("00000000-0000-0000-0000-000000000000", "abc"):
        response = client.get(f"{BASE}/tokens/{unknown}.xml")
        assert response.status_code == 404 and xml(response).findtext("error/code") == "404"


# -- keys -----------------------------------------------------------------------------------
def test_apikey_command_issues_a_working_key_and_revokes_it(client, world):
    out = io.StringIO()
    call_command("apikey", "create", "--name", "市民通 App", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert key.name == "市民通 App" and key.prefix == raw[:8] and key.key_hash == crypto.keyed_hash(raw)
    assert raw not in key.key_hash and len(raw) >= 40
    assert post(client, valid(raw)).status_code == 200

    out = io.StringIO()
    call_command("apikey", "list", stdout=out)
    assert key.prefix in out.getvalue() and raw not in out.getvalue()
    call_command("apikey", "revoke", "--prefix", key.prefix, stdout=io.StringIO())
    assert post(client, valid(raw)).status_code == 403
    assert WorkOrder.objects.count() == 1


def test_apikey_revoke_refuses_unknown_prefix(db):
    with pytest.raises(apikeys.ApiKeyError):
        apikeys.apikey_revoke(prefix="zzzzzzzz")
    with pytest.raises(apikeys.ApiKeyError, match=re.escape(apikeys.ERR_NAME)):
        apikeys.apikey_create(name=" ")


def test_clients_joining_the_discovery_url_with_a_slash_still_work(client, world):
    assert client.get("/open311/v2//services.json").status_code == 200
    assert client.get("/open311/v2//discovery.xml").status_code == 200


def test_routes_pass_the_system_checks():
    from django.core import checks
    assert not [m for m in checks.run_checks() if m.id.startswith("urls.")]


def test_the_public_feed_shows_no_more_than_the_public_map(client, world):
    """No text the reporter wrote, the address cut to the road or estate, the point rounded (~100 m)."""
    from gongzhi.workorders import services as wo_services
    from gongzhi.workorders.models import Category, Channel
    from gongzhi.workorders.open311 import public_address
    order = wo_services.order_report(category=Category.objects.filter(is_public=True).first(),
                                     description="幸福家园12幢2单元401室燃气管道老化", channel=Channel.WINDOW,
                                     by=world.community_worker_a, grid=world.grid_a1,
                                     address="幸福家园12幢2单元401室", lat=31.3612345678901, lon=119.8212345678901)
    items = client.get(f"/open311/v2/requests/{order.number}.json").json()
    item = items[0]
    assert item["description"] is None and item["address"] == "幸福家园"
    assert item["lat"] == 31.361 and item["long"] == 119.821
    assert "燃气" not in json.dumps(items, ensure_ascii=False) and "401" not in json.dumps(items)
    for door, public in (("解放东路88号金色家园A座1201", "解放东路"), ("幸福家园3-2-401", "幸福家园"),
                         ("人民北路12号1-302", "人民北路"), ("团结村3组12号户", "团结村"), ("东虹小区", "东虹小区")):
        assert public_address(door) == public, door
