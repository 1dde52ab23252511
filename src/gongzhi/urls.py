"""The site's URLs: every module's, as its manifest declares them, plus the JSON API and Django's admin."""
from django.contrib import admin
from django.urls import include, path

from gongzhi.api import api
from gongzhi.core import modules

handler404 = "gongzhi.core.views.not_found"  # Chinese, in the layout, with the code's reason

urlpatterns = [path(prefix, include(urlconf)) for m in modules.modules() for prefix, urlconf in m.urls]
urlpatterns += [
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]
