"""Family accounts outside the household (家属).

A relative who does not live in the elder's household (a child working in another city) is linked to the elder
by the community worker, with the elder's consent recorded (date and how it was given). The relative is named by
name and ID number together, matched through the registry's keyed hash; a mismatch answers only that the details
do not match (nothing is said about who is registered).

- A relative registered here (and living) must have a resident account (opened on a phone at /people/signup/ or
  at the desk); without one the worker is told how to open it.
- A relative outside the registry (the usual case) is linked by name, ID number and mobile number, of which only
  keyed hashes and the mobile's last four digits are kept. If they already hold a family account (linked to
  another elder before), the link takes it at once; otherwise the link waits and a text tells them to open their
  family account on their phone (care/family_join.py: the same three steps as a resident's, matched against the
  waiting links instead of the registry). That account has no post and no registry record: the kernel gives it
  the family pages through the link grant `holds_link` (core.modules.LinkGrant), nothing else.

The linked account then sees, on /care/family/, only its linked elders' service orders and visits (date and
condition only), orders services for them and confirms, rates, cancels or complains (`orders._own_or_family`
counts the link). Unlinking keeps every order and visit; the link is never deleted.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from gongzhi.care.models import FamilyLink, FamilyRelation
from gongzhi.care.pairings import CONTROL
from gongzhi.core.errors import RuleError
from gongzhi.core.scope import Scope
from gongzhi.people.models import PersonStatus, Resident

ERR_RIGHT = "只有老人所在社区的社区工作者可以关联或解除家属账号"
ERR_NOT_ACTIVE = "{name}已不在册(迁出或死亡),不能关联家属"
ERR_RELATION = "请选择家属与老人的关系"
ERR_NAME = "请填写家属姓名(最多 50 字)"
ERR_ID_NUMBER = "请填写家属的公民身份号码(18 位)"
ERR_NO_MATCH = "家属的姓名与公民身份号码不符(与居民信息登记或该家属已开通的家属账号不一致),请核对"
ERR_PHONE = ("{name}不是本地登记的居民:请填写家属本人的手机号码(11 位),开通家属账号的验证码将发到这个号码")
ERR_NO_ACCOUNT = ("{name}还没有开通居民账号:请其在手机上打开“居民开户”(/people/signup/)用本人姓名、身份号码和"
                  "手机号开通,或到社区服务站代为开通,开通后再关联")
ERR_SAME_HOUSEHOLD = "{name}与老人同户,已可在“居家养老”页为老人预约和确认服务,无需关联"
ERR_SELF = "家属不能是老人本人"
ERR_CONSENT = "请写明老人同意的方式(如“老人本人当面同意,社工在场”,2 至 200 字,不含控制字符)"
ERR_CONSENT_DATE = "老人同意日期不能晚于今天,也不能早于一年前"
ERR_OPEN = "{name}已是{elder}的家属账号,不能重复关联"
ERR_END_REASON = "请写明解除关联的原因(最多 200 字,不含控制字符)"
ERR_ENDED = "这条家属关联已经解除"
INVITE_TEXT = ("【共治平台】{community}已将您关联为{elder}的家属(关系:{relation})。请在手机上打开 {url} ,"
               "用您本人的姓名、身份证号和本手机号开通家属账号,即可查看老人的服务和走访情况、为老人预约服务。")
JOIN_PATH = "/care/family/join/"


def _scope(by) -> Scope:
    from gongzhi.care.manifest import LINK_FAMILY
    return Scope.for_user_capability(by, LINK_FAMILY)


@transaction.atomic
def family_link(*, elder: Resident, name: str, id_number: str, relation: str, consent_on: dt.date,
                consent_note: str, by, phone: str = "") -> FamilyLink:
    """Link a relative to an elder, with the elder's consent: a registered relative's resident account, an
    outside relative's family account, or (outside, no account yet) a link waiting for one (`account` empty)."""
    from gongzhi.core import crypto, idcard
    elder = Resident.objects.select_for_update().select_related("grid", "community").get(pk=elder.pk)
    if not _scope(by).contains(elder.grid):
        raise PermissionDenied(ERR_RIGHT)
    if elder.status != PersonStatus.ACTIVE:
        raise RuleError(ERR_NOT_ACTIVE.format(name=elder.name))
    if relation not in FamilyRelation.values:
        raise RuleError(ERR_RELATION)
    name = (name or "").strip()
    if not name or len(name) > 50 or CONTROL.search(name):
        raise RuleError(ERR_NAME)
    try:
        number = idcard.parse((id_number or "").strip()[:40]).value
    except idcard.IdNumberError:
        raise RuleError(ERR_ID_NUMBER) from None
    consent_note = (consent_note or "").strip()
    if len(consent_note) < 2 or len(consent_note) > 200 or CONTROL.search(consent_note):
        raise RuleError(ERR_CONSENT)
    today = timezone.localdate()
    if consent_on > today or consent_on < today - dt.timedelta(days=365):
        raise RuleError(ERR_CONSENT_DATE)
    id_hash = crypto.keyed_hash(number)
    if id_hash == elder.id_number_hash:
        raise RuleError(ERR_SELF)
    relative = Resident.objects.filter(id_number_hash=id_hash, status=PersonStatus.ACTIVE).first()
    fields = {"relative_name": name, "relative_id_hash": id_hash}
    if relative is not None:
        account = _registered_relative_account(relative, name, elder)
        fields["relative"] = relative
    else:
        account, phone_fields = _outside_relative_account(id_hash, name, phone)
        fields |= phone_fields
    if FamilyLink.objects.filter(elder=elder, relative_id_hash=id_hash, ended_on__isnull=True).exists():
        raise RuleError(ERR_OPEN.format(name=name, elder=elder.name))
    try:
        with transaction.atomic():
            link = FamilyLink.objects.create(
                elder=elder, community_id=elder.community_id, grid_id=elder.grid_id, account=account,
                relation=relation, consent_on=consent_on, consent_note=consent_note, linked_by=by, **fields)
    except IntegrityError:
        raise RuleError(ERR_OPEN.format(name=name, elder=elder.name)) from None
    if link.waiting_for_account:
        transaction.on_commit(lambda: invite(link, phone))
    return link


