from django.urls import path

from gongzhi.ledgers import views

app_name = "ledgers"
urlpatterns = [
    path("<str:code>/", views.ledger, name="ledger"),
    path("<str:code>/workers/new/", views.worker_edit, name="worker_new"),
    path("<str:code>/workers/<int:worker_id>/", views.worker_edit, name="worker_edit"),
    path("<str:code>/volunteers/new/", views.volunteer_new, name="volunteer_new"),
    path("<str:code>/volunteers/<int:volunteer_id>/leave/", views.volunteer_leave, name="volunteer_leave"),
    path("<str:code>/<str:kind>/new/", views.record_new, name="record_new"),
    path("<str:code>/<str:kind>/<int:row_id>/void/", views.record_void, name="record_void"),
]
