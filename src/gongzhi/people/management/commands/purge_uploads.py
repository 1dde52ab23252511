"""gongzhi purge_uploads [--hours H]: deletes import uploads, logs and rejected-rows reports older
than GONGZHI_UPLOAD_RETENTION_HOURS (24), e.g. those of a job that crashed; run it hourly."""
from django.core.management.base import BaseCommand, CommandError

from gongzhi.people.import_uploads import purge


class Command(BaseCommand):
    help = "删除超过保留期限的导入上传文件、日志和未导入行报告"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, help="保留小时数 (default: GONGZHI_UPLOAD_RETENTION_HOURS)")

    def handle(self, *, hours, **options):
        if hours is not None and hours < 0:
            raise CommandError(f"--hours 不能为负数: {hours}")
        removed = purge(hours=hours)
        self.stdout.write(f"deleted: {len(removed)}")
