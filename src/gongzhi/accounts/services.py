"""Account administration: create staff accounts with a role at a place,
deactivate them, lift a login lock, give a new initial password, reset two-factor
sign-in; and a user changing their own password. Callers check the scope first."""
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
    user = User.objects.create_user(username=username, password=password, display_name=display_name.strip(),
                                    must_change_password=True)  # the administrator knows it: the owner changes it
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


@transaction.atomic
def account_reset_password(*, user: User, password: str, by) -> User:
    """A new initial password from an administrator (validated by the caller): the owner must change it at
    next sign-in, and every session of theirs ends (the password hash changes)."""
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    return user


def account_reset_two_factor(*, user: User, by) -> None:
    """The owner lost their authenticator: remove it and the recovery codes; they set up a new one at next
    sign-in when their posts require it."""
    from gongzhi.accounts import two_factor
    two_factor.reset(user=user)


@transaction.atomic
def password_change(*, user: User, new_password: str) -> User:
    """The owner chose a new password (validated by the caller: accounts.forms.PasswordChangeForm)."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    return user
