from django.urls import path

from gongzhi.estates import firm_views as fv
from gongzhi.estates import views
from gongzhi.estates import work_views as wv

app_name = "estates"
urlpatterns = [
    path("", views.estate_list, name="list"),
    path("<int:pk>/", views.estate_detail, name="estate"),
    path("<int:pk>/mode/", views.profile_edit, name="profile_edit"),
    path("<int:pk>/contracts/new/", views.contract_new, name="contract_new"),
    path("contracts/<int:pk>/end/", views.contract_end, name="contract_end"),
    path("<int:pk>/committee/new/", wv.committee_new, name="committee_new"),
    path("<int:pk>/meetings/new/", wv.meeting_new, name="meeting_new"),
    path("<int:pk>/evaluations/open/", wv.evaluation_open, name="evaluation_open"),
    path("firms/", views.firm_list, name="firms"),
    path("firms/new/", views.firm_new, name="firm_new"),
    path("firms/<int:pk>/", views.firm_detail, name="firm"),
    path("firms/<int:pk>/managers/", views.manager_add, name="manager_add"),
    path("firms/<int:pk>/staff/", fv.firm_staff_bind, name="firm_staff_bind"),
    path("firm-staff/<int:pk>/end/", fv.firm_staff_end, name="firm_staff_end"),
    path("mine/", fv.firm_home, name="firm_home"),
    path("mine/blacklist/<int:pk>/appeal/", fv.firm_appeal, name="firm_appeal"),
    path("committees/<int:pk>/", wv.committee_detail, name="committee"),
    path("committees/<int:pk>/members/", wv.committee_member, name="committee_member"),
    path("committees/<int:pk>/file/", wv.committee_file, name="committee_file"),
    path("meetings/", wv.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", wv.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/record/", wv.meeting_record, name="meeting_record"),
    path("issues/<int:pk>/follow/", wv.issue_follow, name="issue_follow"),
    path("evaluations/<int:pk>/", wv.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/paper/", wv.evaluation_paper, name="evaluation_paper"),
    path("rate/", wv.rate, name="rate"),
    path("credit/", wv.credit_page, name="credit"),
    path("credit/compute/", wv.credit_compute, name="credit_compute"),
    path("blacklist/", wv.blacklist, name="blacklist"),
    path("blacklist/new/", wv.blacklist_new, name="blacklist_new"),
    path("blacklist/<int:pk>/appeal/", wv.blacklist_appeal, name="blacklist_appeal"),
    path("blacklist/<int:pk>/decide/", wv.blacklist_decide, name="blacklist_decide"),
    path("public/blacklist/", wv.public_blacklist, name="public_blacklist"),
]
