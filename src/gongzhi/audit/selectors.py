"""Reading the audit trail. The trail is the platform's (one district per deployment) and has no
place of its own: a scope narrowed to view_audit or view_security_alerts is all it takes, and a scope
narrowed to anything else gets nothing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from gongzhi.audit.manifest import VIEW_ALERTS, VIEW_AUDIT
from gongzhi.audit.models import AuditEvent
from gongzhi.audit.services import open_alerts as _open_alerts
from gongzhi.core.scope import Scope

ERR_DATE = "{field}应为 yyyy-mm-dd 格式的日期,如 2026-01-31:{value}"
ERR_RANGE = "开始日期 {start} 晚于结束日期 {end}"


def _granted(scope: Scope, capability) -> bool:
    return scope.capability == capability and bool(scope.assignments)


@dataclass
class EventFilter:
    actor: str = ""
    action: str = ""
    kind: str = ""
    obj: str = ""
    ip: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def from_query(cls, get) -> tuple["EventFilter", list[str]]:
        """The page's query string; errors name the field and the value, in Chinese."""
        errors = []
        f = cls(actor=get.get("actor", "").strip()[:150], action=get.get("action", "").strip()[:30],
                kind=get.get("kind", "").strip()[:10], obj=get.get("object", "").strip()[:200],
                ip=get.get("ip", "").strip()[:45])
        for name, label in (("start", "开始日期"), ("end", "结束日期")):
            value = get.get(name, "").strip()
            if value:
                try:
                    setattr(f, name, dt.date.fromisoformat(value))
                except ValueError:
                    errors.append(ERR_DATE.format(field=label, value=value[:40]))
        if f.start and f.end and f.start > f.end:
            errors.append(ERR_RANGE.format(start=f.start, end=f.end))
            f.start = f.end = None
        return f, errors


def events(scope: Scope, f: EventFilter):
    """Events matching `f`, newest first; filtered by the database."""
    if not _granted(scope, VIEW_AUDIT):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if f.actor:
        qs = qs.filter(Q(actor_username__icontains=f.actor) | Q(actor_name__icontains=f.actor))
    if f.action:
        qs = qs.filter(action=f.action)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.obj:
        qs = qs.filter(Q(object_label__icontains=f.obj) | Q(object_id=f.obj) | Q(object_type=f.obj))
    if f.ip:
        qs = qs.filter(ip=f.ip) if _is_ip(f.ip) else qs.none()
    tz = timezone.get_current_timezone()
    if f.start:
        qs = qs.filter(at__gte=dt.datetime.combine(f.start, dt.time.min, tzinfo=tz))
    if f.end:
        qs = qs.filter(at__lt=dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.order_by("-at", "-id")


def _is_ip(value: str) -> bool:
    import ipaddress
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def open_alerts(scope: Scope):
    if not _granted(scope, VIEW_ALERTS):
        return AuditEvent.objects.none()
    return _open_alerts()
