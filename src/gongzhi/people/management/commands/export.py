"""gongzhi export residents FILE [--scope CODE]

An administrator's command: writes the template's columns unmasked (the file
can be imported again), for everyone or for the place with that code, and
logs the export under the operating-system user's name.
"""
import os
from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError

from gongzhi.people.exporter import export_residents
from gongzhi.places.models import Place

ERR_WHAT = "只能导出 residents(居民): gongzhi export residents FILE (unknown export: {what})"
ERR_PLACE = "找不到代码为 {code} 的区划或网格 (no place with code {code})"
SUMMARY = "exported: {count}"


def command_line_user() -> SimpleNamespace:
    """Who the access log names: the OS account, as no one is logged in."""
    return SimpleNamespace(username=os.environ.get("USER") or "system", is_authenticated=False, pk=None)


class Command(BaseCommand):
    help = "把居民导出为 xlsx(未脱敏,记入访问日志) (export residents, unmasked, logged)"

    def add_arguments(self, parser):
        parser.add_argument("what", help="residents")
        parser.add_argument("file", type=Path)
        parser.add_argument("--scope", metavar="CODE", help="只导出这个区划/网格(代码)内的居民")

    def handle(self, *, what, file, scope, **options):
        if what != "residents":
            raise CommandError(ERR_WHAT.format(what=what))
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
