"""An OpenAPI 3.0 description of the Open311 GeoReport v2 endpoints (docs/open311.md).

GeoReport v2 has no machine-readable document of its own; this one says which parameters
each resource takes and which answers it gives, for client authors and for the fuzz test
(tests/workorders/test_open311_fuzz.py, schemathesis over every operation).
`document(service_codes)` lists the catalogue's codes as the valid ones.
"""
from __future__ import annotations

_STRING = {"type": "string"}
_ERRORS = {"type": "array", "items": {"type": "object", "properties": {
    "code": {"type": "integer"}, "description": {"type": "string"}}, "required": ["code", "description"]}}
_FORMATS = {"json": "application/json", "xml": "text/xml"}


def _answers(ok: dict, *refusals: int) -> dict:
    answers = {"200": {"description": "OK", "content": {"application/json": {"schema": ok},
                                                         "text/xml": {"schema": _STRING}}}}
    for status in (*refusals, 405):
        answers[str(status)] = {"description": "refused", "content": {"application/json": {"schema": _ERRORS},
                                                                       "text/xml": {"schema": _STRING}}}
    return answers


_SERVICE = {"type": "object", "properties": {
    "service_code": _STRING, "service_name": _STRING, "description": _STRING, "metadata": {"type": "boolean"},
    "type": _STRING, "keywords": _STRING, "group": _STRING}, "required": ["service_code", "service_name"]}
_REQUEST = {"type": "object", "properties": {
    "service_request_id": _STRING, "status": {"type": "string", "enum": ["open", "closed"]},
    "service_code": _STRING, "service_name": _STRING,
    "lat": {"type": "number", "nullable": True}, "long": {"type": "number", "nullable": True}},
    "required": ["service_request_id", "status"]}
_FILED = {"type": "object", "properties": {"service_request_id": _STRING, "service_notice": _STRING},
          "required": ["service_request_id"]}


def _operation(fmt: str, summary: str, ok: dict, *refusals: int, parameters=(), body=None) -> dict:
    operation = {"summary": summary, "parameters": list(parameters), "responses": _answers(ok, *refusals)}
    if body:
        operation["requestBody"] = {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": body}}}
    return operation


def _query(name: str, schema: dict = _STRING, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _path(name: str, schema: dict = _STRING) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def document(service_codes: list[str] | tuple[str, ...] = ()) -> dict:
    code = {"type": "string", **({"enum": list(service_codes)} if service_codes else {})}
    moment = {"type": "string", "format": "date-time"}
    filing = {"type": "object", "properties": {
        "api_key": _STRING, "service_code": code, "lat": {"type": "number"}, "long": {"type": "number"},
        "address_string": _STRING, "address_id": _STRING, "email": _STRING, "device_id": _STRING,
        "account_id": _STRING, "first_name": _STRING, "last_name": _STRING, "phone": _STRING,
        "description": _STRING, "media_url": _STRING,
        "attribute[urgent]": _STRING, "attribute[dispute_type]": _STRING},
        "required": ["api_key", "service_code"]}
    paths = {}
    for fmt in _FORMATS:
        paths[f"/open311/v2/discovery.{fmt}"] = {"get": _operation(fmt, "服务发现", {"type": "object"})}
        paths[f"/open311/v2/services.{fmt}"] = {"get": _operation(fmt, "服务(工单类别)列表",
                                                                  {"type": "array", "items": _SERVICE})}
        paths[f"/open311/v2/services/{{service_code}}.{fmt}"] = {"get": _operation(
            fmt, "类别的附加字段", {"type": "object"}, 404, parameters=[_path("service_code", code)])}
        paths[f"/open311/v2/requests.{fmt}"] = {
            "get": _operation(fmt, "公开的服务请求", {"type": "array", "items": _REQUEST}, 400, 403, parameters=[
                _query("service_request_id"), _query("service_code", code), _query("start_date", moment),
                _query("end_date", moment), _query("status", {"type": "string", "enum": ["open", "closed",
                                                                                        "open,closed"]}),
                _query("api_key")]),
            "post": _operation(fmt, "提交服务请求", {"type": "array", "items": _FILED}, 400, 403, 404, body=filing),
        }
        paths[f"/open311/v2/requests/{{service_request_id}}.{fmt}"] = {"get": _operation(
            fmt, "一条服务请求", {"type": "array", "items": _REQUEST}, 403, 404,
            parameters=[_path("service_request_id"), _query("api_key")])}
        paths[f"/open311/v2/tokens/{{token}}.{fmt}"] = {"get": _operation(
            fmt, "令牌对应的工单号", {"type": "array"}, 404, parameters=[_path("token")])}
    return {"openapi": "3.0.3", "info": {"title": "共治 gongzhi Open311 GeoReport v2", "version": "2"},
            "paths": paths}
