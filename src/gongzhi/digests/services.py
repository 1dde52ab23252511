"""Every write of the digests module: preferences, the unsubscribe link and its undo, follows.

Each function validates all its input before changing anything, in one transaction; a refusal is a
`DigestError` (core.errors.RuleError: a Chinese message naming the field, 422) and changes nothing.
"""
from __future__ import annotations

import re

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.core import notices
from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.digests.models import Follow, Frequency, Preference, PreferenceChange, Via

UNSUBSCRIBE_SALT = "gongzhi.digests.unsubscribe"
UNDO_SALT = "gongzhi.digests.undo"
ALL = "*"


def link_days() -> int:
    """How long an unsubscribe link in a digest works (GONGZHI_DIGEST_LINK_DAYS, 30 by default)."""
    return int(getattr(settings, "GONGZHI_DIGEST_LINK_DAYS", 30))


ERR_KIND = "通知类别「{kind}」不存在"
ERR_FREQUENCY = "「{label}」的发送方式「{value}」无效,请选择即时、每日摘要、每周摘要或不发送"
ERR_STALE = "通知设置已在别处修改过,请刷新页面后重新选择"
ERR_LINK_TAMPERED = "退订链接无效(可能被改动或复制不全),未做任何更改"
ERR_LINK_EXPIRED = "退订链接已过期({days} 天内有效),未做任何更改;请登录后在“通知设置”中修改"
ERR_LINK_USER = "退订链接对应的账号不存在,未做任何更改"
ERR_INACTIVE = "账号「{user}」已停用,不发送摘要"
ERR_FOLLOW_TARGET = "关注对象类别「{target}」不存在"
ERR_NOT_FOLLOWING = "您没有关注这个{label}"


class DigestError(RuleError):
    """A preference, link or follow breaks a rule (a Chinese message; nothing changed)."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def shown(value, limit: int = 20) -> str:
    """A value from the request as it may appear in a message: no control characters, cut short."""
    text = _CONTROL.sub("", str(value))
    return text[:limit] + ("…" if len(text) > limit else "")


# -- preferences -------------------------------------------------------------------------
def kind_of(key) -> notices.NoticeKind:
    kind = notices.kinds().get(key) if isinstance(key, str) else None
    if kind is None:
        raise DigestError(ERR_KIND.format(kind=shown(key)))
    return kind


def frequency_of(kind: notices.NoticeKind, value) -> str:
    if value not in Frequency.values:
        raise DigestError(ERR_FREQUENCY.format(label=kind.label, value=shown(value)))
    return value


def stamp(user) -> int:
    """The user's latest preference change (0 for none): the preferences form's version."""
    last = PreferenceChange.objects.filter(user=user).order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def preferences_set(*, user, choices: dict, seen: int | None = None, via: str = Via.PAGE, now=None) -> int:
    """Set the user's frequency per kind (`choices`: kind → frequency). Every kind and frequency is
    checked before anything is written; `seen` is the form's `stamp` (a stale form: ConflictError).
    Returns how many kinds changed."""
    if not user.is_active:
        raise DigestError(ERR_INACTIVE.format(user=user.username))
    wanted = {kind_of(key).key: frequency_of(kind_of(key), value) for key, value in choices.items()}
    now = now or timezone.now()
    with transaction.atomic():
        _lock_user(user)  # one writer per user at a time
        if seen is not None and stamp(user) != seen:
            raise ConflictError(ERR_STALE)
        return _apply(user, wanted, via, now)


def _lock_user(user) -> None:
    from gongzhi.accounts.models import User
    User.objects.select_for_update().filter(pk=user.pk).first()


def _apply(user, wanted: dict[str, str], via: str, now) -> int:
    current = dict(Preference.objects.filter(user=user, kind__in=list(wanted)).values_list("kind", "frequency"))
    changed = 0
    for kind, frequency in wanted.items():
        old = current.get(kind, Frequency.INSTANT)
        if old == frequency:
            continue
        Preference.objects.update_or_create(user=user, kind=kind,
                                            defaults={"frequency": frequency, "updated_at": now})
        PreferenceChange.objects.create(user=user, kind=kind, old=old, new=frequency, via=via, at=now)
        changed += 1
    return changed


def frequencies_of(user) -> dict[str, str]:
    """Every registered kind → the user's frequency (即时 where they chose nothing)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "frequency"))
    return {key: chosen.get(key, Frequency.INSTANT) for key in notices.kinds()}


# -- the unsubscribe link and its undo ---------------------------------------------------
def unsubscribe_token(user, kind: str = ALL) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def _load(token, salt: str) -> dict:
    try:
        data = signing.loads(str(token)[:2000], salt=salt, max_age=link_days() * 86400)
    except signing.SignatureExpired:
        raise DigestError(ERR_LINK_EXPIRED.format(days=link_days())) from None
    except signing.BadSignature:
        raise DigestError(ERR_LINK_TAMPERED) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise DigestError(ERR_LINK_TAMPERED)
    return data


