"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2).

Existing Open311 apps and city systems can list our categories, file work
orders and follow them without knowing anything else about gongzhi:

- a *service* is an active work-order Category (service_code = Category.code);
- a *service request* is a WorkOrder (service_request_id = its number, GD…),
  open or closed as `WorkOrder.open311_status` says, with the internal state
  label as status_notes;
- filing (POST) needs an `api_key` issued with `gongzhi apikey create`;
  reading is public, so it shows only orders of categories marked public and
  never who reported them; a key issued for a place (ApiKey.place) also reads the
  description, full address and exact location of the public orders there.

Every resource comes as .json or .xml (schemaless XML without a namespace,
JSON as its Spark-convention mapping); errors are [{code, description}] /
<errors><error>…, with the HTTP status 400, 403, 404 or 405.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from functools import wraps
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from gongzhi.core.permissions import public
from gongzhi.core.validators import PHONE_FIELD
from gongzhi.core.validators import ERR_CONTROL, has_control_characters
from gongzhi.workorders import apikeys, selectors
from gongzhi.workorders.models import (
    FINAL_STATES,
    OPEN_STATES,
    ApiKey,
    Category,
    Channel,
    EscalationLevel,
    Kind,
    State,
    WorkOrder,
)
from gongzhi.workorders.services import ERR_NO_DISTRICT, WorkflowError, order_report

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# The date this API last changed shape; the catalogue's revision is appended (see _changeset).
API_CHANGESET = "2026-11-25"
DEFAULT_CONTACT = "如需帮助,请联系本平台管理员"
DEFAULT_KEY_SERVICE = "API 密钥由平台管理员签发(gongzhi apikey create --name 客户端名称)"
FORMATS = ["text/xml", "application/json"]
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# In XML a list is a wrapper element holding one element per item (Spark convention).
XML_ITEM = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
            "values": "value", "endpoints": "endpoint", "formats": "format"}

# The spec's response volume for GET requests: 90 days or 1000 requests, whichever is smaller.
MAX_RESULTS = 1000
MIN_YEAR, MAX_YEAR = 1900, 9000
MAX_SPAN = dt.timedelta(days=90)
MAX_TEXT = 4000
MAX_MEDIA_URL = 500
MAX_CLIENT_ID = 100

ERR_METHOD = "不支持 {method} 请求"
ERR_API_KEY_MISSING = "缺少 api_key,提交服务请求须提供 API 密钥"
ERR_API_KEY_INVALID = "api_key 无效或已停用"
ERR_SERVICE_CODE_MISSING = "缺少 service_code"
ERR_SERVICE_CODE_UNKNOWN = "service_code「{code}」不存在或已停用"
ERR_LOCATION = "缺少位置:须提供 lat 和 long,或 address_string,或 address_id"
ERR_LAT_LONG_PAIR = "lat 和 long 须同时提供"
ERR_COORDINATE = "{field} 须为 {low} 到 {high} 之间的数字(WGS84 坐标)"
ERR_TOO_LONG = "{field} 不能超过 {limit} 个字符"
ERR_EMAIL = "email 格式不正确"
ERR_PHONE = "phone 格式不正确:须为11位手机号或带区号的固定电话"
ERR_MEDIA_URL = "media_url 须为 http 或 https 网址"
ERR_ATTRIBUTE_REQUIRED = "缺少必填的附加字段 attribute[{code}]({description})"
ERR_ATTRIBUTE_CHOICE = "附加字段 attribute[{code}] 的值「{value}」不在可选项中"
ERR_ATTRIBUTE_SINGLE = "附加字段 attribute[{code}] 只能有一个值"
ERR_ATTRIBUTE_NUMBER = "附加字段 attribute[{code}] 须为数字"
ERR_ATTRIBUTE_DATETIME = "附加字段 attribute[{code}] 须为 ISO 8601 日期时间"
ERR_DATE = "{field} 须为 W3C 日期时间,例如 2026-11-25T08:00:00+08:00"
ERR_DATE_ORDER = "start_date 不能晚于 end_date"
ERR_DATE_SPAN = "start_date 与 end_date 的间隔不能超过 90 天"
ERR_STATUS = "status 只能是 open 或 closed(可用逗号分隔)"
ERR_NO_TERRITORY = ERR_NO_DISTRICT  # order_report finds the grid, or falls back to the district
ERR_REQUEST_UNKNOWN = "service_request_id「{request_id}」不存在或不公开"
ERR_TOKEN_UNKNOWN = "token「{token}」不存在"

