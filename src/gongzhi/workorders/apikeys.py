"""API keys for third-party Open311 clients: issue, check, list, revoke.

A key is shown once, when it is issued; the database keeps only its keyed
hash (crypto.keyed_hash), so a copy of the database does not give anyone a
working key. The first characters are kept in clear as a prefix, so an admin
can tell keys apart and revoke one without ever seeing it again.
"""
from __future__ import annotations

import datetime as dt
import secrets

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditAction
from gongzhi.core import caching, crypto
from gongzhi.workorders.models import ApiKey

ERR_NAME = "请填写密钥名称(说明是哪个客户端在用)"
ERR_PREFIX = "请给出密钥前缀"
ERR_PREFIX_UNKNOWN = "找不到前缀为 {prefix} 的有效密钥"
ERR_PREFIX_AMBIGUOUS = "前缀 {prefix} 对应多个有效密钥,请给出更长的前缀"

PREFIX_LENGTH = 8
# A busy client calls many times a second; one write a minute says enough about "last used".
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours.
MAX_KEY_LENGTH = 128


class ApiKeyError(ValueError):
    pass


def apikey_create(*, name: str, place=None, by=None) -> tuple[ApiKey, str]:
    """Issue a key, for `place` if given (its client then reads the full text and location of
    public orders there; see open311._request_item). Returns the row and the raw key, which is
    never stored."""
    name = (name or "").strip()
    if not name:
        raise ApiKeyError(ERR_NAME)
    raw = secrets.token_urlsafe(32)
    while raw.startswith("-"):  # a leading dash would read as an option on a command line
        raw = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(name=name[:80], prefix=raw[:PREFIX_LENGTH], key_hash=crypto.keyed_hash(raw),
                                created_by=by, place=place)
    audit.record(by, AuditAction.APIKEY_CREATE, obj=key, after={"名称": key.name, "前缀": key.prefix,
                                                                 "可见范围": place.name if place else "仅公开信息"})
    return key, raw


def apikey_check(raw: str | None) -> ApiKey | None:
    """The active key matching `raw`, or None. One indexed look-up; records
    the time of use at most once per LAST_USED_RESOLUTION."""
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_KEY_LENGTH:
        return None
    digest = crypto.keyed_hash(raw)
    # The answer is kept a minute in the shared cache (settings.CACHES: every process of every
    # node): a busy client then costs no query per request. A revocation writes "refused" there
    # (apikey_revoke), so the key stops working on every node at once.
    key = caching.remember(_cache_key(digest), lambda: _load(digest), CACHE_SECONDS)
    return key or None


def _load(digest: str):
    key = ApiKey.objects.filter(key_hash=digest, active=True).first()
    if key:
        _touch(key)
    return key or False


CACHE_SECONDS = 60


def _cache_key(digest: str) -> str:
    return f"gongzhi:apikey:{digest}"


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        # Conditional, so concurrent requests at the minute boundary write the row once.
        ApiKey.objects.filter(stale, pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def apikey_revoke(*, prefix: str) -> ApiKey:
    """Deactivate the one active key whose prefix starts with `prefix` (only the
    first PREFIX_LENGTH characters of a key are known to the database)."""
    prefix = (prefix or "").strip()
    if not prefix:
        raise ApiKeyError(ERR_PREFIX)
    matches = list(ApiKey.objects.filter(active=True, prefix__startswith=prefix[:PREFIX_LENGTH])[:2])
    if not matches:
        raise ApiKeyError(ERR_PREFIX_UNKNOWN.format(prefix=prefix))
    if len(matches) > 1:
        raise ApiKeyError(ERR_PREFIX_AMBIGUOUS.format(prefix=prefix))
    key = matches[0]
    key.active = False
    key.save(update_fields=["active"])
    audit.record(None, AuditAction.APIKEY_REVOKE, obj=key, before={"有效": True}, after={"有效": False})
    caching.put_tombstone(_cache_key(key.key_hash), False, CACHE_SECONDS)  # every node, at once
    return key


def apikey_list() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by", "place").order_by("-created_at", "-id")
