from django.urls import path

from gongzhi.workorders import export_views
from gongzhi.workorders import catalogue_views, desk_views, report_views, views, visit_views

app_name = "workorders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.order_new, name="new"),
    path("inbox/", views.inbox, name="inbox"),
    path("desk/", desk_views.my_desk, name="desk"),
    path("figures/", report_views.figures, name="figures"),
    path("visits/", visit_views.visits, name="visits"),
    path("export.xlsx", export_views.order_export, name="export"),
    path("visits/export.xlsx", export_views.visit_export, name="visits_export"),
    path("disputes/", report_views.dispute_report, name="disputes"),
    path("catalogue/", catalogue_views.catalogue, name="catalogue"),
    path("catalogue/new/", catalogue_views.category_edit, name="category_new"),
    path("catalogue/<slug:code>/", catalogue_views.category_edit, name="category_edit"),
    path("calendar/", catalogue_views.calendar, name="calendar"),
    path("public/map/", report_views.public_map, name="public_map"),
    path("public/open.geojson", report_views.public_geojson, name="public_geojson"),
    path("visits/<int:pk>/order/", visit_views.visit_to_order, name="visit_to_order"),
    path("inbox/read/", views.inbox_read_all, name="inbox_read"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.order_act, name="act"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/reveal/", views.reveal_phone, name="reveal"),
]
