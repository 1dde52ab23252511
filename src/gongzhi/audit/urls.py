from django.urls import path

from gongzhi.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.events, name="events"),
    path("alerts/<int:pk>/handled/", views.alert_handled, name="alert_handled"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:pk>/unlock/", views.account_unlock, name="account_unlock"),
    path("accounts/<int:pk>/toggle/", views.account_toggle, name="account_toggle"),
]
