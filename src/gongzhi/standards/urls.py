from django.urls import path

from gongzhi.standards import assess_views, views

app_name = "standards"
urlpatterns = [
    path("packs/", views.pack_list, name="packs"),
    path("packs/<slug:pack_id>/", views.pack_detail, name="pack"),
    path("assessments/", assess_views.run_list, name="runs"),
    path("assessments/<int:run_id>/", assess_views.run_detail, name="run"),
    path("assessments/<int:run_id>/matrix/", assess_views.matrix, name="matrix"),
    path("assessments/<int:run_id>/communities/<str:code>/", assess_views.scorecard, name="scorecard"),
]