NOTICE_RECEIVED = "已收到,工单号 {number},将于 {date} 前受理"
NOTICE_TO_ACCEPT = "将于 {date} 前受理"
NOTICE_DUE = "承诺 {date} 前办结"
NOTES_DECLINED = "不予受理:{reason}"
NOTES_MERGED = "已合并至 {number}"
NOTES_ESCALATED = "已升级至{level}督办"

_ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\[\]]+)\](?:\[\d*\])?$")
_PHONE = re.compile(PHONE_FIELD["regex"])
_COUNTRY_CODE = re.compile(r"^(?:\+86|0086)-?")
# Characters XML 1.0 cannot carry at all; they would make the document unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# An unencoded "+08:00" in a query string arrives as " 08:00".
_LOST_PLUS = re.compile(r"(T[\d:.]+) (\d{2}:?\d{2})$")


class Open311Error(Exception):
    """A refusal in the spec's error format; `descriptions` are shown to the user."""

    def __init__(self, status: int, *descriptions: str):
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = descriptions


# -- rendering ------------------------------------------------------------------
def _fill(element: ET.Element, value) -> None:
    if isinstance(value, list):
        item_tag = XML_ITEM[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    elif isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = _NOT_XML.sub("", str(value))


def _render(fmt: str, data, root: str, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under `root` (a list becomes one element per item)."""
    if fmt == "xml":
        element = ET.Element(root)
        _fill(element, data)
        body = XML_DECLARATION + ET.tostring(element, encoding="unicode")
    else:
        body = json.dumps(data, ensure_ascii=False)
    return HttpResponse(body.encode(), status=status, content_type=CONTENT_TYPES[fmt])


def _endpoint(*methods: str):
    """A machine API view: no CSRF token (clients hold an api_key, not a session),
    other methods refused with 405, Open311Error rendered in the spec's format."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, fmt, **kwargs):
            try:
                if request.method not in allowed:
                    raise Open311Error(405, ERR_METHOD.format(method=request.method))
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                response = _render(fmt, [{"code": error.status, "description": d} for d in error.descriptions],
                                   "errors", status=error.status)
                if error.status == 405:
                    response["Allow"] = ", ".join(sorted(allowed))
                return response
        return wrapper
    return decorate


def _w3c(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _day(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}"


# -- discovery and services -------------------------------------------------------
def _changeset() -> str:
    """Sortable, and moves on when a category is added or edited (its version rises),
    so clients know to refresh cached service lists and definitions."""
    catalogue = Category.objects.aggregate(count=Count("id"), versions=Sum("version"))
    return f"{API_CHANGESET} r{(catalogue['count'] or 0) + (catalogue['versions'] or 0):06d}"


@public
@_endpoint("GET")
def discovery(request, fmt):
    changeset = _changeset()
    own_url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt}))
    data = {
        "changeset": changeset,
        "contact": getattr(settings, "GONGZHI_OPEN311_CONTACT", DEFAULT_CONTACT),
        "key_service": getattr(settings, "GONGZHI_OPEN311_KEY_SERVICE", DEFAULT_KEY_SERVICE),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": own_url.rsplit("/", 1)[0] + "/",
            "changeset": changeset,
            "type": "production",
            "formats": FORMATS,
        }],
    }
    return _render(fmt, data, "discovery")


def _service(category: Category) -> dict:
    keywords = [Kind(category.kind).label, category.get_window_display(), category.route_department]
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": ", ".join(k for k in dict.fromkeys(keywords) if k),
        "group": Kind(category.kind).label,
    }


@public
@_endpoint("GET")
def services(request, fmt):
    return _render(fmt, [_service(c) for c in selectors.categories()], "services")


def _attribute(attribute: dict, position: int) -> dict:
    return {
        "variable": attribute.get("variable", True),
        "code": attribute["code"],
        "datatype": attribute.get("datatype", "string"),
        "required": bool(attribute.get("required", False)),
        "datatype_description": attribute.get("datatype_description") or None,
        "order": attribute.get("order", position),
        "description": attribute.get("description", ""),
        "values": [{"key": str(v.get("key", "")), "name": v.get("name", "")} for v in attribute.get("values", [])],
    }


_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")  # Category.code is a SlugField of 40


def _active_category(code: str) -> Category:
    # Anything that cannot be a code is unknown without a look-up (nor a cache entry).
    category = selectors.active_category_cached(code) if _CODE.match(code) else None
    if category is None:
        raise Open311Error(404, ERR_SERVICE_CODE_UNKNOWN.format(code=code))
    return category


@public
@_endpoint("GET")
def service_definition(request, code, fmt):
    category = _active_category(code)
    data = {"service_code": category.code,
            "attributes": [_attribute(a, i) for i, a in enumerate(category.attributes, start=1)]}
    return _render(fmt, data, "service_definition")


