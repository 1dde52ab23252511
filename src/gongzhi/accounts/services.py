"""Account administration: create staff accounts with a role at a place,
deactivate them, lift a login lock. Callers check the scope first."""
from axes.utils import reset as axes_reset
from django.db import transaction

from gongzhi.accounts.models import ROLE_LEVELS, RoleAssignment, User

ERR_USERNAME_TAKEN = "用户名 {username} 已被使用"
ERR_ROLE_LEVEL = "{role}只能设在{levels}一级"


class AccountError(ValueError):
    pass


@transaction.atomic
def account_create(*, username: str, display_name: str, password: str, role: str, place, department: str = "",
                   by) -> User:
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(ERR_USERNAME_TAKEN.format(username=username))
    if place.level not in ROLE_LEVELS[role]:
        from gongzhi.accounts.models import Role
        from gongzhi.places.models import Level
        levels = "或".join(str(Level(level).label) for level in sorted(ROLE_LEVELS[role]))
        raise AccountError(ERR_ROLE_LEVEL.format(role=Role(role).label, levels=levels))
    user = User.objects.create_user(username=username, password=password, display_name=display_name.strip())
    RoleAssignment.objects.create(user=user, role=role, place=place, department=department.strip())
    return user


@transaction.atomic
def account_set_active(*, user: User, active: bool, by) -> User:
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def account_unlock(*, user: User, by) -> None:
    axes_reset(username=user.username)
    from gongzhi.audit.services import AuditAction, record
    record(by, AuditAction.ACCOUNT_UNLOCK, obj=user)
