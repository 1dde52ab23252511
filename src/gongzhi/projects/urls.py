from django.urls import path

from gongzhi.projects import export_views, views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", export_views.project_export, name="export"),
    path("new/", views.project_new, name="new"),
    path("review/", views.review, name="review"),
    path("supervisors/", views.supervisors, name="supervisors"),
    path("supervisors/<str:code>/new/", views.supervisor_add, name="supervisor_add"),
    path("supervisors/<str:code>/<int:member_pk>/end/", views.supervisor_end, name="supervisor_end"),
    path("public/", views.public_index, name="public_index"),
    path("public/<str:code>/", views.public_page, name="public"),
    path("<int:pk>/", views.project_detail, name="project"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/milestones/new/", views.milestone_new, name="milestone_new"),
    path("<int:pk>/milestones/<int:milestone_pk>/progress/", views.milestone_progress, name="milestone_progress"),
    path("<int:pk>/milestones/<int:milestone_pk>/sign-off/", views.sign_off, name="sign_off"),
    path("<int:pk>/milestones/<int:milestone_pk>/object/", views.object_, name="object"),
    path("<int:pk>/objections/<int:objection_pk>/answer/", views.objection_answer, name="objection_answer"),
    path("<int:pk>/costs/new/", views.cost_new, name="cost_new"),
    path("<int:pk>/links/", views.link, name="link"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/stop/", views.stop, name="stop"),
    path("<int:pk>/publish/", views.publish, name="publish"),
]
