from django.urls import path

from gongzhi.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("public/", views.public_home, name="public_home"),
    path("access-log/", views.access_log, name="access_log"),
]
