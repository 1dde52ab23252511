import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject

from gongzhi.core.scope import Scope


class ScopeMiddleware:
    """Attach the caller's data scope to every request (lazily)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: Scope.for_user(request.user))
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """A session ends SESSION_MAX_SECONDS after sign-in however active it has been, and as soon as
    the user's posts change (a role given, moved or taken away): MLPS level 3. Password changes
    end sessions already (Django's session auth hash)."""

    KEY = "gongzhi_signed_in_at"
    POSTS = "gongzhi_posts"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.setdefault(self.KEY, int(time.time()))
            posts = _posts_stamp(request.scope.all_assignments)  # the scope loads them for the page anyway
            if time.time() - started > settings.SESSION_MAX_SECONDS or \
                    request.session.setdefault(self.POSTS, posts) != posts:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


def _posts_stamp(assignments) -> str:
    """The user's active posts, as a short text that changes when any of them does."""
    return ";".join(sorted(f"{a.role}@{a.place_id}:{a.department}" for a in assignments))


class NoStoreMiddleware:
    """Pages and API answers for a signed-in user hold personal data: no browser or proxy keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response


ERR_NUL = "网址参数「{name}」含有空字符(NUL),无法处理。请从页面上的链接或表单重新进入。"


class RefuseNulMiddleware:
    """A NUL byte in a page's query string (name or value) or path is refused (400) before any
    view sees it: no legitimate link holds one, and PostgreSQL cannot take it in a query (a
    server error). Forms refuse it and the other control characters field by field, with their
    own message (core/validators.py); the machine APIs (CSRF-exempt views: the JSON API, Open311)
    refuse them in their own formats."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "csrf_exempt", False):
            return None
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                from django.template.response import TemplateResponse
                shown = name.replace("\x00", "") or "?"
                return TemplateResponse(request, "400.html", {"reason": ERR_NUL.format(name=shown[:40])},
                                        status=400)
        for key, value in view_kwargs.items():
            if isinstance(value, str) and "\x00" in value:
                from django.template.response import TemplateResponse
                return TemplateResponse(request, "400.html", {"reason": ERR_NUL.format(name=key)}, status=400)
        return None
