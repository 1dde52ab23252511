"""gongzhi export residents FILE [--scope CODE] | --job ID

An administrator's command: writes the template's columns unmasked (the file
can be imported again), for everyone or for the place with that code, and
logs the export under the operating-system user's name.

With --job (how the resident list page runs an export too large to wait for),
the core.Job names everything: the user who asked (whose scope, narrowed to the
export capability, applies), the list's filters and masking (a JSON file in the
storage at the job's input_path, deleted once the file is written) and where to
write (result_path); the job shows the progress, and the access log names that
user and the filter. It runs what the queue's task runs (people.tasks.run_export_job).
"""
import os
from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.models import Job
from gongzhi.people.exporter import JOB_KIND, export_residents
from gongzhi.places.models import Place

ERR_WHAT = "只能导出 residents(居民): gongzhi export residents FILE (unknown export: {what})"
ERR_PLACE = "找不到代码为 {code} 的区划或网格 (no place with code {code})"
ERR_JOB = "找不到导出任务 {job} (no such export job)"
ERR_FILE = "请给出导出文件名,或用 --job (give FILE or --job)"
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
        from gongzhi.people.tasks import run_export_job
        job = Job.objects.select_related("created_by").filter(pk=pk, kind=JOB_KIND).first()
        if job is None:
            raise CommandError(ERR_JOB.format(job=pk))
        count = run_export_job(job)
        if count is None:
            job.refresh_from_db()
            raise CommandError(job.message)
        return count
