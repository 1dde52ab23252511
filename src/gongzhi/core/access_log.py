from gongzhi.core.models import AccessLog


def access_log_write(*, user, action: str, target: str, detail: str = "", request=None) -> AccessLog:
    from gongzhi.audit.services import client_ip
    ip = client_ip(request)  # behind the proxy, the client's address (settings.TRUSTED_PROXIES)
    return AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        username=getattr(user, "username", "") or "system",
        action=action, target=target[:200], detail=detail[:500], ip=ip,
    )


# Cybersecurity Law art. 21: network logs are kept no less than six months.
MIN_RETENTION_DAYS = 183
ERR_RETENTION = "访问日志至少保留 {days} 天:只能清理 {limit} 之前的记录 (logs are kept at least {days} days)"


def access_log_purge(*, before, today=None) -> int:
    """Delete entries older than `before`, never any younger than the legal minimum."""
    import datetime as dt

    from django.utils import timezone

    today = today or timezone.localdate()
    limit = today - dt.timedelta(days=MIN_RETENTION_DAYS)
    if before > limit:
        raise ValueError(ERR_RETENTION.format(days=MIN_RETENTION_DAYS, limit=limit))
    start = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    # QuerySet.delete() bypasses AccessLog.delete(), which refuses single deletes from the UI.
    deleted, _ = AccessLog.objects.filter(at__lt=start).delete()
    from gongzhi.audit.services import AuditAction, record
    record(None, AuditAction.ACCESS_LOG_PURGE, object_type="访问日志", label=f"{before} 之前的访问日志",
           after={"清理早于": before.isoformat(), "删除条数": deleted})
    return deleted
