"""Writing the audit trail: `record(...)`, one call where an administrative action happens.

    from gongzhi.audit import services as audit
    audit.record(request, AuditAction.CATEGORY_EDIT, obj=category, before=old, after=new)

`request_or_actor` is the request (its user and source address are taken), a user, or None
(the command line, or a service called inside a request: the request of the running thread is
used when there is one). Before/after keep only changed fields, never secrets (any key naming a
password, key, token, secret or hash is left out) and never a whole ID number or phone number
(masked as the lists mask them). Recording never breaks the action it records: a failure to
write is logged and re-raised only in DEBUG.
"""
from __future__ import annotations

import datetime as dt
import getpass
import logging
import re

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from gongzhi.audit.models import (
    ALERT_ACTIONS,
    MIN_RETENTION_DAYS,
    AuditAction,
    AuditEvent,
    AuditKind,
    Outcome,
    kind_of,
)

log = logging.getLogger(__name__)

SECRET_KEYS = re.compile(r"password|passwd|secret|token|key|hash|otp|recovery", re.I)
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
MAX_VALUE = 300


def current_request() -> HttpRequest | None:
    """The request this thread is serving (simple_history's middleware keeps it), if any."""
    from simple_history.models import HistoricalRecords
    return getattr(HistoricalRecords.context, "request", None)


def _trusted_proxies():
    import ipaddress

    from django.conf import settings
    nets = []
    for item in getattr(settings, "TRUSTED_PROXIES", ()):
        try:
            nets.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return nets


def _ip(value: str):
    import ipaddress
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The source address of `request` (django-axes reads the same: AXES_CLIENT_IP_CALLABLE).

    Behind the TLS proxy the socket's address (REMOTE_ADDR) is the proxy's, the same for everyone.
    When it is one of settings.TRUSTED_PROXIES (GONGZHI_TRUSTED_PROXIES: addresses or networks,
    default the local host), X-Forwarded-For is read from the right, past the trusted proxies: the
    first address left is the one that connected to them. Anyone else's X-Forwarded-For is ignored
    (a client cannot choose its own address)."""
    if request is None:
        return None
    remote = _ip(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    trusted = _trusted_proxies()
    if not any(remote in net for net in trusted):
        return str(remote)
    address = remote
    for hop in reversed((request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")[-20:]):
        hop_ip = _ip(hop)
        if hop_ip is None:
            break  # a malformed entry: trust nothing further left
        address = hop_ip
        if not any(hop_ip in net for net in trusted):
            break
    return str(address)


def _clean_text(value: str) -> str:
    value = ID_NUMBER.sub(lambda m: f"{m.group(1)[:4]}**********{m.group(2)[-2:]}", value)
    value = PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", value)
    return value[:MAX_VALUE]


def clean(data):
    """A JSON-able copy of `data` without secrets and with ID and phone numbers masked."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {str(k): clean(v) for k, v in data.items() if not SECRET_KEYS.search(str(k))}
    if isinstance(data, (list, tuple, set)):
        return [clean(v) for v in list(data)[:50]]
    if isinstance(data, (bool, int, float)):
        return data
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    return _clean_text(str(data))


