from django.db.models import Prefetch
from django.http import Http404

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core.scope import Scope


def users_in_scope(scope: Scope):
    """Accounts whose every role lies inside the caller's places: an admin of
    one district never manages an account that also works elsewhere."""
    inside = RoleAssignment.objects.filter(scope._path_q("place__"))
    outside = RoleAssignment.objects.exclude(scope._path_q("place__"))
    return (User.objects.filter(assignments__in=inside).exclude(assignments__in=outside).distinct()
            .prefetch_related(Prefetch("assignments", queryset=RoleAssignment.objects.select_related("place")))
            .order_by("username"))


def access_user(scope: Scope, user_id: int) -> User:
    user = users_in_scope(scope).filter(pk=user_id).first()
    if user is None:
        raise Http404("未找到或无权访问")
    return user


def sign_in_locks(usernames=None) -> dict[str, list[str]]:
    """{username: [source addresses]} of the sign-in locks in force (django-axes locks an account
    from one address at a time), optionally for some usernames only. Read from the attempts
    table, not from the caller's own address: an account locked from anywhere shows as locked."""
    import datetime as dt

    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME))
    if usernames is not None:
        attempts = attempts.filter(username__in=list(usernames))
    locks: dict[str, list[str]] = {}
    for username, ip in attempts.values_list("username", "ip_address"):
        locks.setdefault(username or "", []).append(ip or "")
    return locks
