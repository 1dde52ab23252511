"""JSON API (django-ninja; OpenAPI document at /api/openapi.json, docs at /api/docs).
Session authentication; every endpoint reads through the caller's scope."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.module_loading import import_string
from ninja import NinjaAPI, Swagger
from ninja.security import django_auth

from gongzhi.core import modules
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.core.manifest import VIEW_API_DOCS
from gongzhi.core.permissions import ERR_NO_PERMISSION, requires

# The docs are for staff (any signed-in role but a resident): the schema and the page need
# VIEW_API_DOCS. Swagger UI is django-ninja's own copy, served from our static files ("ninja" in
# INSTALLED_APPS), so the page works offline and within the CSP (scripts from 'self' only);
# validatorUrl None keeps Swagger UI from fetching its badge from an outside validator.
api = NinjaAPI(title="共治 gongzhi API", version="1", urls_namespace="api", auth=django_auth,
               docs=Swagger(settings={"validatorUrl": None}), docs_decorator=requires(VIEW_API_DOCS))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or ERR_NO_PERMISSION}, status=403)


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
