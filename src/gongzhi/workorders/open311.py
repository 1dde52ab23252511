"""Open311 GeoReport v2 (placeholder: being written)."""
from django.http import HttpResponse


def _todo(request, **kw):
    return HttpResponse(status=501)


discovery = services = service_definition = requests = request = token = _todo
