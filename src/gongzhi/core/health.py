"""`/healthz`, `/readyz` and `/metrics` (docs/operations.md "Observability").

- `/healthz`: the process answers (no database, no cache): a load balancer's liveness check.
- `/readyz`: the database answers, every migration is applied, the cache answers; 503 with the
  failing check's name otherwise. Neither says anything about people, nor who is asking.
- `/metrics`: Prometheus text, for a scraper holding GONGZHI_METRICS_TOKEN (`Authorization: Bearer …`)
  or, without a token, for callers on this machine that came through no proxy.
"""
from __future__ import annotations

import hmac
import ipaddress
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from gongzhi.core.permissions import public

_MIGRATIONS_APPLIED = False  # once true in a process it stays true (migrations are not unapplied under it)


@public
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _migrations() -> str:
    global _MIGRATIONS_APPLIED
    if not _MIGRATIONS_APPLIED:
        from django.db.migrations.executor import MigrationExecutor
        executor = MigrationExecutor(connections["default"])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return f"{len(plan)} unapplied"
        _MIGRATIONS_APPLIED = True
    return "ok"


def _cache() -> str:
    probe, value = "gongzhi:readyz", uuid.uuid4().hex
    cache.set(probe, value, 30)
    return "ok" if cache.get(probe) == value else "no answer"


@public
@never_cache
def readyz(request):
    checks = {}
    for name, check in (("database", _database), ("migrations", _migrations), ("cache", _cache)):
        if name == "migrations" and checks["database"] != "ok":
            checks[name] = "not checked"
            continue
        try:
            checks[name] = check()
        except Exception as exc:  # what failed, by kind; no connection strings or hosts
            checks[name] = f"error: {type(exc).__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


def _loopback_direct(request) -> bool:
    """From this machine and not relayed by a proxy (a proxy on this machine adds X-Forwarded-For)."""
    if any(h in request.META for h in ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics_allowed(request) -> bool:
    token = settings.GONGZHI_METRICS_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        return given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode())
    return _loopback_direct(request)


@public  # no user's capability: a scraper's token, or this machine; counts only, nothing about people
@never_cache
def metrics(request):
    if not metrics_allowed(request):
        return HttpResponse("指标接口仅限配置的令牌或本机访问\n", status=403, content_type="text/plain; charset=utf-8")
    from prometheus_client import CONTENT_TYPE_LATEST

    from gongzhi.core.observability import exposition
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