def _registered_relative_account(relative: Resident, name: str, elder: Resident):
    from gongzhi.accounts.models import User
    if relative.name != name:
        raise RuleError(ERR_NO_MATCH)
    if relative.household_id == elder.household_id:
        raise RuleError(ERR_SAME_HOUSEHOLD.format(name=relative.name))
    account = User.objects.filter(resident=relative, is_active=True).first()
    if account is None:
        raise RuleError(ERR_NO_ACCOUNT.format(name=relative.name))
    return account


def _outside_relative_account(id_hash: str, name: str, phone: str):
    """(the relative's family account if they opened one for an earlier link, else None; the phone fields)."""
    from gongzhi.core import crypto
    from gongzhi.people.resident_accounts import SignupError, normalise_phone
    earlier = (FamilyLink.objects.filter(relative_id_hash=id_hash, relative__isnull=True, account__isnull=False)
               .select_related("account").order_by("-linked_at").first())
    if earlier is not None:
        if earlier.relative_name != name:
            raise RuleError(ERR_NO_MATCH)
        if earlier.account.is_active:
            return earlier.account, {"relative_phone_hash": earlier.relative_phone_hash,
                                     "relative_phone_tail": earlier.relative_phone_tail}
    try:
        number = normalise_phone(phone)
    except SignupError:
        raise RuleError(ERR_PHONE.format(name=name)) from None
    return None, {"relative_phone_hash": crypto.keyed_hash(number), "relative_phone_tail": number[-4:]}


def invite(link: FamilyLink, phone: str) -> bool:
    """Text the relative the way to open their family account (the number is not kept; False: no sender)."""
    from gongzhi.core import senders
    from gongzhi.digests.sending import site_url
    from gongzhi.people.resident_accounts import SignupError, normalise_phone
    try:
        number = normalise_phone(phone)
    except SignupError:
        return False
    text = INVITE_TEXT.format(community=link.community.name if link.community_id else "社区", elder=link.elder.name,
                              relation=link.get_relation_display(), url=site_url() + JOIN_PATH)
    return bool(senders.send_to_phone(number, text))


@transaction.atomic
def family_unlink(*, link: FamilyLink, reason: str, by) -> FamilyLink:
    """Unlink; the orders the relative placed and every record stay. Ending twice at once ends it once."""
    link = FamilyLink.objects.select_related("grid").get(pk=link.pk)
    if not _scope(by).contains(link.grid):
        raise PermissionDenied(ERR_RIGHT)
    reason = (reason or "").strip()
    if not reason or len(reason) > 200 or CONTROL.search(reason):
        raise RuleError(ERR_END_REASON)
    moved = FamilyLink.objects.filter(pk=link.pk, ended_on__isnull=True).update(
        ended_on=timezone.localdate(), end_reason=reason, ended_by=by)
    if not moved:
        raise RuleError(ERR_ENDED)
    link.refresh_from_db()
    return link


def linked_elders(user) -> QuerySet:
    """The elders linked to the account now (open links, elders in the registry): the family page's whole scope."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Resident.objects.none()
    return Resident.objects.filter(
        pk__in=FamilyLink.objects.filter(account=user, ended_on__isnull=True).values("elder_id"),
        status=PersonStatus.ACTIVE)


def holds_link(user) -> bool:
    """The kernel's link grant (care manifest): does this account hold an open link to a living elder?"""
    return linked_elders(user).exists()


def is_family(user, resident: Resident) -> bool:
    return linked_elders(user).filter(pk=resident.pk).exists()


def elder_links(elder: Resident) -> QuerySet:
    return FamilyLink.objects.filter(elder=elder).select_related("relative", "linked_by", "ended_by")
