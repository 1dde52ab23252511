"""Open311 GeoReport v2 at /open311/v2/ (views in open311.py). A doubled slash
(`v2//services.json`, from clients that join the discovery URL with "/") is accepted;
written `(?:/)?` rather than `/?` so that Django's urls.W002 check stays quiet. Codes and ids
take any characters up to the format, so that an unknown one is refused in Open311's own
error format (404), not with the site's HTML page."""
from django.urls import re_path

from gongzhi.workorders import open311

app_name = "open311"

_FMT = r"\.(?P<fmt>json|xml)"
urlpatterns = [
    re_path(rf"^(?:/)?discovery{_FMT}$", open311.discovery, name="discovery"),
    re_path(rf"^(?:/)?services{_FMT}$", open311.services, name="services"),
    re_path(rf"^(?:/)?services/(?P<code>[^/]+?){_FMT}$", open311.service_definition, name="service_definition"),
    re_path(rf"^(?:/)?requests{_FMT}$", open311.requests, name="requests"),
    re_path(rf"^(?:/)?requests/(?P<request_id>[^/]+?){_FMT}$", open311.request, name="request"),
    re_path(rf"^(?:/)?tokens/(?P<token>[^/]+?){_FMT}$", open311.token, name="token"),
]

