"""Password rules for MLPS 2.0 level 3 (GB/T 22239-2019 8.1.4.1 a: 口令具有复杂度要求并定期更换).

The validators are Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), so every place
that sets a password through a form (`validate_password`) applies all of them: length
(GONGZHI_PASSWORD_MIN_LENGTH), three of four character classes, not like the username or name, not a
common password, not one of the last GONGZHI_PASSWORD_HISTORY passwords. Messages are Chinese and
are module constants the tests assert against.

`password_expired(user)`: the password is older than GONGZHI_PASSWORD_MAX_AGE_DAYS (0: never).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import password_validation as django_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

ERR_TOO_SHORT = "密码太短:至少需要 {n} 个字符。"
ERR_CLASSES = "密码须包含大写字母、小写字母、数字、符号这四类中的至少 {n} 类。"
ERR_SIMILAR = "密码与{what}太相似。"
ERR_COMMON = "这个密码太常见,容易被猜中。"
ERR_REUSED = "新密码不能与最近 {n} 次用过的密码相同。"

HELP_TOO_SHORT = "至少 {n} 个字符"
HELP_CLASSES = "包含大写字母、小写字母、数字、符号中的至少 {n} 类"
HELP_SIMILAR = "不能与用户名、姓名相似"
HELP_COMMON = "不能是常见密码"
HELP_REUSED = "不能与最近 {n} 次用过的密码相同"

# What the similarity message calls each attribute.
_ATTRIBUTE_NAMES = {"username": "用户名", "display_name": "姓名", "email": "电子邮箱",
                    "first_name": "名字", "last_name": "姓氏"}


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(ERR_TOO_SHORT.format(n=self.min_length), code="password_too_short")

    def get_help_text(self):
        return HELP_TOO_SHORT.format(n=self.min_length)


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols (anything else) the password uses."""
    return sum((any(c.isupper() for c in password), any(c.islower() for c in password),
                any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))


class CharacterClassValidator:
    """At least `min_classes` of the four character classes (upper, lower, digit, symbol)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(ERR_CLASSES.format(n=self.min_classes), code="password_too_simple")

    def get_help_text(self):
        return HELP_CLASSES.format(n=self.min_classes)


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    """Django's check (username, name...), plus: the password does not contain one of them; the message
    in Chinese names what it is like."""

    def __init__(self, user_attributes=("username", "display_name", "email"), max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def validate(self, password, user=None):
        if not user:
            return
        for attribute in self.user_attributes:
            value = getattr(user, attribute, None)
            # Django measures similarity over the whole string; a password that merely contains the
            # user name ("zhangsan2026!") is refused as well
            contains = isinstance(value, str) and len(value) >= 4 and value.lower() in password.lower()
            try:
                if contains:
                    raise ValidationError("")
                django_validation.UserAttributeSimilarityValidator(
                    user_attributes=(attribute,), max_similarity=self.max_similarity).validate(password, user)
            except ValidationError:
                raise ValidationError(ERR_SIMILAR.format(what=_ATTRIBUTE_NAMES.get(attribute, attribute)),
                                      code="password_too_similar") from None

    def get_help_text(self):
        return HELP_SIMILAR


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(ERR_COMMON, code="password_too_common") from None

    def get_help_text(self):
        return HELP_COMMON


class PasswordHistoryValidator:
    """A new password may not be any of the user's last `keep` passwords (the current one included).
    Django calls `password_changed` after every saved password change: that is where the hash is kept."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password, user=None):
        if self.keep <= 0 or user is None or user.pk is None:
            return
        hashes = [user.password] if user.password else []
        hashes += self._recent(user).values_list("password", flat=True)
        if any(check_password(password, h) for h in hashes):
            raise ValidationError(ERR_REUSED.format(n=self.keep), code="password_reused")

    def password_changed(self, password, user=None):
        if self.keep <= 0 or user is None or user.pk is None or not user.has_usable_password():
            return
        from gongzhi.accounts.models import PasswordHistory
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = list(self._recent(user).values_list("pk", flat=True)[self.keep:])
        if stale:
            PasswordHistory.objects.filter(pk__in=stale).delete()

    def _recent(self, user):
        from gongzhi.accounts.models import PasswordHistory
        return PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk")

    def get_help_text(self):
        return HELP_REUSED.format(n=self.keep)


def password_expired(user) -> bool:
    """The password is older than GONGZHI_PASSWORD_MAX_AGE_DAYS (0: passwords never expire)."""
    days = settings.GONGZHI_PASSWORD_MAX_AGE_DAYS
    if days <= 0 or not user.has_usable_password():
        return False
    changed = user.password_changed_at or user.date_joined
    return timezone.now() - changed > dt.timedelta(days=days)
