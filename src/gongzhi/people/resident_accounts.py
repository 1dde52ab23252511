"""Resident accounts: opened by the resident on a phone, or by a community worker at the desk,
and kept in step with the registry (a move or a death ends the account's rights where it was).

Self-service, in three steps (people.resident_account_views):
1. name, ID number and mobile number are matched against the registry by keyed hash
   (`crypto.keyed_hash`, the same the registry stores); any mismatch says only ERR_MISMATCH;
2. a one-time code goes to that mobile through the pluggable senders (`core.senders`);
3. the verified resident chooses a login name and a password (the platform's password rules).

Attempts are throttled by the sign-in throttle's own records: every failed match or wrong code is
a failed sign-in in the audit trail (`AuditAction.LOGIN_FAILED`, named `SIGNUP_KEY + ID hash`), so
the source address counts towards `audit.throttle.source_wait` like a wrong password, the same
ID number waits after `ID_FAILURE_LIMIT` failures, and sustained attempts raise the security alerts.
"""
from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.audit import throttle
from gongzhi.audit.models import AuditAction, AuditEvent, Outcome
from gongzhi.audit.services import client_ip, record
from gongzhi.core import crypto, idcard, senders
from gongzhi.core.errors import RuleError
from gongzhi.people.models import PersonStatus, Resident, SignupCode

ERR_MISMATCH = "信息与登记不符"
ERR_HAS_ACCOUNT = "该居民已开通账号,请直接登录。忘记密码请到社区服务站重置"
ERR_NOT_LIVING = "该居民已不在册,不能开通账号"
ERR_TOO_MANY_ID = "该证件号码尝试次数过多,请 {minutes} 分钟后再试。如需帮助请到社区服务站办理"
ERR_TOO_MANY_SOURCE = "来自您所在网络地址的尝试次数过多,请 {minutes} 分钟后再试。如需帮助请到社区服务站办理"
ERR_CODE = "验证码错误或已过期,请重新输入或重新获取"
ERR_CODE_WAIT = "验证码输入错误次数较多,请 {seconds} 秒后再试"
ERR_RESEND_WAIT = "验证码已发送,请 {seconds} 秒后再重新获取"
ERR_NO_SENDER = "短信发送未开通,暂不能自助开户。请携带身份证到社区服务站办理"
ERR_USERNAME = "登录名只能由 3–30 位字母、数字、汉字或 @ . + - _ 组成"
ERR_USERNAME_TAKEN = "登录名 {username} 已被使用,请换一个"
ERR_PHONE = "手机号码应为 11 位数字"
ERR_PASSWORDS_DIFFER = "两次输入的密码不一致"

SIGNUP_KEY = "居民开户:"  # + the first 16 hex digits of the ID number's keyed hash (the throttle's name)
CODE_LENGTH = 6
CODE_VALID_SECONDS = 600
ID_FAILURE_LIMIT = 5
ID_WINDOW_MINUTES = 60
CODE_TEXT = "【共治平台】您的居民账号开通验证码是 {code},{minutes} 分钟内有效。如非本人操作,请忽略本短信。"


class SignupError(RuleError):
    pass


# -- the throttle ------------------------------------------------------------------------------------------

def _key(id_hash: str) -> str:
    return SIGNUP_KEY + id_hash[:16]


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def id_wait(id_hash: str) -> int:
    """Seconds before this ID number may be tried again (0: now)."""
    limit = getattr(settings, "GONGZHI_SIGNUP_ID_FAILURE_LIMIT", ID_FAILURE_LIMIT)
    if limit <= 0 or not id_hash:
        return 0
    since = timezone.now() - dt.timedelta(minutes=ID_WINDOW_MINUTES)
    times = list(AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, actor_username=_key(id_hash),
                                           at__gte=since).order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return 0
    free_at = times[-1] + dt.timedelta(minutes=ID_WINDOW_MINUTES)
    return max(1, math.ceil((free_at - timezone.now()).total_seconds()))


def check_throttle(request, id_hash: str = "") -> None:
    """Refuse (SignupError) while the caller's address or this ID number must wait."""
    wait = throttle.source_wait(client_ip(request))
    if wait:
        raise SignupError(ERR_TOO_MANY_SOURCE.format(minutes=_minutes(wait)))
    wait = id_wait(id_hash)
    if wait:
        raise SignupError(ERR_TOO_MANY_ID.format(minutes=_minutes(wait)))


