from django.urls import path

from gongzhi.core import health, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("public/", views.public_home, name="public_home"),
    path("access-log/", views.access_log, name="access_log"),
    # operations (docs/operations.md): liveness, readiness, Prometheus metrics
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
]
