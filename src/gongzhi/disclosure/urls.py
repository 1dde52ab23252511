from django.urls import path

from gongzhi.disclosure import views

app_name = "disclosure"
urlpatterns = [
    path("", views.item_list, name="items"),
    path("new/", views.item_new, name="new"),
    path("freshness/", views.freshness_table, name="freshness"),
    path("mine/", views.my_board, name="mine"),
    path("board/", views.boards, name="boards"),
    path("board/<str:code>/", views.board, name="board"),
    path("board/<str:code>/poster.pdf", views.poster, name="poster"),
    path("board/<str:code>/files/<int:pk>/", views.public_file, name="public_file"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/file/", views.item_file, name="file"),
]
