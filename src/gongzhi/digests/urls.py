from django.urls import path

from gongzhi.digests import views

app_name = "digests"
urlpatterns = [
    path("", views.preferences, name="prefs"),
    path("follow/<str:target>/<str:pk>/", views.follow, name="follow"),
    path("unfollow/<str:target>/<str:pk>/", views.unfollow, name="unfollow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("undo/<str:token>/", views.undo, name="undo"),
]
