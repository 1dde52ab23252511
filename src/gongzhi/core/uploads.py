"""Checking uploaded files before anything is written: the type is read from
the file's first bytes (never trusted from its name or the browser), with
limits on size and count. Work-order photos and case attachments use it.

And keeping uploads at rest: `private_dir` makes a directory only the server's
user can enter (0700, also when it existed before), and `purge_older_than`
removes what a crashed or abandoned job left behind after the retention period
(settings.UPLOAD_RETENTION_HOURS; the resident import's uploads and reports).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

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


def private_dir(path: Path) -> Path:
    """`path`, created if need be, with mode 0700: the files in it are personal data."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def write_private(path: Path, chunks) -> Path:
    """A new file readable by the server's user only (0600 from the start, not chmod'ed after)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return path


def purge_older_than(directory: Path, hours: float, *, now: float | None = None) -> list[Path]:
    """Removes the files in `directory` last changed more than `hours` ago; returns them."""
    if not directory.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - hours * 3600
    removed = []
    for entry in os.scandir(directory):
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except FileNotFoundError:  # removed meanwhile (its job ended)
            continue
    return removed
