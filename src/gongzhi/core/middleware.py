from django.utils.functional import SimpleLazyObject

from gongzhi.core.scope import Scope


class ScopeMiddleware:
    """Attach the caller's data scope to every request (lazily)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: Scope.for_user(request.user))
        return self.get_response(request)
