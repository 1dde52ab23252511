"""gongzhi import residents FILE [--report REJECTED.xlsx] [--job ID]

Exit status 0 when the file was processed (even with rejected rows), and the
last line printed is then `accepted: N, rejected: M`; 2 with a one-line message
on stderr when the file itself is refused (unreadable, wrong columns, over a
limit: docs/security.md); 1 for other errors (no such file or job, no
permission). Progress goes to stderr,
one line per chunk. --job updates that core.Job and applies the scope of the
user who created it (the web page runs the import as a subprocess and polls
the job).
"""
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.models import Job
from gongzhi.core.scope import Scope
from gongzhi.people.manifest import IMPORT
from gongzhi.people.importer import ImportFileError, ImportResult, import_residents

ERR_WHAT = "只能导入 residents(居民): gongzhi import residents FILE (unknown import: {what})"
ERR_JOB = "找不到任务 {job} (no such job)"
PROGRESS = "已处理 {processed}{total} 行: 导入 {accepted},未导入 {rejected}"
REPORT = "未导入的行及原因见 (rejected rows): {path}"
SUMMARY = "accepted: {accepted}, rejected: {rejected}"


class Command(BaseCommand):
    help = "从 xlsx 或 CSV 文件导入居民和户 (import residents and households)"

    def add_arguments(self, parser):
        parser.add_argument("what", help="residents")
        parser.add_argument("file", type=Path)
        parser.add_argument("--report", type=Path, help="未导入的行写到这里 (default: FILE.rejected.xlsx)")
        parser.add_argument("--job", type=int, help="更新此任务的进度 (core.Job id)")
        parser.add_argument("--chunk-pause", type=float, default=0, metavar="SECONDS",
                            help="每提交一批后暂停的秒数,白天导入大文件时给其他用户让出数据库 "
                                 "(seconds to wait after each committed chunk)")
        parser.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *, what, file, report, job, chunk_size, chunk_pause, **options):
        if what != "residents":
            raise CommandError(ERR_WHAT.format(what=what))
        job_obj = self._job(job)
        by = job_obj.created_by if job_obj else None
        scope = Scope.for_user_capability(by, IMPORT) if by is not None else None
        try:
            result = import_residents(path=file, by=by, scope=scope, job=job_obj, report_path=report,
                                      chunk_size=chunk_size, chunk_pause=max(0.0, chunk_pause), progress=self._progress)
        except ImportFileError as e:
            raise CommandError(str(e), returncode=2 if e.refused else 1) from None
        except PermissionDenied as e:
            raise CommandError(f"{e} (permission denied)") from None
        finally:
            # a page's upload is kept no longer than its job: what was accepted is in the registry,
            # what was refused is in the report (a file named on the command line is the caller's own)
            if job_obj is not None and job_obj.input_path and Path(job_obj.input_path) == file:
                file.unlink(missing_ok=True)
        if result.report_path:
            self.stdout.write(REPORT.format(path=result.report_path))
        self.stdout.write(SUMMARY.format(accepted=result.accepted, rejected=result.rejected))

    @staticmethod
    def _job(pk: int | None) -> Job | None:
        if pk is None:
            return None
        try:
            return Job.objects.select_related("created_by").get(pk=pk)
        except Job.DoesNotExist:
            raise CommandError(ERR_JOB.format(job=pk)) from None

    def _progress(self, result: ImportResult, total: int | None) -> None:
        self.stderr.write(PROGRESS.format(processed=result.processed, total=f"/{total}" if total else "",
                                          accepted=result.accepted, rejected=result.rejected))
