"""gongzhi export residents FILE [--scope CODE] | --job ID

An administrator's command: writes the template's columns unmasked (the file
can be imported again), for everyone or for the place with that code, and
logs the export under the operating-system user's name.

With --job (how the resident list page runs an export too large to wait for),
the core.Job names everything: the user who asked (whose scope, narrowed to the
export capability, applies), the list's filters and masking (a JSON file at the
job's input_path, deleted when read) and where to write (result_path); the job
shows the progress, and the access log names that user and the filter.
"""
import json
import os
from pathlib import Path
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.utils import timezone

from gongzhi.core.models import Job, JobStatus
from gongzhi.core.scope import Scope
from gongzhi.people.exporter import JOB_KIND, export_residents
from gongzhi.places.models import Place

ERR_WHAT = "只能导出 residents(居民): gongzhi export residents FILE (unknown export: {what})"
ERR_PLACE = "找不到代码为 {code} 的区划或网格 (no place with code {code})"
ERR_JOB = "找不到导出任务 {job} (no such export job)"
ERR_FILE = "请给出导出文件名,或用 --job (give FILE or --job)"
ERR_FAILED = "导出失败:{error}"
SUMMARY = "exported: {count}"


def command_line_user() -> SimpleNamespace:
    """Who the access log names: the OS account, as no one is logged in."""
    return SimpleNamespace(username=os.environ.get("USER") or "system", is_authenticated=False, pk=None)


class Command(BaseCommand):
    help = "把居民导出为 xlsx(未脱敏,记入访问日志) (export residents, unmasked, logged)"

    def add_arguments(self, parser):
        parser.add_argument("what", help="residents")
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--scope", metavar="CODE", help="只导出这个区划/网格(代码)内的居民")
        parser.add_argument("--job", type=int, help="网页发起的导出任务 (core.Job id)")

    def handle(self, *, what, file, scope, job, **options):
        if what != "residents":
            raise CommandError(ERR_WHAT.format(what=what))
        if job is not None:
            count = self._run_job(job)
        else:
            if file is None:
                raise CommandError(ERR_FILE)
            place = None
            if scope:
                place = Place.objects.filter(code=scope.strip()).first()
                if place is None:
                    raise CommandError(ERR_PLACE.format(code=scope))
            try:
                count = export_residents(path=file, scope=None, place=place, by=command_line_user(), unmasked=True)
            except OSError as e:
                raise CommandError(f"无法写入 {file}: {e} (cannot write the file)") from None
            self.stdout.write(f"已导出 {count} 人 → {file}")
        self.stdout.write(SUMMARY.format(count=count))

    def _run_job(self, pk: int) -> int:
        job = Job.objects.select_related("created_by").filter(pk=pk, kind=JOB_KIND).first()
        if job is None:
            raise CommandError(ERR_JOB.format(job=pk))
        try:
            request = json.loads(Path(job.input_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            return self._fail(job, f"无法读取导出条件 ({e})")
        finally:
            Path(job.input_path).unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

        def progress(written: int, total: int | None) -> None:
            Job.objects.filter(pk=job.pk).update(processed=written, total=total)

        try:
            count = export_residents(
                path=Path(job.result_path), scope=Scope.for_user(job.created_by), by=job.created_by,
                unmasked=bool(request.get("unmasked")), params=QueryDict(request.get("query", "")),
                progress=progress, request=SimpleNamespace(META={"REMOTE_ADDR": request.get("ip")}))
        except (PermissionDenied, OSError) as e:
            return self._fail(job, str(e))
        except Exception as e:  # the page must say it failed, whatever the reason
            self._fail(job, repr(e))
            raise
        Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, processed=count, total=count, accepted=count,
                                             finished_at=timezone.now())
        return count

    @staticmethod
    def _fail(job: Job, error: str):
        if job.result_path:
            Path(job.result_path).unlink(missing_ok=True)  # no half or empty file left behind
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, message=ERR_FAILED.format(error=error),
                                             finished_at=timezone.now())
        raise CommandError(ERR_FAILED.format(error=error))

