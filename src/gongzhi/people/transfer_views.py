"""Import pages (the export is in export_views.py). A browser import runs on the job queue
(core/jobs.py, people/tasks.py) so a long file neither blocks a server worker nor dies with
one; the page polls the Job for progress and may cancel it."""
import uuid
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from gongzhi.core import job_files, jobs
from gongzhi.core.models import Job, JobStatus
from gongzhi.core.manifest import VIEW_ACCESS_LOG
from gongzhi.core.permissions import requires
from gongzhi.people import import_uploads
from gongzhi.people.forms import ImportForm
from gongzhi.people.manifest import IMPORT

IMPORT_DIR_NAME = import_uploads.IMPORT_DIR_NAME
ERR_REPORT_GONE = "没有被拒绝的行,或其报告已超过保留期限({hours:g} 小时)被删除"
_import_dir = import_uploads.import_dir  # mode 0700


def _launch_import(job: Job) -> None:
    from gongzhi.people.tasks import import_residents
    jobs.enqueue(import_residents, job=job)


@requires(IMPORT)
def import_page(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stem = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
        import_uploads.purge()  # what crashed or abandoned jobs left, past the retention period
        # into the shared storage, so a worker on any node can read it; the job deletes it when it ends
        name = job_files.save(import_uploads.stored_name(f"{stem}{Path(upload.name).suffix.lower()}"), upload)
        job = Job.objects.create(kind="import_residents", created_by=request.user, input_name=upload.name,
                                 input_path=name, result_path=import_uploads.stored_name(f"{stem}.rejected.xlsx"))
        _launch_import(job)
        return redirect("people:import_job", pk=job.pk)
    jobs = Job.objects.filter(kind="import_residents", created_by=request.user)[:20]
    return render(request, "people/import.html", {"form": form, "jobs": jobs})


def _own_job(request, pk) -> Job:
    job = Job.objects.filter(pk=pk, kind="import_residents").first()
    if job is None or (job.created_by_id != request.user.pk and not request.scope.can(VIEW_ACCESS_LOG)):
        raise Http404("未找到该导入任务")
    return job


@requires(IMPORT)
def import_job(request, pk):
    """The job's progress; POST cancel=1 stops it (its owner only: households already written stay)."""
    job = _own_job(request, pk)
    mine = job.created_by_id == request.user.pk
    if request.method == "POST":
        if not mine or request.POST.get("cancel") != "1":
            raise Http404("未找到该导入任务")
        jobs.cancel(job)
        return redirect("people:import_job", pk=job.pk)
    template = "people/import_progress.html" if request.htmx else "people/import_job.html"
    return render(request, template, {"job": job, "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
                                      "may_cancel": mine})


@requires(IMPORT)
def import_report(request, pk):
    job = _own_job(request, pk)
    if job.status != JobStatus.DONE or not job.rejected or not job_files.exists(job.result_path):
        raise Http404(ERR_REPORT_GONE.format(hours=settings.UPLOAD_RETENTION_HOURS))
    return FileResponse(job_files.open_for_reading(job.result_path), as_attachment=True,
                        filename=f"{Path(job.input_name).stem}-被拒绝的行.xlsx")


@requires(IMPORT)
def import_template(request):
    from gongzhi.people.template_columns import build_template

    path = _import_dir() / f"template-{uuid.uuid4().hex[:8]}.xlsx"  # per request: no race between downloads
    build_template(path)
    response = FileResponse(open(path, "rb"), as_attachment=True, filename="居民信息导入模板.xlsx")
    path.unlink()
    return response

