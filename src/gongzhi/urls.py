from django.contrib import admin
from django.urls import include, path

from gongzhi.api import api

urlpatterns = [
    path("", include("gongzhi.core.urls")),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("places/", include("gongzhi.places.urls")),
    path("people/", include("gongzhi.people.urls")),
    path("orders/", include("gongzhi.workorders.urls")),
    path("open311/v2/", include("gongzhi.workorders.open311_urls")),
    path("ledgers/", include("gongzhi.ledgers.urls")),
    path("standards/", include("gongzhi.standards.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]
