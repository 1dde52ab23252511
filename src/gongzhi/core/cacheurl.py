"""`GONGZHI_CACHE_URL` → Django's CACHES (read by settings.py; no Django imports here).

    redis://[:password@]host:port/db   Redis (Django's built-in RedisCache): many nodes
    rediss://...                       the same over TLS
    db://[table]                       the database (DatabaseCache, table gongzhi_cache by
                                       default; `gongzhi createcachetable` makes it): many
                                       nodes, no extra server
    file:///path                       files on this machine (FileBasedCache): one node,
                                       all of its worker processes
    locmem://                          this process only (tests of a single process)

Unset: files under DATA_DIR/cache. No server is needed, and every gunicorn worker of the
one node sees the same entries, so a revoked key or an edited category is gone for all of
them at once. Two or more nodes need a shared URL (Redis or the database):
docs/operations.md.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

KEY_PREFIX = "gongzhi"


class CacheUrlError(ValueError):
    pass


def parse(url: str | None, *, data_dir: Path) -> dict:
    url = (url or "").strip()
    if not url:
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(data_dir / "cache"), "KEY_PREFIX": KEY_PREFIX,
                "OPTIONS": {"MAX_ENTRIES": 10000}}
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("redis", "rediss", "unix"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                "KEY_PREFIX": KEY_PREFIX,
                # a cache server that stops answering costs a request at most a second, not a hung worker
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    if scheme in ("db", "database"):
        table = urlsplit(url).netloc or urlsplit(url).path.strip("/") or "gongzhi_cache"
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table,
                "KEY_PREFIX": KEY_PREFIX, "OPTIONS": {"MAX_ENTRIES": 100000}}
    if scheme == "file":
        path = urlsplit(url).path
        if not path:
            raise CacheUrlError(f"GONGZHI_CACHE_URL {url!r}: file:// needs a directory, e.g. file:///var/cache/gongzhi")
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": path,
                "KEY_PREFIX": KEY_PREFIX, "OPTIONS": {"MAX_ENTRIES": 10000}}
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gongzhi",
                "KEY_PREFIX": KEY_PREFIX}
    raise CacheUrlError(f"GONGZHI_CACHE_URL {url!r}: unknown kind {scheme!r} "
                        "(redis://, rediss://, db://, file:///path or locmem://)")


def shared_between_nodes(config: dict) -> bool:
    """Can two machines see the same entries (Redis or the database)?"""
    return config["BACKEND"].rsplit(".", 1)[-1] in ("RedisCache", "DatabaseCache")
