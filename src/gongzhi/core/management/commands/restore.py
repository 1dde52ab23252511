"""`gongzhi restore FILE [--force]`: restore a backup made by `gongzhi backup`."""
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.backup import (
    ENGINE_LABELS,
    OPERATIONAL_ERRORS,
    BackupError,
    pending_migrations,
    restore_database,
)


class Command(BaseCommand):
    help = ("从 `gongzhi backup` 生成的备份恢复数据库;目标库已有数据时需加 --force。/ "
            "Restore the database from a backup made by `gongzhi backup`; "
            "a target that already holds data needs --force.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="backup file (its FILE.json manifest must be next to it)")
        parser.add_argument("--force", action="store_true",
                            help="overwrite a target database that already holds data")

    def handle(self, *args, file, force, **opts):
        try:
            manifest = restore_database(path=file, force=force)
        except BackupError as e:
            raise CommandError(str(e)) from None
        except OPERATIONAL_ERRORS as e:
            raise CommandError(f"{type(e).__name__}: {e}") from None
        out = self.stdout
        out.write(self.style.SUCCESS(f"恢复完成,行数与清单一致 / Restore complete, row counts match the manifest: {file}"))
        out.write(f"  engine    {ENGINE_LABELS[manifest.engine]}, backup made {manifest.created_at}")
        for table, rows in manifest.summary():
            out.write(f"  {table:<40} {rows:>8}  ok")
        if manifest.files:
            out.write(f"  文件 files{'':<30} {manifest.files['count']:>8}  ok (sha256)")
        try:
            missing, unknown = pending_migrations()
        except Exception as e:  # advice only; the restore itself succeeded
            out.write(self.style.WARNING(f"  (could not compare migrations: {e})"))
            return
        if missing:
            out.write(self.style.WARNING(
                f"备份早于当前程序版本,请运行 `gongzhi migrate`。/ The backup is older than this version of the "
                f"code: run `gongzhi migrate` ({len(missing)} pending, e.g. {missing[0]})."))
        if unknown:
            out.write(self.style.WARNING(
                f"备份来自更新的程序版本,请升级程序。/ The backup comes from a newer version of the code "
                f"(unknown migrations: {', '.join(unknown[:5])}); upgrade before use."))
