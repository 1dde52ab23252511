"""`gongzhi demo`: build the synthetic 宜兴市 demo into the configured database.

    gongzhi demo [--scale 0.1]

Deterministic (fixed seed). When the demo district already exists nothing is
changed: the command says so and lists the demo accounts. Every account has
the same password, `gongzhi-demo` or $GONGZHI_DEMO_PASSWORD — demo use only.
"""
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import demo


class Command(BaseCommand):
    help = "生成宜兴市演示数据 / Build the 宜兴市 demo data set (deterministic; a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="fraction of the households to build (default 1.0 ≈ 30,500 households)")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress lines, only the summary")

    def handle(self, *args, **opts):
        if opts["scale"] <= 0 or opts["scale"] > 1:
            raise CommandError("--scale must be in (0, 1]")
        progress = None if opts["quiet_progress"] or opts["verbosity"] < 1 else self.stdout
        summary = demo.build_demo(stdout=progress, scale=opts["scale"])
        out = self.stdout
        if summary.created:
            out.write(f"宜兴市演示数据已生成 / Demo data built ({summary.seconds:.1f} s):")
        else:
            out.write(f"{demo.ALREADY_EXISTS},未作任何修改 / Demo data already present, nothing changed:")
        for line in summary.lines():
            out.write(line)
        out.write("")
        out.write("演示账号 / Demo accounts (所有账号同一密码,仅供演示 / one shared password, demo only):")
        for line in demo.accounts_table():
            out.write(line)
        from gongzhi.accounts.demo import two_factor_hint
        out.write(two_factor_hint())
