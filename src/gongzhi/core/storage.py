"""Where stored files live: one storage for every uploaded or generated file that is kept
(work-order photos, case files, governance and admission documents, disclosure attachments).

Django's storage API is the one way in and out: models hold them in FileFields, pages serve them
with `field.open()`, and the backup reads and writes them through `default_storage`. Which storage
is chosen by GONGZHI_STORAGE_URL:

  (unset) or file:///path      local disk: DATA_DIR/media (or the path), files 0600 in 0700 directories
  s3://KEY:SECRET@HOST:PORT/BUCKET[/PREFIX]?region=REGION&secure=0|1
                               an S3-compatible object store (MinIO, Ceph, a cloud's OSS/COS/S3) through
                               django-storages, shared by every app node. KEY and SECRET may be left out
                               and given as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; without HOST the
                               cloud's own endpoint is used. secure=0 talks plain HTTP (a store on loopback).

Files are never public: no ACL is set and files are served by the app after its scope check (the
storage's URLs are not used); an upload never overwrites another file of the same name.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

ERR_SCHEME = "GONGZHI_STORAGE_URL 只支持 file:// 或 s3:// 开头的地址: {url}"
ERR_BUCKET = "GONGZHI_STORAGE_URL 缺少存储桶名(s3://主机/存储桶): {url}"


class StorageURLError(ValueError):
    pass


def default_storage_setting(url: str | None, media_root: Path) -> dict:
    """The STORAGES["default"] entry for GONGZHI_STORAGE_URL."""
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme == "file":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": unquote(parts.path) or str(media_root)}}
    if parts.scheme != "s3":
        raise StorageURLError(ERR_SCHEME.format(url=_safe(url)))
    path = unquote(parts.path).strip("/")
    if not path and (parts.port or parts.username or not parts.hostname):
        raise StorageURLError(ERR_BUCKET.format(url=_safe(url)))
    endpoint = bool(path)  # s3://BUCKET alone: the cloud's own endpoint
    bucket, _, prefix = path.partition("/") if endpoint else (parts.hostname, "", "")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    secure = query.get("secure", "1") not in ("0", "false", "no")
    options = {"bucket_name": bucket, "location": prefix, "default_acl": None, "file_overwrite": False,
               "querystring_auth": True, "region_name": query.get("region") or None}
    if endpoint:
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        options["endpoint_url"] = f"{'https' if secure else 'http'}://{host}"
        options["use_ssl"] = secure
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def _safe(url: str) -> str:
    """The URL without its secret, for messages."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
