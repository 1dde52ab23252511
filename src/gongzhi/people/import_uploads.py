"""Where the import page keeps what it is given, and for how long.

DATA_DIR/imports (mode 0700) holds each upload (0600) while its job runs, the job's log (0600) and
the rejected-rows report (0600) for the user to download. The import command deletes the upload
when its job ends, refused or done; what a crashed or abandoned job leaves, and reports nobody
fetched, go after settings.UPLOAD_RETENTION_HOURS: `purge` runs before every new upload and as
`gongzhi purge_uploads` (a scheduler's hourly line, see README). Uploads are not encrypted at rest
(docs/security.md, "Imports": the reader needs a seekable plain file, and a decrypted copy would be
the same file again); deletion with a retention period keeps them short-lived instead.
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from gongzhi.core.models import Job, JobStatus
from gongzhi.core.uploads import private_dir, purge_older_than

IMPORT_DIR_NAME = "imports"
JOB_KIND = "import_residents"
ERR_PURGED = "上传的文件已超过保留期限({hours:g} 小时)被删除,导入没有完成;请重新上传"


def import_dir() -> Path:
    return private_dir(Path(settings.DATA_DIR) / IMPORT_DIR_NAME)


def purge(*, hours: float | None = None, now: float | None = None) -> list[Path]:
    """Removes the files older than the retention period; a job still queued or running whose upload
    went with them ended long ago without saying so, and is marked failed with the reason."""
    hours = settings.UPLOAD_RETENTION_HOURS if hours is None else hours
    removed = purge_older_than(import_dir(), hours, now=now)
    paths = [str(p) for p in removed]
    for i in range(0, len(paths), 500):
        Job.objects.filter(kind=JOB_KIND, status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
                           input_path__in=paths[i:i + 500]).update(
            status=JobStatus.FAILED, message=ERR_PURGED.format(hours=hours), finished_at=timezone.now())
    return removed
