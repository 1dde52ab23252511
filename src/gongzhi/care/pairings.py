"""Volunteers and neighbours as visitors (结对关爱走访).

The community worker pairs a registered volunteer (`volunteers.Volunteer` with a resident account) or a
neighbour (a resident of the same community with an account, found by ID number) with a person on the
visit list. The visitor's data scope is their open pairings only: their phone page lists the paired
people who are due or overdue, and they record visits on the same form as the workers (no follow-up
of their own: findings and a poor condition are passed to the grid worker as a notice). A pairing is
never deleted: it ends with a date and a reason, and its visits stay.
"""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from gongzhi.care.models import VisitorKind, VisitorPairing
from gongzhi.core.errors import RuleError
from gongzhi.core.scope import Scope
from gongzhi.people.models import PersonStatus, Resident

ERR_ASSIGN_RIGHT = "只有该居民所在社区的社区工作者可以安排结对走访"
ERR_KIND = "请选择走访人类别:志愿者或邻居"
ERR_VOLUNTEER = "请选择本社区在册的志愿者"
ERR_VOLUNTEER_NO_ACCOUNT = "志愿者{name}还没有开通居民账号,请先为其开通账号(居民信息页“代居民开通账号”)后再结对"
ERR_ID_NUMBER = "请填写邻居的公民身份号码(18 位)"
ERR_NEIGHBOUR_NOT_FOUND = "本社区没有该身份号码的在册居民,请核对邻居的公民身份号码"
ERR_NEIGHBOUR_NO_ACCOUNT = "邻居{name}还没有开通居民账号,请先为其开通账号(居民信息页“代居民开通账号”)后再结对"
ERR_SELF = "走访人不能是关爱对象本人或同户家属"
ERR_NOT_ON_LIST = "{name}不在关爱走访名单内(不属于按走访规则需要走访的关爱对象),不能安排结对"
ERR_OPEN = "{visitor}已与{name}结对,不能重复结对"
ERR_START = "结对开始日期不能晚于今天,也不能早于一年前"
ERR_NOT_ACTIVE = "{name}已不在册(迁出或死亡),不能办理"
ERR_END_REASON = "请写明结束结对的原因(最多 200 字,不含控制字符)"
ERR_END_DATE = "结束日期不能早于结对开始日期({since}),也不能晚于今天"
ERR_ENDED = "这条结对已经结束,不能再次结束"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _assign_scope(by) -> Scope:
    from gongzhi.care.manifest import ASSIGN_VISITORS
    return Scope.for_user_capability(by, ASSIGN_VISITORS)


def volunteers_for(resident: Resident) -> QuerySet:
    """The volunteers of the person's community who may be paired (in service, with an active account)."""
    from gongzhi.volunteers.models import Volunteer
    return (Volunteer.objects.filter(community_id=resident.community_id, left_on__isnull=True,
                                     resident__status=PersonStatus.ACTIVE, resident__account__is_active=True)
            .exclude(resident__household_id=resident.household_id)
            .select_related("resident").order_by("resident__name", "pk"))


def _account_of(person: Resident):
    from gongzhi.accounts.models import User
    return User.objects.filter(resident=person, is_active=True).first()


