"""What a signed-in user must do before anything else (MLPS 2.0 level 3):

1. give the code of their authenticator (or a recovery code) when they have one (`accounts:otp`);
2. choose their own password when an administrator set it or it has expired (`accounts:password_change`);
3. set up an authenticator when their posts require one and they have none (`accounts:two_factor_setup`).

Until then every other page, API call and HTMX fragment is refused (pages redirect to the step, the JSON
API answers 403, HTMX is told to go to the step); only the step's own pages, logout and static files
answer. Installed after the auth, django-otp and scope middleware (it reads `request.user.is_verified`
and the posts the scope loads).

Once every step is done the session remembers it (from sign-in on, when none was due: `checked_at_sign_in`),
so a normal request costs no query here. A session
whose authenticator has gone (an administrator reset it: a lost phone) ends; a password set by an
administrator changes the hash, which ends the user's sessions too (Django's session auth hash).
"""
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from gongzhi.accounts import passwords, two_factor

CHECKED = "gongzhi_signin_checked"

STEP_OTP = "accounts:otp"
STEP_PASSWORD = "accounts:password_change"
STEP_SETUP = "accounts:two_factor_setup"
# The pages each step may use besides its own.
STEP_PAGES = {STEP_OTP: (STEP_OTP,), STEP_PASSWORD: (STEP_PASSWORD,),
              STEP_SETUP: (STEP_SETUP, "accounts:recovery_codes")}
ALWAYS = ("accounts:logout",)

MESSAGES = {
    STEP_OTP: "请先完成两步验证:输入身份验证器上的验证码。",
    STEP_PASSWORD: "请先修改密码。",
    STEP_SETUP: "您的账号须启用两步验证:请先设置身份验证器。",
}


def pending_step(request) -> str | None:
    """The first step the signed-in user still has to take, or None."""
    user = request.user
    verified = user.is_verified()
    if not verified and two_factor.has_device(user):
        return STEP_OTP
    if user.must_change_password or passwords.password_expired(user):
        return STEP_PASSWORD
    if not verified and two_factor.required_for(user, request.scope.all_assignments):
        return STEP_SETUP
    return None


def checked_at_sign_in(sender, request, user, **kwargs):
    """At sign-in, a user with no step due at all (no authenticator, none required, no password change)
    is marked checked at once, so their first page costs no query here either."""
    session = getattr(request, "session", None)
    if session is None or user is None:
        return
    if two_factor.has_device(user) or user.must_change_password or passwords.password_expired(user):
        return
    if two_factor.mode() != two_factor.OFF and \
            two_factor.required_for(user, list(user.assignments.filter(active=True))):
        return
    session[CHECKED] = user.pk


class SignInSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._outside(request):
            return self.get_response(request)
        session = request.session
        if session.get(two_factor.SESSION_DEVICE) and not user.is_verified():
            # the authenticator that verified this session is gone (an administrator reset it): sign in again
            logout(request)
            return redirect(settings.LOGIN_URL)
        if session.get(CHECKED) == user.pk:
            return self.get_response(request)
        step = pending_step(request)
        if step is None:
            session[CHECKED] = user.pk
            return self.get_response(request)
        session.pop(CHECKED, None)
        allowed = {reverse(name) for name in STEP_PAGES[step] + ALWAYS}
        if request.path in allowed:
            return self.get_response(request)
        return refuse(request, step)

    @staticmethod
    def _outside(request) -> bool:
        return any(request.path.startswith("/" + p.lstrip("/")) for p in (settings.STATIC_URL, settings.MEDIA_URL)
                   if p and p != "/")


def refuse(request, step: str):
    url = reverse(step)
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse({"detail": MESSAGES[step]}, status=403)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    if request.method == "GET" and request.path != "/":
        url += "?" + urlencode({"next": request.get_full_path()})
    return redirect(url)


def next_url(request, default: str = "/") -> str:
    """Where to go once a step is done: the page first asked for, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return default
