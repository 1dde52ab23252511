"""`gongzhi registry_snapshot [--day YYYY-MM-DD]`: keep the registry's figures as they stood at the end of a
closed period (default: the last 31 December) for that period's runs (standards/snapshots.py). The periodic
work does this by itself just after the period's end; by hand, it catches up a period closed while no worker
ran (late: only the figures the history gives are kept)."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.standards import closing


class Command(BaseCommand):
    help = "留存期末登记数据 / Keep the registry's figures at a period's end"

    def add_arguments(self, parser):
        parser.add_argument("--day", default="", help="the period's last day (default: the last 31 December)")

    def handle(self, *args, day="", **options):
        try:
            when = dt.date.fromisoformat(day) if day else closing.period_end(timezone.localdate())
        except ValueError:
            raise CommandError(f"日期「{day[:20]}」不是 YYYY-MM-DD") from None
        try:
            snap = closing.take(when)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{when.isoformat()}:留存 {snap.figures} 项登记数据"
                          f"({'期末次日内留存' if snap.on_time else '事后按登记历史留存'},未留存 {len(snap.left_out)} 项)")