# -- POST a service request ----------------------------------------------------------
def _text(form, field: str, errors: list, limit: int = MAX_TEXT) -> str:
    value = (form.get(field) or "").strip()
    if len(value) > limit:
        errors.append(ERR_TOO_LONG.format(field=field, limit=limit))
        return ""
    if has_control_characters(value):
        errors.append(f"{field}: {ERR_CONTROL}")
        return ""
    return value


def _coordinate(raw: str, field: str, limit: float, errors: list) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not -limit <= value <= limit:
        errors.append(ERR_COORDINATE.format(field=field, low=-limit, high=limit))
        return None
    return value


def _location(form, errors: list) -> tuple[float | None, float | None, str, str]:
    """(lat, long, address_string, address_id); one of the three forms is required."""
    raw_lat, raw_lon = (form.get("lat") or "").strip(), (form.get("long") or "").strip()
    address = _text(form, "address_string", errors, limit=200)
    address_id = _text(form, "address_id", errors, limit=MAX_CLIENT_ID)
    lat = lon = None
    if raw_lat and raw_lon:
        lat = _coordinate(raw_lat, "lat", 90, errors)
        lon = _coordinate(raw_lon, "long", 180, errors)
        if lat is None or lon is None:
            lat = lon = None
    elif raw_lat or raw_lon:
        errors.append(ERR_LAT_LONG_PAIR)
    elif not address and not address_id:
        errors.append(ERR_LOCATION)
    return lat, lon, address, address_id


def _given_attributes(form) -> dict[str, list[str]]:
    """attribute[code]=v, attribute[code][]=v1&attribute[code][]=v2 → {code: [v, …]}."""
    given: dict[str, list[str]] = {}
    for field in form:
        match = _ATTRIBUTE_FIELD.match(field)
        if match:
            given.setdefault(match.group(1), []).extend(v.strip() for v in form.getlist(field) if v.strip())
    return given


def _attribute_value(attribute: dict, values: list[str], errors: list):
    """The checked value of one answered attribute, or None after recording an error."""
    code, datatype = attribute["code"], attribute.get("datatype", "string")
    choices = {str(v.get("key", "")) for v in attribute.get("values", [])}
    if datatype == "multivaluelist":
        unknown = [v for v in values if v not in choices]
        if unknown:
            errors.append(ERR_ATTRIBUTE_CHOICE.format(code=code, value=unknown[0]))
            return None
        return list(dict.fromkeys(values))
    if len(values) > 1:
        errors.append(ERR_ATTRIBUTE_SINGLE.format(code=code))
        return None
    value = values[0]
    if datatype == "singlevaluelist" and value not in choices:
        errors.append(ERR_ATTRIBUTE_CHOICE.format(code=code, value=value))
        return None
    if datatype == "number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            errors.append(ERR_ATTRIBUTE_NUMBER.format(code=code))
            return None
        return int(number) if number.is_integer() else number
    if datatype == "datetime":
        moment = _parse_moment(value)
        if moment is None:
            errors.append(ERR_ATTRIBUTE_DATETIME.format(code=code))
            return None
        return moment.isoformat()
    if len(value) > MAX_TEXT:
        errors.append(ERR_TOO_LONG.format(field=f"attribute[{code}]", limit=MAX_TEXT))
        return None
    return value


def _attributes(category: Category, form, errors: list) -> dict:
    """Answers to the category's attributes; codes the category does not define are dropped."""
    given = _given_attributes(form)
    answers = {}
    for attribute in category.attributes:
        if attribute.get("variable", True) is False:
            continue
        code = attribute["code"]
        values = given.get(code)
        if not values:
            if attribute.get("required"):
                errors.append(ERR_ATTRIBUTE_REQUIRED.format(code=code, description=attribute.get("description", "")))
            continue
        value = _attribute_value(attribute, values, errors)
        if value is not None:
            answers[code] = value
    return answers


def _phone(form, errors: list) -> str:
    phone = re.sub(r"[\s()]", "", form.get("phone") or "")
    phone = _COUNTRY_CODE.sub("", phone)
    if phone and not _PHONE.match(phone):
        errors.append(ERR_PHONE)
        return ""
    return phone


