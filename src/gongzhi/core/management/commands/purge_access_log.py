"""gongzhi purge_access_log --before YYYY-MM-DD: retention clean-up, refusing
anything younger than six months."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.access_log import access_log_purge


class Command(BaseCommand):
    help = "删除早于指定日期的访问日志(至少保留六个月)"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *, before, **options):
        try:
            day = dt.date.fromisoformat(before)
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD: {before}") from None
        try:
            deleted = access_log_purge(before=day)
        except ValueError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"deleted: {deleted}")
