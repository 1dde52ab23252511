from django.urls import path

from gongzhi.ledgers import export_views, views

app_name = "ledgers"
# The generic pages serve every registered kind; the named worker and volunteer URLs are
# those kinds' own addresses (their kind's edit_url / leave_url), kept as they always were.
urlpatterns = [
    path("<str:code>/", views.ledger, name="ledger"),
    path("<str:code>/export.xlsx", export_views.ledger_export, name="export"),
    path("<str:code>/workers/new/", views.record_new, {"kind": "workers"}, name="worker_new"),
    path("<str:code>/workers/<int:row_id>/", views.record_edit, {"kind": "workers"}, name="worker_edit"),
    path("<str:code>/volunteers/new/", views.record_new, {"kind": "volunteers"}, name="volunteer_new"),
    path("<str:code>/volunteers/<int:row_id>/leave/", views.record_leave, {"kind": "volunteers"},
         name="volunteer_leave"),
    path("<str:code>/<str:kind>/new/", views.record_new, name="record_new"),
    path("<str:code>/<str:kind>/<int:row_id>/void/", views.record_void, name="record_void"),
]
