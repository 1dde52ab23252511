"""Throttling sign-ins by source address, and alerts on sustained attempts.

django-axes locks one account from one address for a fixed time. Above that:
- a source address that failed LOGIN_SOURCE_FAILURE_LIMIT sign-ins (any usernames) within
  LOGIN_SOURCE_WINDOW_MINUTES waits (429) until enough of them leave the window;
- LOGIN_ALERT_FAILURES failures for one account, or from one address, within
  LOGIN_ALERT_WINDOW_MINUTES raise a security alert (an audit event of kind alert, shown on the
  home page of the administrators, the security administrators and the auditors until handled).

The counts are read from the audit trail itself (indexed by action, address/username and time),
not from a per-process cache: every worker and every node behind the proxy sees the same count.
"""
from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.utils import timezone

from gongzhi.audit.models import AuditAction, AuditEvent, Outcome

THROTTLED = "来自您所在网络地址的登录失败次数过多,为保护账号安全,请 {minutes} 分钟后再试。如需帮助请联系安全管理员。"


def _window(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def source_wait(ip: str | None) -> int:
    """Seconds `ip` must wait before trying to sign in again (0: it may try now)."""
    if not ip:
        return 0
    limit, minutes = settings.LOGIN_SOURCE_FAILURE_LIMIT, settings.LOGIN_SOURCE_WINDOW_MINUTES
    if limit <= 0:
        return 0
    times = list(AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, ip=ip, at__gte=_window(minutes))
                 .order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return 0
    # the limit-th latest failure leaves the window then, and the address is below the limit again
    free_at = times[-1] + dt.timedelta(minutes=minutes)
    return max(1, math.ceil((free_at - timezone.now()).total_seconds()))


def after_failure(request, *, ip: str | None, username: str) -> None:
    """Called after a failed sign-in was recorded: the throttle's start and the alerts."""
    from gongzhi.audit.services import record

    if ip:
        limit = settings.LOGIN_SOURCE_FAILURE_LIMIT
        failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, ip=ip,
                                             at__gte=_window(settings.LOGIN_SOURCE_WINDOW_MINUTES)).count()
        if limit > 0 and failures == limit:
            record(request, AuditAction.LOGIN_THROTTLED, username=username, outcome=Outcome.REFUSED,
                   object_type="来源地址", object_id=ip, label=ip,
                   detail=f"{settings.LOGIN_SOURCE_WINDOW_MINUTES} 分钟内登录失败 {failures} 次,暂停该地址登录")
    threshold, minutes = settings.LOGIN_ALERT_FAILURES, settings.LOGIN_ALERT_WINDOW_MINUTES
    if threshold <= 0:
        return
    since = _window(minutes)
    checks = [(AuditAction.ALERT_ACCOUNT, "账号", username, {"actor_username": username})]
    if ip:
        checks.append((AuditAction.ALERT_SOURCE, "来源地址", ip, {"ip": ip}))
    for action, object_type, key, lookup in checks:
        if not key:
            continue
        failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, at__gte=since, **lookup).count()
        if failures < threshold:
            continue
        if AuditEvent.objects.filter(action=action, object_id=key[:64], at__gte=since).exists():
            continue  # one alert per account or address and window
        who = f"账号 {key}" if action == AuditAction.ALERT_ACCOUNT else f"来源地址 {key}"
        record(request, action, username=username, outcome=Outcome.REFUSED, object_type=object_type,
               object_id=key[:64], label=key,
               detail=f"{who} 在 {minutes} 分钟内登录失败 {failures} 次,疑似持续尝试密码")
