from django.urls import path

from gongzhi.cadres import views

app_name = "cadres"
urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/void/", views.round_void, name="round_void"),
    path("rounds/<int:pk>/results.xlsx", views.round_xlsx, name="round_xlsx"),
    path("cadres/<int:pk>/", views.cadre, name="cadre"),
    path("cadres/<int:pk>/link/", views.cadre_link, name="cadre_link"),
    path("checks/", views.checks, name="checks"),
    path("checks.xlsx", views.checks_xlsx, name="checks_xlsx"),
    path("checks/new/", views.check_new, name="check_new"),
    path("checks/plan/", views.checks_plan, name="checks_plan"),
    path("checks/<int:pk>/", views.check_detail, name="check"),
    path("checks/<int:pk>/record/", views.check_record, name="check_record"),
    path("checks/<int:pk>/follow-up/", views.check_follow_up, name="check_follow_up"),
    path("checks/<int:pk>/void/", views.check_void, name="check_void"),
    path("pledges/", views.pledges, name="pledges"),
    path("pledges/new/", views.pledge_new, name="pledge_new"),
    path("pledges/<int:pk>/", views.pledge_follow_up, name="pledge"),
    path("pledges/<int:pk>/void/", views.pledge_void, name="pledge_void"),
    path("activists/", views.activists, name="activists"),
    path("activists/new/", views.activist_new, name="activist_new"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.rate, name="rate"),
]
