from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

ERR_NO_PERMISSION = "您的角色无权进行此操作"


def require_capability(capability: str):
    """Login required, and the caller's role must carry `capability` somewhere."""
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.scope.can(capability):
                raise PermissionDenied(ERR_NO_PERMISSION)
            return view(request, *args, **kwargs)
        return wrapped
    return decorator


def require_staff(view):
    """Any staff role (not a resident-only account)."""
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.scope.staff_places:
            raise PermissionDenied(ERR_NO_PERMISSION)
        return view(request, *args, **kwargs)
    return wrapped
