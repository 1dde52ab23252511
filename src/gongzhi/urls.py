from django.contrib import admin
from django.urls import include, path

from gongzhi.api import api

urlpatterns = [
    path("", include("gongzhi.core.urls")),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("places/", include("gongzhi.places.urls")),
    path("people/", include("gongzhi.people.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]
