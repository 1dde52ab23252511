"""The people layer's queue tasks (core/jobs.py): a browser import and a large export. Each runs in a
`gongzhi worker`, reports progress in its core.Job and may run again after a worker died (kill -9):
the import skips what is already in the registry, the export writes its file again."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils import timezone

from gongzhi.core.jobs import background
from gongzhi.core.models import Job, JobStatus
from gongzhi.core.scope import Scope

ERR_EXPORT = "导出失败:{error}"


@background(retries=2, backoff=10)
def import_residents(*, job_id: int) -> dict | None:
    from gongzhi.people.importer import ImportFileError, import_residents as run_import
    from gongzhi.people.manifest import IMPORT

    job = Job.objects.select_related("created_by").get(pk=job_id)
    by = job.created_by
    scope = Scope.for_user_capability(by, IMPORT) if by is not None else None
    upload = Path(job.input_path)
    try:
        result = run_import(path=upload, by=by, scope=scope, job=job, report_path=job.result_path or None)
    except (ImportFileError, PermissionDenied):
        upload.unlink(missing_ok=True)  # refused: the job says why; a retry would be refused the same way
        return None
    # a page's upload is kept no longer than its job (a transient failure keeps it for the retry;
    # what nobody retries goes with the retention purge, import_uploads.py)
    upload.unlink(missing_ok=True)
    return {"accepted": result.accepted, "rejected": result.rejected}


@background(retries=2, backoff=10)
def export_residents(*, job_id: int) -> int | None:
    from gongzhi.people.exporter import JOB_KIND, export_residents as run_export

    job = Job.objects.select_related("created_by").filter(pk=job_id, kind=JOB_KIND).first()
    if job is None:
        return None
    params = Path(job.input_path)
    result = Path(job.result_path)
    try:
        request = json.loads(params.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return _export_failed(job, f"无法读取导出条件 ({e})")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

    def progress(written: int, total: int | None) -> None:
        Job.objects.filter(pk=job.pk).update(processed=written, total=total)

    try:
        count = run_export(
            path=result, scope=Scope.for_user(job.created_by), by=job.created_by,
            unmasked=bool(request.get("unmasked")), params=QueryDict(request.get("query", "")),
            progress=progress, request=SimpleNamespace(META={"REMOTE_ADDR": request.get("ip")}))
    except (PermissionDenied, OSError) as e:
        params.unlink(missing_ok=True)
        return _export_failed(job, str(e))
    except BaseException:
        result.unlink(missing_ok=True)  # no half-written file of personal data left behind
        raise
    params.unlink(missing_ok=True)  # the filters are kept until the file is written (a rerun reads them)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, processed=count, total=count, accepted=count,
                                         finished_at=timezone.now())
    return count


def _export_failed(job: Job, error: str) -> None:
    Path(job.result_path).unlink(missing_ok=True)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message=ERR_EXPORT.format(error=error),
                                         finished_at=timezone.now())
    return None
