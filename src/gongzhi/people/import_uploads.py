"""Where the import page keeps what it is given, and for how long.

The platform's storage under jobs/imports (core/job_files.py; on several nodes a shared store) holds
each upload while its job runs and the rejected-rows report for the user to download; the worker
reads a private local copy. The job deletes the upload when it ends, refused or done; what a crashed
or abandoned job leaves, and reports nobody fetched, go after settings.UPLOAD_RETENTION_HOURS:
`purge` runs before every new upload and as `gongzhi purge_uploads` (a scheduler's hourly line, see
README). DATA_DIR/imports (mode 0700) still holds the files of jobs started before the storage was
used, and the command line's own files. Uploads are not encrypted at rest (docs/security.md,
"Imports": the reader needs a seekable plain file, and a decrypted copy would be the same file
again); deletion with a retention period keeps them short-lived instead.
"""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import timezone

from gongzhi.core import job_files
from gongzhi.core.models import Job, JobStatus
from gongzhi.core.uploads import private_dir, purge_older_than

IMPORT_DIR_NAME = "imports"
JOB_KIND = "import_residents"
ERR_PURGED = "上传的文件已超过保留期限({hours:g} 小时)被删除,导入没有完成;请重新上传"


def import_dir() -> Path:
    return private_dir(Path(settings.DATA_DIR) / IMPORT_DIR_NAME)


def stored_name(filename: str) -> str:
    """The storage name of an import's file (its upload or its report)."""
    return job_files.name_for(IMPORT_DIR_NAME, filename)


def purge(*, hours: float | None = None, now: float | None = None) -> list[str]:
    """Removes the files older than the retention period (local paths and storage names); a job
    still queued or running whose upload went with them ended long ago without saying so, and is
    marked failed with the reason."""
    hours = settings.UPLOAD_RETENTION_HOURS if hours is None else hours
    paths = [str(p) for p in purge_older_than(import_dir(), hours, now=now)]
    paths += job_files.purge(IMPORT_DIR_NAME, hours, now=now)
    job_files.purge_scratch(hours, now=now)  # a killed worker's local copy
    for i in range(0, len(paths), 500):
        Job.objects.filter(kind=JOB_KIND, status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
                           input_path__in=paths[i:i + 500]).update(
            status=JobStatus.FAILED, message=ERR_PURGED.format(hours=hours), finished_at=timezone.now())
    return paths
