"""The resident list's Excel export: the rows the list shows for its filters (the same
selector reads both), masked unless asked by POST by someone who may unmask everywhere.
Up to exporter.BACKGROUND_ROWS rows the file is written and streamed at once; more run
on the job queue (core/jobs.py, people/tasks.py, like an import) while the
page shows its progress, and the finished file is downloaded once, then deleted (or
after core.exports.KEEP_HOURS if never downloaded). A job's filters and file are kept in the
shared storage (core/job_files.py), so any node's worker runs it and any node hands it over."""
from __future__ import annotations

import json
import uuid

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from gongzhi.core.exports import KEEP_HOURS, XLSX, file_response, purge_stale, temp_path
from gongzhi.core import job_files, jobs
from gongzhi.core.models import Job, JobStatus
from gongzhi.core.permissions import ERR_NO_PERMISSION, requires
from gongzhi.people import exporter
from gongzhi.people.manifest import EXPORT, UNMASK

ERR_GONE = "导出文件已下载,或已超过保留期限({hours} 小时)被删除,请重新导出".format(hours=KEEP_HOURS)


def _filename() -> str:
    return f"居民信息-{timezone.localdate():%Y%m%d}.xlsx"


def _launch(job: Job) -> None:
    from gongzhi.people.tasks import export_residents
    jobs.enqueue(export_residents, job=job)


def _start_job(request, *, unmasked: bool, total: int) -> Job:
    purge_stale()  # files of earlier jobs never downloaded
    stem = f"residents-{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    filters = json.dumps({"query": request.GET.urlencode(), "unmasked": unmasked,
                          "ip": request.META.get("REMOTE_ADDR")}, ensure_ascii=False)
    params = job_files.save(job_files.name_for(exporter.JOB_DIR, f"{stem}.json"), ContentFile(filters.encode()))
    job = Job.objects.create(kind=exporter.JOB_KIND, created_by=request.user, input_name=_filename(),
                             input_path=params, result_path=job_files.name_for(exporter.JOB_DIR, f"{stem}.xlsx"),
                             total=total)
    _launch(job)
    return job


@requires(EXPORT)
def export_residents_view(request):
    """GET: masked; POST with unmasked=1: unmasked (it changes state: an access-log entry).
    Either way the filters are the list's query string."""
    unmasked = request.method == "POST" and request.POST.get("unmasked") == "1"
    if unmasked and not request.scope.can(UNMASK):
        raise PermissionDenied(ERR_NO_PERMISSION)
    exporter.export_scope(request.scope, unmasked=unmasked)  # refuse before counting anything
    total = exporter.export_count(request.scope, request.GET)
    if total > exporter.BACKGROUND_ROWS:
        job = _start_job(request, unmasked=unmasked, total=total)
        return redirect("people:export_job", pk=job.pk)
    path = temp_path("residents")
    try:
        exporter.export_residents(path=path, scope=request.scope, by=request.user, unmasked=unmasked,
                                  request=request, params=request.GET)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return file_response(path, _filename())


def _own_job(request, pk) -> Job:
    """The caller's own export jobs only: anyone else's looks absent."""
    job = jobs.owned(request.user, pk, exporter.JOB_KIND)
    if job is None:
        raise Http404("未找到该导出任务")
    return job


@requires(EXPORT)
def export_job(request, pk):
    """The job's progress; POST cancel=1 stops it (no file is left)."""
    job = _own_job(request, pk)
    if request.method == "POST":
        if request.POST.get("cancel") != "1":
            raise Http404("未找到该导出任务")
        jobs.cancel(job)
        return redirect("people:export_job", pk=job.pk)
    template = "people/export_progress.html" if request.htmx else "people/export_job.html"
    return render(request, template, {"job": job, "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
                                      "ready": job.status == JobStatus.DONE and job_files.exists(job.result_path),
                                      "keep_hours": KEEP_HOURS})


@requires(EXPORT)
def export_download(request, pk):
    """The finished file, once: it holds personal data, so it is not kept on the server."""
    job = _own_job(request, pk)
    if job.status != JobStatus.DONE or not job_files.exists(job.result_path):
        raise Http404(ERR_GONE)
    return FileResponse(job_files.download_once(job.result_path), as_attachment=True,
                        filename=job.input_name or _filename(), content_type=XLSX)
