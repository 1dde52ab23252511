from django.urls import path

from gongzhi.standards import assess_views, survey_views, views

app_name = "standards"
urlpatterns = [
    path("packs/", views.pack_list, name="packs"),
    path("packs/<slug:pack_id>/", views.pack_detail, name="pack"),
    path("assessments/", assess_views.run_list, name="runs"),
    path("assessments/<int:run_id>/", assess_views.run_detail, name="run"),
    path("assessments/<int:run_id>/matrix/", assess_views.matrix, name="matrix"),
    path("assessments/<int:run_id>/communities/<str:code>/", assess_views.scorecard, name="scorecard"),
    path("funding/", assess_views.funding_table, name="funding"),
    path("targets/", assess_views.targets, name="targets"),
    path("surveys/", survey_views.survey_list, name="surveys"),
    path("surveys/mine/", survey_views.my_surveys, name="my_surveys"),
    path("surveys/<int:survey_id>/", survey_views.survey_detail, name="survey"),
    path("surveys/<int:survey_id>/<str:state>/", survey_views.survey_state, name="survey_state"),
]
