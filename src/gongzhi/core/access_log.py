from gongzhi.core.models import AccessLog


def access_log_write(*, user, action: str, target: str, detail: str = "", request=None) -> AccessLog:
    ip = None
    if request is not None:
        ip = request.META.get("REMOTE_ADDR")
    return AccessLog.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        username=getattr(user, "username", "") or "system",
        action=action, target=target[:200], detail=detail[:500], ip=ip,
    )