@transaction.atomic
def pairing_start(*, resident: Resident, kind: str, by, starts_on: dt.date, volunteer_id=None,
                  id_number: str = "") -> VisitorPairing:
    """Pair a volunteer (`volunteer_id`) or a neighbour (`id_number`) with a person on the visit list."""
    from gongzhi.care.visits import on_list
    from gongzhi.core import crypto, idcard
    from gongzhi.volunteers.models import Volunteer
    resident = Resident.objects.select_for_update().select_related("grid").get(pk=resident.pk)
    scope = _assign_scope(by)
    if not scope.contains(resident.grid):
        raise PermissionDenied(ERR_ASSIGN_RIGHT)
    if resident.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_NOT_ACTIVE.format(name=resident.name))
    today = timezone.localdate()
    if kind not in VisitorKind.values:
        raise RuleError(ERR_KIND)
    if starts_on > today or starts_on < today - dt.timedelta(days=365):
        raise RuleError(ERR_START)
    volunteer = None
    if kind == VisitorKind.VOLUNTEER:
        pk = str(volunteer_id or "").strip()
        volunteer = Volunteer.objects.select_related("resident").filter(
            pk=int(pk), community_id=resident.community_id, left_on__isnull=True).first() \
            if pk.isdigit() and len(pk) < 12 else None
        if volunteer is None or volunteer.resident.status != PersonStatus.ACTIVE:
            raise RuleError(ERR_VOLUNTEER)
        person = volunteer.resident
        if person.household_id == resident.household_id:
            raise RuleError(ERR_SELF)
        account = _account_of(person)
        if account is None:
            raise RuleError(ERR_VOLUNTEER_NO_ACCOUNT.format(name=person.name))
    else:
        try:
            number = idcard.parse((id_number or "").strip()[:40]).value
        except idcard.IdNumberError:
            raise RuleError(ERR_ID_NUMBER) from None
        person = Resident.objects.filter(id_number_hash=crypto.keyed_hash(number), community_id=resident.community_id,
                                         status=PersonStatus.ACTIVE).first()
        if person is None:
            raise RuleError(ERR_NEIGHBOUR_NOT_FOUND)
        if person.household_id == resident.household_id:
            raise RuleError(ERR_SELF)
        account = _account_of(person)
        if account is None:
            raise RuleError(ERR_NEIGHBOUR_NO_ACCOUNT.format(name=person.name))
    if not on_list(scope, resident, today):
        raise RuleError(ERR_NOT_ON_LIST.format(name=resident.name))
    if VisitorPairing.objects.filter(resident=resident, visitor=account, ended_on__isnull=True).exists():
        raise RuleError(ERR_OPEN.format(visitor=person.name, name=resident.name))
    try:
        with transaction.atomic():
            return VisitorPairing.objects.create(
                resident=resident, community_id=resident.community_id, grid_id=resident.grid_id, kind=kind,
                visitor=account, visitor_resident=person, volunteer=volunteer, starts_on=starts_on, created_by=by)
    except IntegrityError:  # the same pairing made at the same moment by another worker
        raise RuleError(ERR_OPEN.format(visitor=person.name, name=resident.name)) from None


@transaction.atomic
def pairing_end(*, pairing: VisitorPairing, reason: str, ended_on: dt.date, by) -> VisitorPairing:
    """End a pairing with the reason; its visits stay. A conditional update: ending twice at once ends it once."""
    pairing = VisitorPairing.objects.select_related("grid", "resident").get(pk=pairing.pk)
    if not _assign_scope(by).contains(pairing.grid):
        raise PermissionDenied(ERR_ASSIGN_RIGHT)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200 or CONTROL.search(reason):
        raise RuleError(ERR_END_REASON)
    if pairing.ended_on is not None:
        raise RuleError(ERR_ENDED)
    if ended_on < pairing.starts_on or ended_on > timezone.localdate():
        raise RuleError(ERR_END_DATE.format(since=pairing.starts_on.isoformat()))
    moved = VisitorPairing.objects.filter(pk=pairing.pk, ended_on__isnull=True).update(
        ended_on=ended_on, end_reason=reason, ended_by=by)
    if not moved:
        raise RuleError(ERR_ENDED)
    pairing.refresh_from_db()
    return pairing


def open_pairing(user, resident_id) -> VisitorPairing | None:
    """The visitor's open pairing with this person (the visitor's whole data scope), or None."""
    if user is None or not user.is_authenticated:
        return None
    return (VisitorPairing.objects.filter(visitor=user, resident_id=resident_id, ended_on__isnull=True,
                                          resident__status=PersonStatus.ACTIVE)
            .select_related("resident", "resident__grid").first())


def may_visit(user) -> bool:
    """Does the account still hold a post granting the paired visit (a resident who moved away does not)?"""
    from gongzhi.care.manifest import VISIT_PAIRED
    return bool(user.is_active and Scope.for_user_capability(user, VISIT_PAIRED).assignments)


def person_pairings(person: Resident) -> QuerySet:
    return VisitorPairing.objects.filter(resident=person).select_related("visitor_resident", "created_by", "ended_by")
