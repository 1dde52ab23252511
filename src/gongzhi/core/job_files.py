"""The files a queued job reads and writes (an import's upload and its rejected-rows report, a large
export's filters and its workbook), kept in the platform's storage (core/storage.py) under `jobs/`,
so that the node that receives an upload, the worker that runs the job and the node that serves the
download need not be one machine: on several nodes the storage is an S3-compatible store or one
shared mount.

A job works on a private local copy (xlsx readers and writers need a seekable file): `local_copy`
brings a stored file down for the job's run, `put` sends a finished file up. Names stored in
`core.Job.input_path` / `result_path` are storage names (`jobs/imports/…`); an absolute path there is a
job from before this module (a local file), still honoured. These files are transient personal data:
deleted when their job no longer needs them, purged after their retention period, and left out of
backups (core/backup.py).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from gongzhi.core.uploads import private_dir

PREFIX = "jobs"


def name_for(kind: str, filename: str) -> str:
    """The storage name of a job file: jobs/<kind>/<filename>."""
    return f"{PREFIX}/{kind}/{filename}"


def is_local(name: str) -> bool:
    return os.path.isabs(name)


def save(name: str, content) -> str:
    """Store `content` (an upload, a ContentFile) under `name` (a new name if taken: nothing is
    overwritten); returns the name kept."""
    return default_storage.save(name, content)


def put(path: Path, name: str) -> str:
    """Store the local file `path` under `name`; returns the name kept."""
    if is_local(name):  # a job from before the storage: its file stays where it was meant to be
        shutil.copyfile(path, name)
        return name
    with open(path, "rb") as fh:
        return default_storage.save(name, File(fh, name=os.path.basename(name)))


def exists(name: str) -> bool:
    if not name:
        return False
    return Path(name).exists() if is_local(name) else default_storage.exists(name)


def open_for_reading(name: str):
    return open(name, "rb") if is_local(name) else default_storage.open(name, "rb")


def read_text(name: str) -> str:
    with open_for_reading(name) as fh:
        return fh.read().decode("utf-8")


def delete(name: str) -> None:
    if not name:
        return
    if is_local(name):
        Path(name).unlink(missing_ok=True)
    elif default_storage.exists(name):
        default_storage.delete(name)


@contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """The stored file as a private local file of the same base name for the length of the block
    (the file itself when it is already local). Raises FileNotFoundError when it is gone."""
    if is_local(name):
        if not Path(name).exists():
            raise FileNotFoundError(name)
        yield Path(name)
        return
    if not default_storage.exists(name):
        raise FileNotFoundError(name)
    with scratch(os.path.basename(name)) as path:
        with default_storage.open(name, "rb") as src, open(path, "xb") as out:
            os.chmod(path, 0o600)
            shutil.copyfileobj(src, out, 1 << 20)
        yield path


@contextmanager
def scratch(filename: str) -> Iterator[Path]:
    """A private local path named `filename` (not yet created) for the length of the block, in a
    directory of its own that is removed afterwards with whatever was written there."""
    directory = Path(tempfile.mkdtemp(dir=private_dir(Path(settings.DATA_DIR) / "tmp")))  # 0700
    try:
        yield directory / filename
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def download_once(name: str):
    """The stored file as an anonymous local file (gone when closed), and deleted from the storage:
    a finished export is personal data, handed over once."""
    out = tempfile.TemporaryFile(dir=private_dir(Path(settings.DATA_DIR) / "tmp"))
    with open_for_reading(name) as src:
        shutil.copyfileobj(src, out, 1 << 20)
    out.seek(0)
    delete(name)
    return out


def purge_scratch(hours: float, *, now: float | None = None) -> int:
    """Remove the local working directories (`scratch`, `local_copy`) of jobs whose worker was killed
    before it could, once older than `hours`: they may hold a copy of an upload. Returns how many."""
    import time

    root = Path(settings.DATA_DIR) / "tmp"
    if not root.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - hours * 3600
    removed = 0
    for entry in os.scandir(root):
        try:
            if entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                shutil.rmtree(entry.path)
                removed += 1
        except FileNotFoundError:  # its job finished meanwhile
            continue
    return removed


def purge(kind: str, hours: float, *, now: float | None = None) -> list[str]:
    """Delete the stored job files of `kind` last changed more than `hours` before `now` (a Unix
    time; the present by default); returns their names."""
    directory = f"{PREFIX}/{kind}"
    try:
        _, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return []
    at = timezone.now() if now is None else dt.datetime.fromtimestamp(now, tz=dt.timezone.utc)
    cutoff = at - dt.timedelta(hours=hours)
    removed = []
    for filename in files:
        name = f"{directory}/{filename}"
        try:
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                removed.append(name)
        except FileNotFoundError:  # its job ended meanwhile
            continue
    return removed