def changed(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Only the fields whose value differs (both sides kept when one of them is missing)."""
    if not before or not after:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys if k in after}


def snapshot(obj, fields) -> dict | None:
    """{field's Chinese name: value} of `obj` for before/after (None for no object)."""
    if obj is None:
        return None
    out = {}
    for name in fields:
        try:
            label = str(obj._meta.get_field(name).verbose_name)
        except Exception:
            label = name
        value = getattr(obj, name, None)
        out[label] = value if isinstance(value, (bool, int, float, type(None))) else clean(value)
    return out


# models whose verbose name is Django's English (or none): what users call them
TYPE_NAMES = {"accounts.user": "账号", "accounts.roleassignment": "岗位"}


def _object(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = getattr(obj, "_meta", None)
    kind = (TYPE_NAMES.get(meta.label_lower) or str(meta.verbose_name)) if meta is not None else type(obj).__name__
    return kind[:40], str(getattr(obj, "pk", "") or "")[:64], _clean_text(str(obj))[:200]


def record(request_or_actor, action: str, obj=None, before=None, after=None, *, outcome: str = Outcome.OK,
           detail: str = "", username: str | None = None, label: str | None = None,
           object_type: str | None = None, object_id: str | None = None, ip: str | None = None) -> AuditEvent | None:
    """Append one event. Written on its own (a savepoint), so an action whose transaction later
    fails leaves no claim that it happened only when written inside it: call it where the action
    has been done."""
    try:
        request, actor = None, None
        if isinstance(request_or_actor, HttpRequest):
            request = request_or_actor
            user = getattr(request, "user", None)
            actor = user if user is not None and user.is_authenticated else None
        elif request_or_actor is not None:
            actor = request_or_actor
            request = current_request()
        else:
            request = current_request()
            user = getattr(request, "user", None) if request is not None else None
            actor = user if user is not None and user.is_authenticated else None
        if actor is None and request is None and username is None:
            username = "system"
            detail = (detail + " " if detail else "") + f"命令行(操作系统用户 {_os_user()})"
        kind, oid, olabel = _object(obj)
        before, after = changed(clean(before), clean(after))
        with transaction.atomic():
            return AuditEvent.objects.create(
                actor=actor, actor_username=(username if username is not None else getattr(actor, "username", ""))[:150],
                actor_name=(getattr(actor, "display_name", "") or "")[:50],
                ip=ip or client_ip(request), kind=kind_of(action), action=action,
                object_type=(object_type if object_type is not None else kind)[:40],
                object_id=(object_id if object_id is not None else oid)[:64],
                object_label=_clean_text(label if label is not None else olabel)[:200],
                before=before, after=after, outcome=outcome, detail=_clean_text(detail)[:500])
    except Exception:
        log.exception("audit record failed: %s", action)
        from django.conf import settings
        if settings.DEBUG:
            raise
        return None


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "?"


# -- alerts --------------------------------------------------------------------------------

def open_alerts(*, since_days: int = 30):
    """Alerts of the last `since_days` that nobody has marked handled, newest first."""
    since = timezone.now() - dt.timedelta(days=since_days)
    handled = AuditEvent.objects.filter(action=AuditAction.ALERT_ACK, at__gte=since).values("object_id")
    return (AuditEvent.objects.filter(kind=AuditKind.ALERT, at__gte=since)
            .exclude(pk__in=[int(x) for x in handled.values_list("object_id", flat=True) if x.isdigit()]))


ERR_NOT_ALERT = "未找到该告警,或已处理"


def alert_acknowledge(*, request, alert_id: int, note: str = "") -> AuditEvent:
    """Mark an open alert handled: a new event naming it (the alert itself never changes)."""
    alert = open_alerts().filter(pk=alert_id, action__in=ALERT_ACTIONS).first()
    if alert is None:
        raise ValueError(ERR_NOT_ALERT)
    return record(request, AuditAction.ALERT_ACK, object_type="安全告警", object_id=str(alert.pk),
                  label=alert.object_label or alert.get_action_display(), detail=note)


# -- retention -----------------------------------------------------------------------------

ERR_RETENTION = "审计日志至少保留 {days} 天:只能清理 {limit} 之前的记录 (audit records are kept at least {days} days)"


def audit_purge(*, before: dt.date, today: dt.date | None = None) -> int:
    """Delete events older than `before`, never any younger than the legal minimum. The one delete
    of the trail: raw SQL, since the ORM refuses; the database trigger allows exactly these rows."""
    today = today or timezone.localdate()
    limit = today - dt.timedelta(days=MIN_RETENTION_DAYS)
    if before > limit:
        raise ValueError(ERR_RETENTION.format(days=MIN_RETENTION_DAYS, limit=limit))
    start = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE at < %s", [start])
        deleted = cursor.rowcount
    record(None, AuditAction.AUDIT_PURGE, object_type="审计日志", label=f"{before} 之前的审计记录",
           after={"清理早于": before.isoformat(), "删除条数": deleted})
    return deleted
