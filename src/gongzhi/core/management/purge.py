"""The shape of a retention command (`gongzhi purge_… --before YYYY-MM-DD`): a subclass names
its help text and the function that deletes rows older than a day (and refuses a day too recent
with a ValueError whose message the command prints)."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class PurgeCommand(BaseCommand):
    @staticmethod
    def purge(*, before: dt.date) -> int:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *, before, **options):
        try:
            day = dt.date.fromisoformat(before)
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD: {before}") from None
        try:
            deleted = self.purge(before=day)
        except ValueError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"deleted: {deleted}")
