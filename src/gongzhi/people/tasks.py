"""The people layer's queue tasks (core/jobs.py): a browser import and a large export. Each runs in a
`gongzhi worker`, reports progress in its core.Job and may run again after a worker died (kill -9):
the import skips what is already in the registry, the export writes its file again. Their files are
in the shared storage (core/job_files.py): the worker need not be on the node that took the upload
or that serves the download."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils import timezone

from gongzhi.core import job_files
from gongzhi.core.jobs import background
from gongzhi.core.models import Job, JobStatus
from gongzhi.core.scope import Scope

ERR_EXPORT = "导出失败:{error}"


@background(retries=2, backoff=10)
def import_residents(*, job_id: int) -> dict | None:
    from gongzhi.people.import_uploads import ERR_PURGED
    from gongzhi.people.importer import ImportFileError, import_residents as run_import
    from gongzhi.people.manifest import IMPORT

    job = Job.objects.select_related("created_by").get(pk=job_id)
    by = job.created_by
    scope = Scope.for_user_capability(by, IMPORT) if by is not None else None
    report_name = job.result_path
    try:
        with job_files.local_copy(job.input_path) as upload, \
                job_files.scratch(Path(report_name).name or "rejected.xlsx") as report:
            result = run_import(path=upload, by=by, scope=scope, job=job,
                                report_path=report if report_name else None)
            kept = job_files.put(report, report_name) if result.report_path else ""
    except FileNotFoundError:  # the upload went with the retention purge before a worker got to it
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished_at=timezone.now(),
                                             message=ERR_PURGED.format(hours=settings.UPLOAD_RETENTION_HOURS))
        return None
    except (ImportFileError, PermissionDenied):
        job_files.delete(job.input_path)  # refused: the job says why; a retry would be refused the same way
        return None
    Job.objects.filter(pk=job.pk).update(result_path=kept)  # the stored report, not the worker's copy
    # a page's upload is kept no longer than its job (a transient failure keeps it for the retry;
    # what nobody retries goes with the retention purge, import_uploads.py)
    job_files.delete(job.input_path)
    return {"accepted": result.accepted, "rejected": result.rejected}


@background(retries=2, backoff=10)
def export_residents(*, job_id: int) -> int | None:
    from gongzhi.people.exporter import JOB_KIND

    job = Job.objects.select_related("created_by").filter(pk=job_id, kind=JOB_KIND).first()
    return None if job is None else run_export_job(job)


def run_export_job(job: Job) -> int | None:
    """Write the export a page queued: the filters and masking it stored, the caller's scope; the
    file goes to the storage under the job's result name. Returns the rows written, or None when
    it failed (the job says why). Also `gongzhi export residents --job ID`."""
    from gongzhi.people.exporter import export_residents as run_export

    try:
        request = json.loads(job_files.read_text(job.input_path))
    except (OSError, ValueError) as e:
        return _export_failed(job, f"无法读取导出条件 ({e})")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

    def progress(written: int, total: int | None) -> None:
        Job.objects.filter(pk=job.pk).update(processed=written, total=total)

    try:
        with job_files.scratch(Path(job.result_path).name) as result:
            count = run_export(
                path=result, scope=Scope.for_user(job.created_by), by=job.created_by,
                unmasked=bool(request.get("unmasked")), params=QueryDict(request.get("query", "")),
                progress=progress, request=SimpleNamespace(META={"REMOTE_ADDR": request.get("ip")}))
            kept = job_files.put(result, job.result_path)  # the local copy goes with the block
    except (PermissionDenied, OSError) as e:
        job_files.delete(job.input_path)
        return _export_failed(job, str(e))
    job_files.delete(job.input_path)  # the filters are kept until the file is written (a rerun reads them)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, processed=count, total=count, accepted=count,
                                         result_path=kept, finished_at=timezone.now())
    return count


def _export_failed(job: Job, error: str) -> None:
    job_files.delete(job.result_path)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message=ERR_EXPORT.format(error=error),
                                         finished_at=timezone.now())
    return None
