from django.urls import path

from gongzhi.standards import views

app_name = "standards"
urlpatterns = [
    path("packs/", views.pack_list, name="packs"),
    path("packs/<slug:pack_id>/", views.pack_detail, name="pack"),
]
