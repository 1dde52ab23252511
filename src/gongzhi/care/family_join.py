"""A relative outside the registry opens their family account (家属账号) on a phone.

The community worker linked them to an elder by name, ID number and mobile number (care/family.py); the link
waits for an account. The relative then goes through the resident sign-up's three steps, matched against the
waiting links instead of the registry:
1. name, ID number and mobile number, matched by keyed hash against the open links waiting for an account; any
   mismatch says only ERR_MISMATCH and counts as a failed attempt against the ID number (the sign-up's throttle:
   people.resident_accounts, the same audit records and alerts);
2. a one-time code to that mobile (FamilySignupCode, django-otp);
3. a login name and a password (the platform's rules). The account has no post and no registry record; every
   link waiting for this ID number takes it, in one transaction (two completions at once open one account).
"""
from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from gongzhi.accounts.models import User
from gongzhi.audit.models import AuditAction
from gongzhi.audit.services import record
from gongzhi.care.models import FamilyLink, FamilySignupCode
from gongzhi.core import crypto, idcard
from gongzhi.people import resident_accounts as signup
from gongzhi.people.resident_accounts import SignupError

ERR_MISMATCH = "信息与社区登记的家属信息不符。请核对姓名、身份证号和手机号,或联系老人所在社区"
ERR_DONE = "您的家属账号已经开通,请直接登录"
CODE_TEXT = "【共治平台】您的家属账号开通验证码是 {code},{minutes} 分钟内有效。如非本人操作,请忽略本短信。"
FAILURE = {"object_type": "家属开户", "label": "家属自助开户"}


def waiting_links(id_hash: str):
    return FamilyLink.objects.filter(relative_id_hash=id_hash, relative__isnull=True, account__isnull=True,
                                     ended_on__isnull=True)


def join_match(*, request, name: str, id_number: str, phone: str) -> str:
    """The ID number's keyed hash when open links wait for exactly this name, ID number and mobile number;
    else SignupError(ERR_MISMATCH), whichever is wrong, and the attempt counts."""
    signup.check_throttle(request)
    parsed = idcard.parse(id_number)  # IdNumberError: a typing error, said as such
    number = signup.normalise_phone(phone)
    id_hash = crypto.keyed_hash(parsed.value)
    signup.check_throttle(request, id_hash)
    name = (name or "").strip()
    if not waiting_links(id_hash).filter(relative_name=name, relative_phone_hash=crypto.keyed_hash(number)).exists():
        signup.record_failure(request, id_hash, "信息与家属登记不符", **FAILURE)
        raise SignupError(ERR_MISMATCH)
    return id_hash


def join_send_code(*, id_hash: str, phone: str) -> FamilySignupCode:
    return signup.send_code(FamilySignupCode, {"id_hash": id_hash}, phone, name="家属开户", text=CODE_TEXT)


def join_verify(*, request, id_hash: str, code: str) -> None:
    signup.verify_code(request, FamilySignupCode, {"id_hash": id_hash}, id_hash, code, **FAILURE)


@transaction.atomic
def join_open(*, id_hash: str, username: str, password: str, request=None) -> User:
    """Open the family account and give it every link waiting for this ID number."""
    links = list(waiting_links(id_hash).select_for_update().select_related("elder"))
    if not links:  # the other completion won, or the worker ended the links meanwhile
        raise SignupError(ERR_DONE)
    name = links[0].relative_name
    username = signup.clean_username(username)
    try:
        password_validation.validate_password(password, User(username=username, display_name=name))
    except ValidationError as e:
        raise SignupError(" ".join(e.messages)) from None
    user = User.objects.create_user(username=username, password=password, display_name=name)
    FamilyLink.objects.filter(pk__in=[link.pk for link in links]).update(account=user)
    FamilySignupCode.objects.filter(id_hash=id_hash).delete()
    record(request if request is not None else user, AuditAction.ACCOUNT_CREATE, obj=user,
           after={"登录名": user.username, "家属": name, "关联老人": "、".join(link.elder.name for link in links),
                  "开户方式": "家属本人手机验证码开户"},
           detail="家属账号开通(无岗位、无居民登记,只能查看所关联老人的服务和走访)")
    return user
