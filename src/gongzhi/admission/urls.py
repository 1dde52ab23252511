from django.urls import path

from gongzhi.admission import cert_views, views

app_name = "admission"
urlpatterns = [
    path("", views.home, name="home"),
    path("rules/", views.rules_choose, name="rules"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/void/", views.item_void, name="item_void"),
    path("public/", views.public_lists, name="public_lists"),
    path("public/<str:code>/", views.public_list, name="public_list"),
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/decide/", views.request_decide, name="request_decide"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("requests/<int:pk>/documents/<int:doc_pk>/", views.request_document, name="request_document"),
    path("categories/", views.categories, name="categories"),
    path("categories/<int:pk>/void/", views.basis_void, name="basis_void"),
    path("data/", views.data_requests, name="data_requests"),
    path("data/new/", views.data_new, name="data_new"),
    path("data/<int:pk>/", views.data_detail, name="data"),
    path("data/<int:pk>/answer/", views.data_answer, name="data_answer"),
    path("data/<int:pk>/void/", views.data_void, name="data_void"),
    path("certificates/", cert_views.certificate_list, name="certificates"),
    path("certificates/kinds/", cert_views.certificate_kinds, name="certificate_kinds"),
    path("certificates/kinds/<int:pk>/void/", cert_views.certificate_kind_void, name="certificate_kind_void"),
    path("certificates/<int:pk>/", cert_views.certificate_detail, name="certificate"),
    path("certificates/<int:pk>/certificate.pdf", cert_views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/void/", cert_views.certificate_void, name="certificate_void"),
    path("verify/", cert_views.verify, name="verify"),
]