def record_failure(request, id_hash: str, detail: str, *, object_type: str = "居民开户",
                   label: str = "居民自助开户") -> None:
    """One failed attempt: a failed sign-in in the audit trail, then the throttle's start and the alerts.
    Other self-service account flows (a relative's family account, care) count under the same ID number."""
    key = _key(id_hash) if id_hash else SIGNUP_KEY.rstrip(":")
    record(request, AuditAction.LOGIN_FAILED, username=key, outcome=Outcome.FAILED, object_type=object_type,
           label=label, detail=detail)
    throttle.after_failure(request, ip=client_ip(request), username=key)


# -- step 1: the registry match ------------------------------------------------------------------------------

def normalise_phone(phone: str) -> str:
    phone = "".join((phone or "").split()).replace("-", "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if len(phone) != 11 or not phone.isdigit() or not phone.startswith("1"):
        raise SignupError(ERR_PHONE)
    return phone


def signup_match(*, request, name: str, id_number: str, phone: str) -> Resident:
    """The registered, living resident with exactly this name, ID number and mobile number, or
    SignupError(ERR_MISMATCH) whichever of them is wrong (and the attempt counts)."""
    check_throttle(request)
    parsed = idcard.parse(id_number)  # IdNumberError: a typing error, said as such (nothing about the registry)
    phone = normalise_phone(phone)
    id_hash = crypto.keyed_hash(parsed.value)
    check_throttle(request, id_hash)
    resident = (Resident.objects.select_related("community", "grid").filter(id_number_hash=id_hash).first())
    if (resident is None or resident.name.strip() != (name or "").strip()
            or not resident.phone_hash or resident.phone_hash != crypto.keyed_hash(phone)):
        record_failure(request, id_hash, "信息与登记不符")
        raise SignupError(ERR_MISMATCH)
    if resident.status != PersonStatus.ACTIVE or resident.community_id is None:
        record_failure(request, id_hash, "居民已不在册")
        raise SignupError(ERR_MISMATCH)
    if User.objects.filter(resident=resident).exists():
        raise SignupError(ERR_HAS_ACCOUNT)
    return resident


# -- step 2: the one-time code ------------------------------------------------------------------------------

def signup_send_code(*, resident: Resident, phone: str) -> SignupCode:
    """Make a new code and send it to `phone` (already matched against the resident's registered number)."""
    return send_code(SignupCode, {"resident": resident}, phone, name="居民开户", text=CODE_TEXT)


def send_code(device_model, lookup: dict, phone: str, *, name: str, text: str):
    """Make a new code on the one device found by `lookup` (django-otp: random digits, expiry; a minute between
    codes) and send `text` with it to `phone`. Shared by the self-service account flows."""
    if not senders.phone_senders():
        raise SignupError(ERR_NO_SENDER)
    with transaction.atomic():
        device, _ = device_model.objects.select_for_update().get_or_create(**lookup, defaults={"name": name})
        allowed, info = device.generate_is_allowed()
        if not allowed:
            seconds = math.ceil((info["next_generation_at"] - timezone.now()).total_seconds())
            raise SignupError(ERR_RESEND_WAIT.format(seconds=max(1, seconds)))
        device.generate_token(length=CODE_LENGTH, valid_secs=CODE_VALID_SECONDS, commit=False)
        device.cooldown_set(commit=False)
        device.save()
        code = device.token
    if not senders.send_to_phone(normalise_phone(phone), text.format(code=code, minutes=CODE_VALID_SECONDS // 60)):
        raise SignupError(ERR_NO_SENDER)
    return device


def signup_verify(*, request, resident: Resident, code: str) -> None:
    """Accept the code once, before it expires; a wrong one counts as a failed attempt."""
    verify_code(request, SignupCode, {"resident": resident}, resident.id_number_hash or "", code)


def verify_code(request, device_model, lookup: dict, id_hash: str, code: str, **failure) -> None:
    """Accept the code of the device found by `lookup` once, before it expires; a wrong one counts as a failed
    attempt against the ID number (`failure`: record_failure's labels)."""
    check_throttle(request, id_hash)
    with transaction.atomic():
        device = device_model.objects.select_for_update().filter(**lookup).first()
        if device is None:
            raise SignupError(ERR_CODE)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            seconds = math.ceil((info["locked_until"] - timezone.now()).total_seconds())
            raise SignupError(ERR_CODE_WAIT.format(seconds=max(1, seconds)))
        ok = device.verify_token("".join((code or "").split()))
        if ok:
            device.throttle_reset()
            return
        device.throttle_increment()
    record_failure(request, id_hash, "验证码错误或已过期", **failure)
    raise SignupError(ERR_CODE)


# -- step 3 (or the desk): the account ------------------------------------------------------------------------

def clean_username(username: str) -> str:
    username = (username or "").strip()
    if not 3 <= len(username) <= 30:
        raise SignupError(ERR_USERNAME)
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise SignupError(ERR_USERNAME) from None
    if User.objects.filter(username__iexact=username).exists():
        raise SignupError(ERR_USERNAME_TAKEN.format(username=username))
    return username


def check_password(password: str, *, username: str, resident: Resident) -> None:
    """The platform's password rules (AUTH_PASSWORD_VALIDATORS, accounts/passwords.py); ValidationError."""
    password_validation.validate_password(password, User(username=username, display_name=resident.name))


def resident_post_place(resident: Resident):
    """Where a resident's post sits: their grid (the demo resident's too), else their community."""
    return resident.grid or resident.community


@transaction.atomic
def resident_account_open(*, resident: Resident, username: str, password: str, by=None, request=None,
                          at_desk: bool = False) -> User:
    """Open the one account of a registered, living resident, with a resident post at their grid.
    Self-service (`by=None`, after the code) or at the desk (`by` the worker, `at_desk`: the password is
    an initial one, changed at first sign-in). The resident's row is locked, and `User.resident` is
    one-to-one in the database, so two completions at once open one account."""
    resident = Resident.objects.select_for_update().select_related("grid", "community").get(pk=resident.pk)
    if resident.status != PersonStatus.ACTIVE:
        raise SignupError(ERR_NOT_LIVING)
    if User.objects.filter(resident=resident).exists():
        raise SignupError(ERR_HAS_ACCOUNT)
    username = clean_username(username)
    try:
        check_password(password, username=username, resident=resident)
    except ValidationError as e:
        raise SignupError(" ".join(e.messages)) from None
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, display_name=resident.name,
                                            resident=resident, must_change_password=at_desk)
    except IntegrityError:  # the other completion won between the check and the insert
        raise SignupError(ERR_HAS_ACCOUNT) from None
    RoleAssignment.objects.create(user=user, role=Role.RESIDENT, place=resident_post_place(resident))
    SignupCode.objects.filter(resident=resident).delete()
    how = f"社区工作者 {by} 在服务站代为开户(初始密码,首次登录须修改)" if at_desk else "居民本人手机验证码开户"
    record(request if request is not None else by, AuditAction.ACCOUNT_CREATE, obj=user,
           after={"登录名": user.username, "居民": resident.name, "网格": str(resident_post_place(resident)),
                  "开户方式": "服务站代开" if at_desk else "本人自助"},
           detail=f"居民账号开通:{how}")
    return user


# -- the registry moves: the account follows ---------------------------------------------------------------

def resident_posts_follow(*, resident: Resident) -> None:
    """Called by the registry's services after a move or a status change (inside their transaction):
    a resident no longer living here (moved out, died) holds no resident post any more, and an account
    whose resident has died is switched off; a resident moved to another household keeps one post, at the
    new household's grid. The post changes are recorded in the audit trail by its signals."""
    user = User.objects.filter(resident=resident).first()
    if user is None:
        return
    posts = list(RoleAssignment.objects.filter(user=user, role=Role.RESIDENT, active=True))
    if resident.status != PersonStatus.ACTIVE:
        for post in posts:
            post.active = False
            post.save(update_fields=["active"])
        if resident.status == PersonStatus.DECEASED and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        return
    if not posts:  # no rights here today (never given, or ended by an administrator): none are given back
        return
    place = resident_post_place(resident)
    keep = next((p for p in posts if p.place_id == place.pk), None)
    if keep is None:
        keep = RoleAssignment.objects.filter(user=user, role=Role.RESIDENT, place=place, active=False).first()
        if keep is not None:  # an old post at the new place (moved back there): taken up again
            keep.active = True
            keep.save(update_fields=["active"])
        else:
            keep = posts[0]
            keep.place = place
            keep.save(update_fields=["place"])
    for post in posts:
        if post is not keep:
            post.active = False
            post.save(update_fields=["active"])