def _user(pk):
    from gongzhi.accounts.models import User
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise DigestError(ERR_LINK_USER)
    return user


def read_unsubscribe(token) -> tuple:
    """(user, the kinds the link would switch off) without changing anything: the confirmation page."""
    data = _load(token, UNSUBSCRIBE_SALT)
    user = _user(data["u"])
    key = data.get("k")
    if key == ALL:
        current = frequencies_of(user)
        return user, [k for k in notices.kinds().values() if current[k.key] in (Frequency.DAILY, Frequency.WEEKLY)]
    return user, [kind_of(key)]


def unsubscribe(*, token, now=None) -> tuple:
    """Switch the link's kind (or every digest) off. Returns (user, changes, undo token); a second
    use changes nothing more."""
    user, kinds = read_unsubscribe(token)
    now = now or timezone.now()
    with transaction.atomic():
        _lock_user(user)
        before = frequencies_of(user)
        changes = [[k.key, before[k.key]] for k in kinds if before[k.key] != Frequency.OFF]
        _apply(user, {key: Frequency.OFF for key, _ in changes}, Via.LINK, now)
    return user, changes, signing.dumps({"u": user.pk, "c": changes}, salt=UNDO_SALT)


def read_undo(token) -> tuple:
    data = _load(token, UNDO_SALT)
    changes = data.get("c")
    if not isinstance(changes, list) or not all(
            isinstance(c, list) and len(c) == 2 and c[1] in Frequency.values for c in changes):
        raise DigestError(ERR_LINK_TAMPERED)
    return _user(data["u"]), changes


def undo(*, token, now=None) -> tuple:
    """Put back what an unsubscribe switched off, for each kind still off. Returns (user, restored)."""
    user, changes = read_undo(token)
    now = now or timezone.now()
    with transaction.atomic():
        _lock_user(user)
        current = frequencies_of(user)
        wanted = {key: old for key, old in changes if key in current and current[key] == Frequency.OFF}
        _apply(user, wanted, Via.UNDO, now)
    return user, len(wanted)


# -- follows -------------------------------------------------------------------------------
def followable_of(target) -> notices.Followable:
    found = notices.followables().get(target) if isinstance(target, str) else None
    if found is None:
        raise DigestError(ERR_FOLLOW_TARGET.format(target=shown(target)))
    return found


def follow(*, user, target: str, target_id, now=None):
    """Follow a thing the user may see now (else None: the caller answers 404). Following twice keeps one row."""
    followable = followable_of(target)
    obj = notices.access_followable(followable, user, target_id)
    if obj is None:
        return None
    now = now or timezone.now()
    try:
        with transaction.atomic():
            row, _ = Follow.objects.get_or_create(user=user, target=followable.key, target_id=obj.pk,
                                                  ended_at=None, defaults={"started_at": now})
    except IntegrityError:  # the same click twice at once: the other one made the row
        row = Follow.objects.get(user=user, target=followable.key, target_id=obj.pk, ended_at=None)
    return row


def unfollow(*, user, target: str, target_id, now=None):
    """Stop following (the row is ended, not deleted). None when the thing is out of the user's sight."""
    followable = followable_of(target)
    obj = notices.access_followable(followable, user, target_id)
    if obj is None:
        return None
    ended = Follow.objects.filter(user=user, target=followable.key, target_id=obj.pk, ended_at=None) \
        .update(ended_at=now or timezone.now())
    if not ended:
        raise DigestError(ERR_NOT_FOLLOWING.format(label=followable.label))
    return obj


def is_following(user, target: str, target_id) -> bool:
    return Follow.objects.filter(user=user, target=target, target_id=target_id, ended_at=None).exists()


def tell_followers(obj, *, text: str, now=None, exclude=()) -> int:
    """Send a step of a followed thing to its followers (those who may still see it), through its
    registered kind: each follower's choice for that kind (即时, digest, off) decides how it reaches them.
    `exclude`: users the module already told (the proposer, the supporters). Returns how many."""
    from gongzhi.workorders import notify
    subject_type = notices.subject_type_of(obj)
    followable = next((f for f in notices.followables().values() if f.subject_type == subject_type), None)
    if followable is None:
        return 0
    from gongzhi.accounts.models import User
    ids = set(Follow.objects.filter(target=followable.key, target_id=obj.pk, ended_at=None,
                                    user__is_active=True).values_list("user_id", flat=True)) - set(exclude)
    users = User.objects.filter(pk__in=ids)
    to = [u.pk for u in users if notices.access_followable(followable, u, obj.pk) is not None]
    return notify.notify(to, order=None, kind=followable.kind, text=text, now=now, subject=obj)
