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
