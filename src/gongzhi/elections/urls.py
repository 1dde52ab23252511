from django.urls import path

from gongzhi.elections import views

app_name = "elections"
urlpatterns = [
    path("", views.election_list, name="list"),
    path("coverage.xlsx", views.coverage_xlsx, name="coverage_xlsx"),
    path("plan/", views.election_plan, name="plan"),
    path("tallies/", views.tallies, name="tallies"),
    path("tallies.xlsx", views.tallies_template, name="tallies_xlsx"),
    path("tallies/count/", views.tallies_count, name="tallies_count"),
    path("probation/", views.probations, name="probations"),
    path("pdf/<int:pk>/", views.pdf_job, name="pdf_job"),
    path("pdf/<int:pk>/download/", views.pdf_download, name="pdf_download"),
    path("probation/<int:pk>/", views.probation_decide, name="probation_decide"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/roll/", views.mine_roll, name="mine_roll"),
    path("<int:pk>/", views.election_detail, name="detail"),
    path("<int:pk>/roll/", views.roll, name="roll"),
    path("<int:pk>/roll.pdf", views.roll_pdf, name="roll_pdf"),
    path("<int:pk>/candidates.pdf", views.candidates_pdf, name="candidates_pdf"),
    path("<int:pk>/result.pdf", views.result_pdf, name="result_pdf"),
    path("<int:pk>/act/<str:action>/", views.election_act, name="act"),
]
