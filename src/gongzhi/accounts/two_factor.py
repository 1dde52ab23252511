"""Two-factor sign-in (MLPS 2.0 level 3, GB/T 22239-2019 8.1.4.1 d: 两种或两种以上组合的鉴别技术).

django-otp keeps the devices: one TOTP device per user (any authenticator app: Microsoft or Google
Authenticator, FreeOTP...) and one static device holding RECOVERY_CODES one-time
recovery codes, shown once when made.

Who must use it (`required_for`), by GONGZHI_2FA_REQUIRED (settings.GONGZHI_2FA_REQUIRED):

- ``mandatory`` (the default): every account whose posts grant a capability named in
  GONGZHI_2FA_CAPABILITIES (default: managing accounts, reading the access log, unmasking and exporting
  personal data — the roles holding them are read from the module registry, not listed here), and
  superusers;
- ``staff``: every account with a staff post (any role but resident), and superusers;
- ``off``: nobody is made to enrol (development and the test suite); an account that has enrolled
  still gives its code.

Residents never need it. Whoever has a confirmed device gives a code at every sign-in, whatever the mode.
"""
from __future__ import annotations

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.core import modules

MANDATORY, STAFF, OFF = "mandatory", "staff", "off"
MODES = (MANDATORY, STAFF, OFF)
RECOVERY_CODES = 10
DEVICE_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"

ERR_CODE = "验证码不正确或已过期,请输入身份验证器上当前显示的 6 位数字或一个未用过的恢复码。"
ERR_SETUP_CODE = "验证码不正确,请核对手机时间是否准确,并输入身份验证器上当前显示的 6 位数字。"
ERR_THROTTLED = "验证失败次数过多,请稍等片刻再试。"


# The device that verified this session, kept beside django-otp's own key (which django-otp drops
# silently when the device is gone): a session whose device was removed ends (accounts.middleware).
SESSION_DEVICE = "gongzhi_otp_device"


def mark_verified(request, device) -> None:
    """The session gave its second factor: a new session key for the stronger session (as Django does at
    sign-in), so a key seen before the code cannot ride on it."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[SESSION_DEVICE] = device.persistent_id


def forget_verified(request) -> None:
    request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
    request.session.pop(SESSION_DEVICE, None)


def mode() -> str:
    value = str(getattr(settings, "GONGZHI_2FA_REQUIRED", MANDATORY)).strip().lower()
    return value if value in MODES else MANDATORY


def mandatory_roles() -> frozenset[str]:
    """The roles that hold any capability of GONGZHI_2FA_CAPABILITIES, read from the module registry."""
    codes = set(settings.GONGZHI_2FA_CAPABILITIES)
    return frozenset(role for cap in modules.capabilities() if cap.code in codes for role in cap.roles)


def required_for(user, assignments) -> bool:
    """Must `user`, holding these active posts, sign in with a second factor?"""
    from gongzhi.accounts.models import Role
    current = mode()
    if current == OFF or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff_roles = {a.role for a in assignments} - {Role.RESIDENT}
    if not staff_roles:
        return False
    return current == STAFF or bool(staff_roles & mandatory_roles())


# -- devices -------------------------------------------------------------------------------

def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def users_with_device(user_ids) -> set[int]:
    """Which of these users have a confirmed authenticator (one query)."""
    return set(TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True))


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per user; reused until confirmed, so reloading
    the page keeps the secret the user may already have typed in)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it by hand (base32), in groups of four."""
    from base64 import b32encode
    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (made here: no outside service sees the secret)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, title="扫描此二维码")


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").strip().lower() if ch not in " -")


@transaction.atomic
def confirm_enrolment(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a code it shows; on success the user's other authenticators
    are removed and a fresh set of recovery codes is made and returned (shown once). None: wrong code;
    Throttled: too many wrong codes just now."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_is_allowed()[0]:
        raise Throttled(ERR_THROTTLED)
    if not device.verify_token(normalise(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return new_recovery_codes(user=user)


@transaction.atomic
def new_recovery_codes(*, user) -> list[str]:
    """RECOVERY_CODES new one-time codes; the old ones stop working."""
    device = StaticDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()  # the device stays: a session it verified stays verified
    codes = []
    while len(codes) < RECOVERY_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(*, user, code: str):
    """The confirmed device (authenticator or recovery codes) that accepts `code`, or None. A recovery code
    works once. Raises Throttled while the devices refuse attempts after repeated failures."""
    code = normalise(code)
    if not code:
        return None
    devices = []
    totp = confirmed_device(user)
    if totp is not None and code.isdigit():
        devices.append(totp)
    devices += list(StaticDevice.objects.filter(user=user, confirmed=True))
    throttled = False
    for device in devices:
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                return device
    if throttled:
        raise Throttled(ERR_THROTTLED)
    return None


class Throttled(Exception):
    pass


@transaction.atomic
def reset(*, user) -> None:
    """Remove every device (a lost phone): the user enrols again at next sign-in if they must."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
