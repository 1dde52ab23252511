"""A property firm's own accounts (P-PROP-3): provider accounts (Role.PROVIDER) bound to the firm they
work for. Through them the firm sees, within its posts' places, the estates it serves under contract,
the complaints about them and their time to rectify, its own and its managers' credit with the parts,
and its blacklist entries, which it appeals online; the district hears of the appeal and the firm of
the decision (workorders.notify: inbox, and SMS or digest as each reader chose).

Binding: the community or street (MANAGE_ESTATES) binds an account whose provider post lies in its
places; ending keeps the row. Nothing here is deleted."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.core.errors import RuleError
from gongzhi.core.scope import Scope
from gongzhi.estates import credit
from gongzhi.estates.models import (
    AppealChannel, BlacklistEntry, Contract, FirmStaff, PropertyFirm,
)
from gongzhi.estates.services import text
from gongzhi.places.models import Level, Place
from gongzhi.workorders import notify

ERR_USER = "没有名为「{name}」的有效账号"
ERR_USER_ROLE = "账号「{name}」不是服务机构人员账号,请先为其设置服务机构人员岗位"
ERR_USER_PLACE = "账号「{name}」的服务机构人员岗位不在您管理的范围内"
ERR_BOUND = "账号「{name}」已是「{firm}」的企业账号"
ERR_NOT_YOURS = "该黑名单记录不是您所在物业企业或其项目经理的,不能申诉"
NOTICE_APPEAL = "blkappeal"  # the district: a firm appealed online
NOTICE_DECIDED = credit.NOTICE_DECIDED  # the firm's accounts: the district decided the appeal (credit.py)


# -- binding --------------------------------------------------------------------------------------
def provider_posts(user) -> list[RoleAssignment]:
    return list(user.assignments.filter(active=True, role=Role.PROVIDER).select_related("place"))


@transaction.atomic
def staff_bind(*, firm: PropertyFirm, username: str, scope: Scope, by) -> FirmStaff:
    """Bind the provider account `username` to `firm`. `scope` is the binder's (MANAGE_ESTATES): the
    account's provider post must lie in it, so a community binds only accounts posted in its places."""
    name = text(username, "账号", limit=150, required=True)
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise RuleError(ERR_USER.format(name=name))
    posts = provider_posts(user)
    if not posts:
        raise RuleError(ERR_USER_ROLE.format(name=name))
    if not any(scope.contains(p.place) for p in posts):
        raise RuleError(ERR_USER_PLACE.format(name=name))
    PropertyFirm.objects.select_for_update().get(pk=firm.pk)  # two binders of one account: one row
    if FirmStaff.objects.filter(user=user, firm=firm, ended_on__isnull=True).exists():
        raise RuleError(ERR_BOUND.format(name=name, firm=firm.name))
    return FirmStaff.objects.create(user=user, firm=firm, bound_by=by)


@transaction.atomic
def staff_end(*, staff: FirmStaff, by) -> FirmStaff:
    staff = FirmStaff.objects.select_for_update().get(pk=staff.pk)
    if staff.ended_on is None:
        staff.ended_on, staff.ended_by = timezone.localdate(), by
        staff.save(update_fields=["ended_on", "ended_by"])
    return staff


# -- what the firm's account sees -----------------------------------------------------------------
def firms_of(user) -> QuerySet[PropertyFirm]:
    """The firms `user` works for now."""
    return PropertyFirm.objects.filter(staff__user=user, staff__ended_on__isnull=True).distinct().order_by("name")


def _post_places_q(scope: Scope, column: str) -> Q:
    """The rows of `column` (a community) within the provider posts of this narrowed scope."""
    q = Q(pk__in=[])
    for a in scope.assignments:
        if a.role == Role.PROVIDER:
            q |= Q(**{f"{column}__path__startswith": a.place.path})
    return q


def contracts_of(scope: Scope, firm: PropertyFirm, today=None) -> QuerySet[Contract]:
    """The firm's contracts in force today within the caller's provider posts."""
    today = today or timezone.localdate()
    return (Contract.objects.filter(_post_places_q(scope, "community"), firm=firm, starts_on__lte=today,
                                    ends_on__gte=today)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
            .select_related("estate", "community", "manager").order_by("community__path", "estate__name"))


def blacklist_of(firm: PropertyFirm) -> QuerySet[BlacklistEntry]:
    """The firm's entries and those of its project managers (past and present)."""
    return (BlacklistEntry.objects.filter(Q(firm=firm) | Q(manager__firm=firm))
            .select_related("firm", "manager__firm").order_by("-listed_on", "-pk"))


def access_entry(user, pk: int) -> BlacklistEntry | None:
    """The entry, if it belongs to a firm `user` works for now."""
    return blacklist_of_firms(firms_of(user)).filter(pk=pk).first()


def blacklist_of_firms(firms) -> QuerySet[BlacklistEntry]:
    ids = list(firms.values_list("pk", flat=True)) if hasattr(firms, "values_list") else [f.pk for f in firms]
    return BlacklistEntry.objects.filter(Q(firm_id__in=ids) | Q(manager__firm_id__in=ids))


# -- the online appeal ----------------------------------------------------------------------------
def appeal_online(*, user, entry_id: int, version: int, appeal_text: str, now=None) -> BlacklistEntry:
    """The firm's account appeals its (or its manager's) entry. The same rules as an appeal the district
    registers from paper (credit.appeal: once, against the version seen); the district's admins hear of it."""
    now = now or timezone.now()
    if access_entry(user, entry_id) is None:
        raise RuleError(ERR_NOT_YOURS)
    with transaction.atomic():
        entry = credit.appeal(entry_id=entry_id, version=version, appeal_text=appeal_text,
                              on=timezone.localdate(now), by=user, channel=AppealChannel.ONLINE)
        admins = sorted({u for district in _districts_of(user) for u in notify.users_at(district, [Role.ADMIN])})
        notify.notify(admins, order=None, kind=NOTICE_APPEAL, now=now,
                      text=f"{entry.subject_label} 对物业黑名单记录提出在线申诉,请处理")
    return entry


def _districts_of(user) -> list[Place]:
    """The districts (区/县级市) above the account's provider posts: the register's keepers are there."""
    districts = []
    for post in provider_posts(user):
        place = post.place
        while place is not None and place.level != Level.DISTRICT:
            place = place.parent
        if place is not None and place not in districts:
            districts.append(place)
    return districts
