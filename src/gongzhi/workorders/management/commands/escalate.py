"""`gongzhi escalate [--every SECONDS]`: the overdue sweep (see escalation.py).

Run once from a scheduler (cron or a systemd timer, every minute), or keep it
running with --every. The sweep is idempotent, so overlapping or repeated runs
do no harm."""
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from gongzhi.workorders.escalation import escalate_overdue


class Command(BaseCommand):
    help = "超时工单升级督办(社区→街道→区)/ Escalate overdue work orders"

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, metavar="SECONDS",
                            help="keep running, one sweep every SECONDS (default: run once)")

    def handle(self, *args, every=0, **options):
        if every < 0:
            raise CommandError("--every must be positive")
        if not every:
            self.stdout.write(f"escalated: {escalate_overdue()}")
            return
        stop = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.append(1))
        while not stop:
            started = time.monotonic()
            try:
                count = escalate_overdue()
                if count:
                    self.stdout.write(f"escalated: {count}")
                    self.stdout.flush()
            except Exception as exc:  # a database hiccup must not end the scheduler
                self.stderr.write(f"escalate failed: {exc}")
            finally:
                close_old_connections()
            while not stop and time.monotonic() - started < every:
                time.sleep(0.5)
