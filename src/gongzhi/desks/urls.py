from django.urls import path

from gongzhi.desks import views

app_name = "desks"
urlpatterns = [
    # public
    path("", views.stations, name="stations"),
    path("guide/<slug:code>/", views.guide, name="guide"),
    path("at/<str:code>/", views.station, name="station"),
    path("at/<str:code>/guides/", views.station_guides, name="station_guides"),
    # staff
    path("manage/", views.overview, name="overview"),
    path("manage/<str:code>/", views.manage, name="manage"),
    path("manage/<str:code>/hours/", views.hours, name="hours"),
    path("manage/<str:code>/windows/", views.windows, name="windows"),
    path("manage/<str:code>/rota/assign/", views.assign, name="assign"),
    path("manage/<str:code>/rota/fill/", views.fill, name="fill"),
    path("manage/<str:code>/rota/<int:pk>/remove/", views.unassign, name="unassign"),
    path("manage/<str:code>/rota/<int:pk>/swap/", views.swap, name="swap"),
]
