"""The `gongzhi` console command: Django's command line with our settings.

    gongzhi demo | serve | import residents FILE | export residents FILE | backup FILE | restore FILE
and every Django command (migrate, createsuperuser, ...).
"""
import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "gongzhi"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
