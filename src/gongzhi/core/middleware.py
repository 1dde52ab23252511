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
