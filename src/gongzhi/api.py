"""JSON API (django-ninja; OpenAPI document at /api/openapi.json, docs at /api/docs).
Session authentication; every endpoint reads through the caller's scope."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.module_loading import import_string
from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError
from ninja.security import django_auth

from gongzhi.core import modules
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.manifest import VIEW_API_DOCS
from gongzhi.core.permissions import ERR_NO_PERMISSION, requires

# The docs are for staff (any signed-in role but a resident): the schema and the page need
# VIEW_API_DOCS. Swagger UI is django-ninja's own copy, served from our static files ("ninja" in
# INSTALLED_APPS), so the page works offline and within the CSP (scripts from 'self' only);
# validatorUrl None keeps Swagger UI from fetching its badge from an outside validator.
_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
# What every operation may answer besides its success, so clients (and the fuzz test,
# tests/test_fuzz_api.py) find each status in the document.
ERROR_RESPONSES = {
    "400": ("请求体不是合法的 JSON", _DETAIL),
    "401": ("未登录", _DETAIL),
    "403": ("无权访问", _DETAIL),
    "404": ("未找到或无权访问", _DETAIL),
    "409": ("已被他人修改(version 不符)", _DETAIL),
    "422": ("参数不合规", {"type": "object", "properties": {"detail": {}}, "required": ["detail"]}),
}


class GongzhiApi(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for path in schema["paths"].values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status, (description, body) in ERROR_RESPONSES.items():
                    if status in ("400", "409") and "requestBody" not in operation:
                        continue  # only writes carry a body and a version
                    responses.setdefault(status, {"description": description,
                                                  "content": {"application/json": {"schema": body}}})
        return schema


api = GongzhiApi(title="共治 gongzhi API", version="1", urls_namespace="api", auth=django_auth,
               docs=Swagger(settings={"validatorUrl": None}), docs_decorator=requires(VIEW_API_DOCS))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or ERR_NO_PERMISSION}, status=403)


# django-ninja's own refusals, in Chinese
HTTP_ERROR_MESSAGES = {"Cannot parse request body": "请求体不是合法的 JSON", "Unauthorized": "未登录或登录已过期"}


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return api.create_response(request, {"detail": HTTP_ERROR_MESSAGES.get(str(exc), str(exc))},
                               status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到或无权访问"}, status=404)


@api.exception_handler(ConflictError)
def _conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(RuleError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=422)


# every module's routers, as its manifest declares them
for _module in modules.modules():
    for _prefix, _router in _module.api_routers:
        api.add_router(_prefix, import_string(_router))
