"""gongzhi purge_audit_log --before YYYY-MM-DD: retention clean-up of the audit trail, refusing
anything younger than six months (the database refuses it too)."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gongzhi.audit.services import audit_purge


class Command(BaseCommand):
    help = "删除早于指定日期的审计日志(至少保留六个月)"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *, before, **options):
        try:
            day = dt.date.fromisoformat(before)
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD: {before}") from None
        try:
            deleted = audit_purge(before=day)
        except ValueError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"deleted: {deleted}")
