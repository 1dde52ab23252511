from django.urls import path

from gongzhi.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.topic_list, name="topics"),
    path("new/", views.topic_new, name="new"),
    path("desk/", views.desk, name="desk"),
    path("rules/", views.rules, name="rules"),
    path("rules/<str:code>/", views.rules_edit, name="rules_edit"),
    path("from-visit/<int:visit_pk>/", views.from_visit, name="from_visit"),
    path("from-order/<int:order_pk>/", views.from_order, name="from_order"),
    path("board/", views.boards, name="boards"),
    path("board/<str:code>/", views.board, name="board"),
    path("<int:pk>/", views.topic_detail, name="topic"),
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
]
