from django.contrib.auth import views as auth_views
from django.urls import path

from gongzhi.accounts import views
from gongzhi.accounts.forms import LoginForm
from gongzhi.core.permissions import public

app_name = "accounts"
urlpatterns = [
    path("login/", public(auth_views.LoginView.as_view(template_name="accounts/login.html",
                                                       authentication_form=LoginForm,
                                                       redirect_authenticated_user=True)), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("", views.account_list, name="list"),
    path("new/", views.account_new, name="new"),
    path("<int:pk>/toggle/", views.account_toggle, name="toggle"),
    path("<int:pk>/unlock/", views.account_unlock, name="unlock"),
]
