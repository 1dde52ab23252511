"""How a page or API endpoint declares the capability it needs.

`@requires(cap)` signs the caller in, refuses them when none of their posts
grants `cap`, and replaces `request.scope` with the scope narrowed to `cap`,
so everything the view reads is limited to the places of those posts. The
scope matrix test checks that every URL's view declares one (`capability_of`).
"""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from gongzhi.core.modules import Capability

ERR_NO_PERMISSION = "您的角色无权进行此操作"

# Markers for views that need no capability: open to anyone, or only about the
# caller's own records (their household, their notices).
PUBLIC = "public"
OWN_RECORDS = "own_records"
# a page made of module panels, each read through its own capability (core.views.render_panels)
PANELS = "panels"


def narrow(request, capability: Capability, refusal: str = ERR_NO_PERMISSION):
    """Narrow `request.scope` to `capability` (PermissionDenied when no post grants it)."""
    scope = request.scope.for_capability(capability)
    if not scope.assignments:
        raise PermissionDenied(refusal)
    request.scope = scope
    return scope


def requires(capability: Capability, *, refusal: str = ERR_NO_PERMISSION):
    """Login required; the view runs with `request.scope` narrowed to `capability`."""
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            narrow(request, capability, refusal)
            return view(request, *args, **kwargs)
        wrapped.capability = capability
        return wrapped
    return decorator


def api_requires(capability: Capability):
    """The same for a django-ninja endpoint (authentication is the router's)."""
    def decorator(endpoint):
        @wraps(endpoint)
        def wrapped(request, *args, **kwargs):
            narrow(request, capability)
            return endpoint(request, *args, **kwargs)
        wrapped.capability = capability
        return wrapped
    return decorator


def public(view):
    """Anyone, signed in or not; the page shows nothing personal."""
    view.capability = PUBLIC
    return view


def own_records(view):
    """Signed-in users, each reading only their own records (no place scope involved)."""
    wrapped = login_required(view)
    wrapped.capability = OWN_RECORDS
    return wrapped


def capability_of(view) -> Capability | str | None:
    """What a resolved view declares (None: nothing, which the scope matrix refuses)."""
    while view is not None:
        if hasattr(view, "capability"):
            return view.capability
        view = getattr(view, "__wrapped__", None)
    return None

