from django.urls import path

from gongzhi.volunteers import views

app_name = "volunteers"
urlpatterns = [
    # residents
    path("mine/", views.mine, name="mine"),
    path("mine/enrol/", views.enrol, name="enrol"),
    path("mine/activities/<int:pk>/", views.open_activity, name="open_activity"),
    path("mine/activities/<int:pk>/signup/", views.signup, name="signup"),
    path("mine/certificates/new/", views.my_certificate_new, name="my_certificate_new"),
    path("mine/certificates/<int:pk>/certificate.pdf", views.my_certificate_pdf, name="my_certificate_pdf"),
    path("mine/offers/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("scan/<str:token>/", views.scan, name="scan"),
    path("verify/", views.verify, name="verify"),
    # staff
    path("", views.activities, name="activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity, name="activity"),
    path("activities/<int:pk>/checkin/", views.checkin, name="checkin"),
    path("activities/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("roster/", views.roster, name="roster"),
    path("roster/register/", views.register, name="register"),
    path("roster/teams/new/", views.team_new, name="team_new"),
    path("volunteers/<int:pk>/", views.volunteer, name="volunteer"),
    path("volunteers/<int:pk>/certificate/", views.volunteer_certificate, name="volunteer_certificate"),
    path("certificates/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("volunteers/<int:pk>/evaluate/", views.volunteer_evaluate, name="volunteer_evaluate"),
    path("volunteers/<int:pk>/commend/", views.volunteer_commend, name="volunteer_commend"),
    path("trainings/", views.trainings, name="trainings"),
    path("trainings/new/", views.training_new, name="training_new"),
    path("trainings/<int:pk>/", views.training, name="training"),
    path("trainings/<int:pk>/attend/", views.training_attend, name="training_attend"),
    path("honours/", views.honours, name="honours"),
    path("report/", views.report, name="report"),
    path("bank/", views.bank, name="bank"),
    path("bank/offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
]
