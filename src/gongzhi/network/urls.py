from django.urls import path

from gongzhi.network import project_views, unit_views, views

app_name = "network"
urlpatterns = [
    path("", views.home, name="home"),
    path("orgs/new/", views.org_new, name="org_new"),
    path("orgs/<int:pk>/", views.org, name="org"),
    path("orgs/<int:pk>/profile/", views.org_profile, name="org_profile"),
    path("orgs/<int:pk>/members/", views.member_add, name="member_add"),
    path("orgs/<int:pk>/members/<int:member_pk>/leave/", views.member_leave, name="member_leave"),
    path("orgs/<int:pk>/filing/<str:step>/", views.filing, name="filing"),
    path("orgs/<int:pk>/incubation/<str:step>/", views.incubation, name="incubation"),
    path("orgs/<int:pk>/staff/", views.staff_bind, name="staff_bind"),
    path("orgs/<int:pk>/staff/<int:staff_pk>/end/", views.staff_end, name="staff_end"),
    path("needs/", project_views.needs, name="needs"),
    path("needs/from/<str:source>/<int:source_pk>/", project_views.need_from, name="need_from"),
    path("projects/", project_views.projects, name="projects"),
    path("projects/export.xlsx", project_views.projects_export, name="projects_export"),
    path("projects/new/", project_views.project_new, name="project_new"),
    path("projects/<int:pk>/", project_views.project, name="project"),
    path("projects/<int:pk>/state/<str:step>/", project_views.project_state, name="project_state"),
    path("projects/<int:pk>/beneficiaries/", project_views.beneficiaries, name="beneficiaries"),
    path("projects/<int:pk>/apply/", project_views.apply, name="apply"),
    path("projects/<int:pk>/contract/", project_views.contract, name="contract"),
    path("projects/<int:pk>/workers/", project_views.worker_add, name="worker_add"),
    path("projects/<int:pk>/sessions/new/", project_views.session_new, name="session_new"),
    path("projects/<int:pk>/evaluate/", project_views.evaluate, name="evaluate"),
    path("sessions/<int:pk>/", project_views.session, name="session"),
    path("sessions/<int:pk>/photos/<int:photo_pk>/", project_views.session_photo, name="session_photo"),
    path("units/", unit_views.units, name="units"),
    path("units/<int:pk>/", unit_views.unit, name="unit"),
    path("units/<int:pk>/commitments/", unit_views.commitment_add, name="commitment_add"),
    path("units/<int:pk>/commitments/<int:c_pk>/", unit_views.commitment_progress, name="commitment_progress"),
    path("units/<int:pk>/evaluate/", unit_views.unit_evaluate, name="unit_evaluate"),
    path("meetings/new/", unit_views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", unit_views.meeting, name="meeting"),
]
