"""Checking uploaded files before anything is written: the type is read from
the file's first bytes (never trusted from its name or the browser), with
limits on size and count. Work-order photos and case attachments use it."""
from __future__ import annotations

ERR_TYPE = "附件「{name}」格式不支持,只能上传 JPG、PNG、WEBP 图片或 PDF"
ERR_SIZE = "附件「{name}」超过 {mb} MB"
ERR_COUNT = "每次最多上传 {n} 个附件"
MAX_BYTES = 10 * 1024 * 1024
MAX_COUNT = 9

_MAGIC = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"))


class UploadError(ValueError):
    pass


def sniff(upload) -> str | None:
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_files(files, *, max_count: int = MAX_COUNT, max_bytes: int = MAX_BYTES) -> list[tuple]:
    """[(file, content_type)] for the non-empty uploads, or UploadError naming the file."""
    files = [f for f in files or [] if f]
    if len(files) > max_count:
        raise UploadError(ERR_COUNT.format(n=max_count))
    checked = []
    for f in files:
        if f.size > max_bytes:
            raise UploadError(ERR_SIZE.format(name=f.name, mb=max_bytes // (1024 * 1024)))
        content_type = sniff(f)
        if content_type is None:
            raise UploadError(ERR_TYPE.format(name=f.name))
        checked.append((f, content_type))
    return checked
