from django.urls import path

from gongzhi.governance import mailbox_views as mb
from gongzhi.governance import meeting_views as mv
from gongzhi.governance import overview, views

app_name = "governance"
urlpatterns = [
    path("", views.topic_list, name="topics"),
    path("new/", views.topic_new, name="new"),
    path("desk/", views.desk, name="desk"),
    path("rules/", views.rules, name="rules"),
    path("rules/<str:code>/", views.rules_edit, name="rules_edit"),
    path("from-visit/<int:visit_pk>/", views.from_visit, name="from_visit"),
    path("from-order/<int:order_pk>/", views.from_order, name="from_order"),
    path("overview/", overview.overview, name="overview"),
    path("board/", views.boards, name="boards"),
    path("board/<str:code>/", views.board, name="board"),
    path("sessions/", mv.session_list, name="sessions"),
    path("sessions/new/", mv.session_new, name="session_new"),
    path("sessions/<int:pk>/", mv.session_detail, name="session"),
    path("sessions/<int:pk>/comment/", mv.session_comment, name="session_comment"),
    path("sessions/<int:pk>/record/", mv.session_record, name="session_record"),
    path("sessions/<int:pk>/answer/", mv.session_answer, name="session_answer"),
    path("sessions/<int:pk>/cancel/", mv.session_cancel, name="session_cancel"),
    path("meetings/", mv.meeting_list, name="meetings"),
    path("meetings/new/", mv.meeting_new, name="meeting_new"),
    path("meetings/annual/", mv.annual, name="annual"),
    path("meetings/<int:pk>/", mv.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/vote/", mv.meeting_vote, name="meeting_vote"),
    path("meetings/<int:pk>/paper/", mv.meeting_paper, name="meeting_paper"),
    path("meetings/<int:pk>/close/", mv.meeting_close, name="meeting_close"),
    path("meetings/<int:pk>/cancel/", mv.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/roll/", mv.meeting_roll, name="meeting_roll"),
    path("mine/", mv.mine, name="mine"),
    path("posts/", mv.posts, name="posts"),
    path("posts/add/", mv.post_add, name="post_add"),
    path("posts/<int:pk>/end/", mv.post_end, name="post_end"),
    path("posts/groups/add/", mv.group_add, name="group_add"),
    path("mailbox/", mb.letter_list, name="mailbox"),
    path("mailbox/mine/", mb.mine, name="mailbox_mine"),
    path("mailbox/<int:pk>/", mb.letter_detail, name="letter"),
    path("mailbox/<int:pk>/answer/", mb.letter_answer, name="letter_answer"),
    path("<int:pk>/", views.topic_detail, name="topic"),
    path("<int:pk>/support/", views.support, name="support"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
]