def _email(form, errors: list) -> str:
    email = (form.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(ERR_EMAIL)
            return ""
    return email


def _media_url(form, errors: list) -> str:
    url = (form.get("media_url") or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname \
            or len(url) > MAX_MEDIA_URL:
        errors.append(ERR_MEDIA_URL)
        return ""
    return url


def _create(request, fmt):
    form = request.POST
    raw_key = form.get("api_key") or request.GET.get("api_key")
    if not raw_key:
        raise Open311Error(403, ERR_API_KEY_MISSING)
    client = apikeys.apikey_check(raw_key)
    if client is None:
        raise Open311Error(403, ERR_API_KEY_INVALID)
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, ERR_SERVICE_CODE_MISSING)
    category = _active_category(code)

    errors: list[str] = []
    lat, lon, address, address_id = _location(form, errors)
    answers = _attributes(category, form, errors)
    description = _text(form, "description", errors)
    phone, email, media_url = _phone(form, errors), _email(form, errors), _media_url(form, errors)
    reporter_name = _text(form, "last_name", errors, limit=50) + _text(form, "first_name", errors, limit=50)
    device_id = _text(form, "device_id", errors, limit=MAX_CLIENT_ID)
    account_id = _text(form, "account_id", errors, limit=MAX_CLIENT_ID)
    if errors:
        raise Open311Error(400, *errors)

    extra = {"attributes": answers, "open311_client": client.prefix}
    extra.update({k: v for k, v in (("media_url", media_url), ("device_id", device_id), ("account_id", account_id),
                                    ("address_id", address_id)) if v})
    if category.is_dispute and "dispute_type" in answers:
        extra["dispute_type"] = answers["dispute_type"]  # order_report files it on the Dispute row
    if not address and address_id:
        address = f"地址编号 {address_id}"
    try:
        order = order_report(
            category=category, description=description or category.name, channel=Channel.OPEN311, by=None,
            address=address, lat=lat, lon=lon, reporter_name=reporter_name,
            reporter_phone=phone, reporter_email=email, extra=extra)
    except WorkflowError as e:
        raise Open311Error(400, str(e)) from None
    # The spec: service_request_id and token are alternatives; we always know the id.
    created = {"service_request_id": order.number,
               "service_notice": NOTICE_RECEIVED.format(number=order.number, date=_day(order.step_due_at)),
               "account_id": account_id or None}
    return _render(fmt, [created], "service_requests")


# -- GET service requests --------------------------------------------------------------
def _status_notes(order: WorkOrder) -> str:
    if order.state == State.DECLINED and order.decline_reason:
        return NOTES_DECLINED.format(reason=order.decline_reason)
    if order.state == State.MERGED and order.duplicate_of_id:
        return NOTES_MERGED.format(number=order.duplicate_of.number)
    notes = order.get_state_display()
    if order.escalation_level > 0:
        notes += ";" + NOTES_ESCALATED.format(level=EscalationLevel(order.escalation_level).label)
    return notes


def _service_notice(order: WorkOrder) -> str | None:
    if not order.is_open:
        return None
    if order.due_at:
        return NOTICE_DUE.format(date=_day(order.due_at))
    if order.step_due_at:
        return NOTICE_TO_ACCEPT.format(date=_day(order.step_due_at))
    return None


def _reading_key(params) -> ApiKey | None:
    """The key a reading client sent, if any; a key that is not valid is refused, not ignored."""
    raw = params.get("api_key")
    if not raw:
        return None
    key = apikeys.apikey_check(raw)
    if key is None:
        raise Open311Error(403, ERR_API_KEY_INVALID)
    return key


def _in_scope(order: WorkOrder, key: ApiKey | None) -> bool:
    """Is the order inside the place the key was issued for? (An order keeps every level above it.)"""
    return bool(key and key.place_id) and key.place_id in (order.district_id, order.street_id,
                                                           order.community_id, order.grid_id)


def _request_item(order: WorkOrder, key: ApiKey | None = None) -> dict:
    # The spec: for a closed request, updated_datetime is when it was closed.
    if not order.is_open and order.closed_at:
        updated = order.closed_at
    else:
        updated = order.last_event_at or order.created_at
    agency = f"{order.handling_place.name}{order.handling_department}" if order.handling_place_id else None
    item = {
        "service_request_id": order.number,
        "status": order.open311_status,
        "status_notes": _status_notes(order),
        "service_name": order.category.name,
        "service_code": order.category.code,
        # The public feed shows no more than the public map: no text the reporter wrote, the
        # address cut to the road or estate, the location rounded to about 100 m.
        "description": None,
        "agency_responsible": agency,
        "service_notice": _service_notice(order),
        "requested_datetime": _w3c(order.created_at),
        "updated_datetime": _w3c(updated),
        "expected_datetime": _w3c(order.due_at),
        "address": public_address(order.address) or None,
        "address_id": None,
        "zipcode": None,
        "lat": round(order.lat, 3) if order.lat is not None else None,
        "long": round(order.lon, 3) if order.lon is not None else None,
        # Attachments are served only inside the order's scope: no public media.
        "media_url": None,
    }
    if _in_scope(order, key):
        # A key issued for this place (its own service desk) reads what the reporter wrote and
        # where; never who reported it.
        item.update(description=order.description, address=order.address or None,
                    lat=order.lat, long=order.lon)
    return item


# Where numbers begin in a Chinese address, everything after is a building, a door or a flat
# ("幸福家园12幢2单元401室", "人民北路12号1-302", "团结村3组12号户").
_FIRST_NUMBER = re.compile(r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ]")


def public_address(address: str) -> str:
    """The road, estate or village by name only: nothing that points at a household's door."""
    address = (address or "").strip()
    match = _FIRST_NUMBER.search(address)
    return address[:match.start()].strip(" ,,-—") if match else address


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _parse_moment(value: str) -> dt.datetime | None:
    try:
        moment = parse_datetime(_LOST_PLUS.sub(r"\1+\2", value.strip()))
    except ValueError:
        return None
    if moment is None:
        return None
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        utc = moment.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        return None
    # a year this API can answer about, with room for the 90-day span on either side
    return moment if MIN_YEAR <= utc.year <= MAX_YEAR else None


def _date_range(params, errors: list) -> tuple[dt.datetime, dt.datetime]:
    """[start, end] of requested_datetime; by default the last 90 days."""
    bounds = {}
    for field in ("start_date", "end_date"):
        raw = (params.get(field) or "").strip()
        bounds[field] = _parse_moment(raw) if raw else None
        if bounds[field] is not None:  # in UTC: PostgreSQL refuses offsets beyond ±15:59 (ISO 8601 allows ±23:59)
            bounds[field] = bounds[field].astimezone(dt.timezone.utc)
        if raw and bounds[field] is None:
            errors.append(ERR_DATE.format(field=field))
    start, end = bounds["start_date"], bounds["end_date"]
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    elif start > end:
        errors.append(ERR_DATE_ORDER)
    elif end - start > MAX_SPAN:
        errors.append(ERR_DATE_SPAN)
    return start, end


def _by_ids(requested: list[str]) -> list[WorkOrder]:
    """Orders named by number (GD…) or by bare id; a number must match exactly."""
    wanted = {r.upper() for r in requested}
    pks = {pk for pk in (WorkOrder.pk_from_number(r) for r in requested) if pk}
    orders = selectors.public_orders().filter(pk__in=pks)[:MAX_RESULTS]
    return [o for o in orders if o.number in wanted or str(o.pk) in wanted]


def _search(params) -> list[WorkOrder]:
    requested = _split(params.get("service_request_id"))
    if requested:  # the spec: ids override every other argument
        return _by_ids(requested)
    errors: list[str] = []
    statuses = {s.lower() for s in _split(params.get("status"))}
    if statuses - {"open", "closed"}:
        errors.append(ERR_STATUS)
    start, end = _date_range(params, errors)
    if errors:
        raise Open311Error(400, *errors)
    orders = selectors.public_orders().filter(created_at__gte=start, created_at__lte=end)
    codes = [c for c in _split(params.get("service_code")) if _CODE.match(c)] if params.get("service_code") else []
    if params.get("service_code") and not codes:
        return []  # no code of the catalogue looks like that
    if codes:
        orders = orders.filter(category__code__in=codes)
    if statuses == {"open"}:
        orders = orders.filter(state__in=OPEN_STATES)
    elif statuses == {"closed"}:
        orders = orders.filter(state__in=FINAL_STATES)
    return list(orders[:MAX_RESULTS])


@public  # anyone reads public orders; a POST needs an api_key, checked in _create
@_endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    key = _reading_key(request.GET)
    return _render(fmt, [_request_item(o, key) for o in _search(request.GET)], "service_requests")


@public
@_endpoint("GET")
def request(request, request_id, fmt):
    key = _reading_key(request.GET)
    found = _by_ids([request_id])
    if not found:
        raise Open311Error(404, ERR_REQUEST_UNKNOWN.format(request_id=request_id))
    return _render(fmt, [_request_item(found[0], key)], "service_requests")


@public
@_endpoint("GET")
def token(request, token, fmt):
    try:
        value = uuid.UUID(token)
    except ValueError:
        value = None
    order = WorkOrder.objects.filter(token=value).only("pk", "created_at", "token").first() if value else None
    if order is None:
        raise Open311Error(404, ERR_TOKEN_UNKNOWN.format(token=token))
    return _render(fmt, [{"service_request_id": order.number, "token": str(order.token)}], "service_requests")
