"""What every standards page checks first. Assessments, surveys and cases are
the civil-affairs line's one unified assessment (P-DUTY-4): departments hold
none of it, and a department post held beside another role widens nothing."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gongzhi.accounts.models import Role
from gongzhi.core.scope import Scope


def civil_affairs_scope(request, refusal: str) -> Scope:
    """The caller's scope without department and resident posts; `refusal` when nothing is left."""
    scope = request.scope.without(Role.DEPARTMENT, Role.RESIDENT)
    if not scope.assignments:
        raise PermissionDenied(refusal)
    return scope


def posted_version(request) -> int:
    """The form's version; anything unreadable counts as a stale form (the service refuses it)."""
    try:
        return int(request.POST.get("version") or 0)
    except ValueError:
        return -1
