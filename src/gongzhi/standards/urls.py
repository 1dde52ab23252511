from django.urls import path

from gongzhi.standards import assess_views, case_views, survey_export, survey_views, views, worker_views

app_name = "standards"
urlpatterns = [
    path("packs/", views.pack_list, name="packs"),
    path("packs/<slug:pack_id>/", views.pack_detail, name="pack"),
    path("assessments/", assess_views.run_list, name="runs"),
    path("assessments/<int:run_id>/", assess_views.run_detail, name="run"),
    path("assessments/<int:run_id>/pack/", assess_views.run_pack, name="run_pack"),
    path("assessments/<int:run_id>/matrix/", assess_views.matrix, name="matrix"),
    path("assessments/<int:run_id>/publish/", assess_views.publish, name="publish"),
    path("public/", assess_views.public_list, name="public"),
    path("public/<int:run_id>/", assess_views.public_run, name="public_run"),
    path("assessments/<int:run_id>/communities/<str:code>/", assess_views.scorecard, name="scorecard"),
    path("funding/", assess_views.funding_table, name="funding"),
    path("targets/", assess_views.targets, name="targets"),
    path("cases/", case_views.call_list, name="case_calls"),
    path("cases/<int:call_id>/", case_views.call_detail, name="case_call"),
    path("cases/<int:call_id>/book.pdf", case_views.call_book, name="case_book"),
    path("cases/book/<int:pk>/", case_views.book_job, name="case_book_job"),
    path("cases/book/<int:pk>/download/", case_views.book_download, name="case_book_download"),
    path("cases/<int:call_id>/close/", case_views.call_close, name="case_close"),
    path("cases/<int:call_id>/<int:case_id>/", case_views.case_detail, name="case"),
    path("cases/<int:call_id>/<int:case_id>/<str:state>/", case_views.case_move, name="case_move"),
    path("cases/<int:call_id>/<int:case_id>/files/<int:file_id>/", case_views.case_file, name="case_file"),
    path("surveys/", survey_views.survey_list, name="surveys"),
    path("surveys/mine/", survey_views.my_surveys, name="my_surveys"),
    path("surveys/<int:survey_id>/", survey_views.survey_detail, name="survey"),
    path("surveys/<int:survey_id>/results.xlsx", survey_export.survey_export, name="survey_xlsx"),
    path("surveys/<int:survey_id>/<str:state>/", survey_views.survey_state, name="survey_state"),
    path("workers/", worker_views.worker_list, name="workers"),
    path("workers/mine/", worker_views.my_reviews, name="my_reviews"),
    path("workers/export.xlsx", worker_views.worker_export, name="workers_xlsx"),
    path("workers/<int:user_id>/<str:code>/", worker_views.worker_review, name="worker_review"),
]
