from django.contrib.auth import views as auth_views
from django.urls import path

from gongzhi.accounts import security_views, views
from gongzhi.accounts.forms import LoginForm
from gongzhi.core.permissions import public

app_name = "accounts"
urlpatterns = [
    path("login/", public(auth_views.LoginView.as_view(template_name="accounts/login.html",
                                                       authentication_form=LoginForm,
                                                       redirect_authenticated_user=True)), name="login"),
    path("logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    # the signed-in user's own sign-in security (accounts.middleware sends them here when a step is due)
    path("login/code/", security_views.otp_verify, name="otp"),
    path("password/", security_views.password_change, name="password_change"),
    path("two-factor/", security_views.two_factor_page, name="two_factor"),
    path("two-factor/setup/", security_views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", security_views.recovery_codes, name="recovery_codes"),
    path("two-factor/disable/", security_views.two_factor_disable, name="two_factor_disable"),
    path("", views.account_list, name="list"),
    path("new/", views.account_new, name="new"),
    path("<int:pk>/toggle/", views.account_toggle, name="toggle"),
    path("<int:pk>/unlock/", views.account_unlock, name="unlock"),
    path("<int:pk>/password/", views.account_reset_password, name="reset_password"),
    path("<int:pk>/two-factor/reset/", views.account_reset_two_factor, name="reset_two_factor"),
]
