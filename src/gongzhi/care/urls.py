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
