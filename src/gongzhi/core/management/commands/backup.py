"""`gongzhi backup FILE`: dump the whole database into FILE (+ FILE.json manifest)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.backup import ENGINE_LABELS, OPERATIONAL_ERRORS, BackupError, backup_database, manifest_path


class Command(BaseCommand):
    help = ("备份整个数据库到 FILE(另写 FILE.json 清单)。备份含个人信息,请妥善保管。/ "
            "Back up the whole database into FILE (plus a FILE.json manifest). Backups contain personal data.")
    # Must work even when some page's code is broken: no URL/template checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup file to write")
        parser.add_argument("--force", action="store_true", help="overwrite FILE and FILE.json if they exist")

    def handle(self, *args, file, force, **opts):
        try:
            manifest = backup_database(path=file, overwrite=force)
        except BackupError as e:
            raise CommandError(str(e)) from None
        except OPERATIONAL_ERRORS as e:
            raise CommandError(f"{type(e).__name__}: {e}") from None
        out = self.stdout
        out.write(self.style.SUCCESS(f"备份完成 / Backup written: {file}"))
        out.write(f"  manifest  {manifest_path(Path(file))}")
        out.write(f"  engine    {ENGINE_LABELS[manifest.engine]} ({manifest.tool})")
        out.write(f"  size      {manifest.size} bytes")
        out.write(f"  sha256    {manifest.sha256}")
        out.write(f"  files     {manifest.files['count']} ({manifest.files['archive']})")
        if opts["verbosity"] >= 1:
            for table, rows in manifest.summary():
                out.write(f"  {table:<40} {rows:>8}")
