from django.urls import path

from gongzhi.care import views

app_name = "care"
urlpatterns = [
    path("", views.groups, name="groups"),
    path("overview/", views.overview, name="overview"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/review/", views.review, name="review"),
    path("people/<int:pk>/absences/", views.absence_new, name="absence_new"),
    path("people/<int:pk>/disability/", views.disability, name="disability"),
    path("absences/<int:pk>/return/", views.absence_return, name="absence_return"),
]
urlpatterns += [
    path("visits/", views.visit_due, name="due"),
    path("visits/week/", views.visit_week, name="week"),
    path("visits/<int:pk>/new/", views.visit_new, name="visit_new"),
]
from gongzhi.care import order_views  # noqa: E402

urlpatterns += [
    path("people/<int:pk>/assess/", order_views.assess, name="assess"),
    path("assessments/<int:pk>/", order_views.assessment, name="assessment"),
    path("people/<int:pk>/orders/", order_views.orders_for, name="orders_for"),
    path("people/<int:pk>/plan/", order_views.plan, name="plan"),
    path("people/<int:pk>/orders/new/", order_views.order_new, name="order_new"),
    path("orders/<int:pk>/<str:step>/", order_views.order_step, name="order_step"),
    path("statements/", order_views.statements, name="statements"),
    path("statements/<int:pk>/", order_views.statement, name="statement"),
    path("station/", order_views.station_orders, name="orders"),
    path("station/<int:pk>/<str:step>/", order_views.station_step, name="station_step"),
    path("my/", order_views.my, name="my"),
    path("my/order/", order_views.my_order, name="my_order"),
    path("my/<int:pk>/<str:step>/", order_views.my_step, name="my_step"),
]
from gongzhi.care import station_views  # noqa: E402

urlpatterns += [
    path("stations/", station_views.station_list, name="stations"),
    path("stations/map/", station_views.station_map, name="station_map"),
    path("stations/map.json", station_views.station_map_data, name="station_map_data"),
    path("hardships/", station_views.hardship_list, name="hardships"),
    path("hardships/<int:pk>/", station_views.hardship_detail, name="hardship"),
    path("hardships/<int:pk>/route/", station_views.hardship_route, name="hardship_route"),
    path("hardships/<int:pk>/decide/", station_views.hardship_decide, name="hardship_decide"),
    path("people/<int:pk>/hardship/", station_views.hardship_new, name="hardship_new"),
]
from gongzhi.care import pairing_views  # noqa: E402

urlpatterns += [
    path("paired/", pairing_views.paired, name="paired"),
    path("paired/<int:pk>/visit/", pairing_views.paired_visit, name="paired_visit"),
    path("pairings/", pairing_views.pairing_list, name="pairings"),
    path("pairings/<int:pk>/end/", pairing_views.pairing_end, name="pairing_end"),
    path("people/<int:pk>/pairings/", pairing_views.pairing_new, name="pairing_new"),
]
from gongzhi.care import family_join_views, family_views  # noqa: E402

urlpatterns += [
    path("family/", family_views.family_home, name="family"),
    path("family/order/", family_views.family_order, name="family_order"),
    path("family/join/", family_join_views.join, name="family_join"),
    path("family/join/code/", family_join_views.join_code, name="family_join_code"),
    path("family/join/account/", family_join_views.join_account, name="family_join_account"),
    path("family/<int:pk>/<str:step>/", family_views.family_step, name="family_step"),
    path("people/<int:pk>/family/", family_views.family_link_new, name="family_link_new"),
    path("family-links/<int:pk>/end/", family_views.family_link_end, name="family_link_end"),
]
from gongzhi.care import disabled_views  # noqa: E402

urlpatterns += [
    path("disabled/", disabled_views.disabled_home, name="disabled"),
    path("people/<int:pk>/enrol/", disabled_views.enrol, name="enrol"),
    path("enrolments/<int:pk>/end/", disabled_views.enrolment_end, name="enrolment_end"),
    path("people/<int:pk>/job-help/", disabled_views.job_help_new, name="job_help_new"),
    path("job-help/<int:pk>/outcome/", disabled_views.job_help_outcome, name="job_help_outcome"),
    path("home/", disabled_views.home_staff, name="home_staff"),
    path("home/<int:pk>/attend/", disabled_views.home_attend, name="home_attend"),
]
from gongzhi.care import home_views  # noqa: E402

urlpatterns += [
    path("disabled/homes/", home_views.home_list, name="homes"),
    path("disabled/homes/new/", home_views.home_new, name="home_new"),
    path("disabled/homes/<int:pk>/", home_views.home_detail, name="home"),
    path("disabled/homes/<int:pk>/edit/", home_views.home_edit, name="home_edit"),
    path("disabled/homes/<int:pk>/close/", home_views.home_close, name="home_close"),
    path("disabled/homes/<int:pk>/job-help/", home_views.home_job_help, name="home_job_help"),
]
from gongzhi.care import staff_views  # noqa: E402

urlpatterns += [
    path("stations/<int:pk>/", staff_views.station_detail, name="station"),
    path("stations/<int:pk>/staff/", staff_views.station_staff_bind, name="station_staff_bind"),
    path("station-staff/<int:pk>/end/", staff_views.station_staff_end, name="station_staff_end"),
    path("disabled/homes/<int:pk>/staff/", staff_views.home_staff_bind, name="home_staff_bind"),
    path("disabled/home-staff/<int:pk>/end/", staff_views.home_staff_end, name="home_staff_end"),
]
