"""`gongzhi assess --pack PACK --period YEAR [--scope CODE] [--json] [--xlsx FILE]`:
assess every community under the scope (default: the district) against a
policy pack for a year. The run is kept, so pages show it and later runs make
a trend. `--run ID` finishes a run that a page started."""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gongzhi.standards import assess, packs, results
from gongzhi.standards.models import AssessmentRun


class Command(BaseCommand):
    help = "按政策包评估社区 / Assess communities against a policy pack"

    def add_arguments(self, parser):
        parser.add_argument("--pack", required=True, help="policy pack id, e.g. yixing-2019")
        parser.add_argument("--period", required=True, type=int, help="the year assessed")
        parser.add_argument("--scope", default="", help="district, street or community code (default: the district)")
        parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
        parser.add_argument("--xlsx", default="", help="also write the results to this xlsx file")
        parser.add_argument("--run", type=int, default=0, help=argparse_hidden())

    def handle(self, *args, pack, period, scope, json: bool = False, xlsx="", run=0, **options):
        try:
            if run:  # a run a page started: computed with the pack it kept when it was started
                row = AssessmentRun.objects.get(pk=run)
                policy = assess.pack_of(row)
            else:
                policy = packs.load(pack)
                row = assess.start(pack=policy, period=assess.check_period(period), scope=assess.scope_place(scope))
        except (packs.PackError, ValueError, AssessmentRun.DoesNotExist) as exc:
            raise CommandError(str(exc)) from None

        def progress(done, total, label):
            if not json:
                sys.stderr.write(f"\r[{done}/{total}] {label}\033[K")

        try:
            assess.run(row, policy, progress=progress)
        except Exception as exc:
            raise CommandError(f"评估失败:{exc}") from exc
        if not json:
            sys.stderr.write("\n")
        data = results.as_json(row, policy)
        if xlsx:
            from gongzhi.standards.export import run_xlsx
            with open(xlsx, "wb") as out:
                out.write(run_xlsx(row, policy, data))
        if json:
            self.stdout.write(_json.dumps(data, ensure_ascii=False))
            return
        out = self.stdout.write
        out(f"{policy.title} · {period} 年 · {row.scope.name}(评估 #{row.pk},数据截至 {row.as_of})")
        for c in data["communities"]:
            failed = [i["indicator"] for i in c["indicators"] if not i["passed"]]
            out(f"  {c['code']} {c['name']:<12} {c['score']:5.1f} 分 {c['grade']}"
                f"{'  未达标:' + '、'.join(failed) if failed else ''}")
        grades = data["summary"]["grades"]
        out("等级:" + ",".join(f"{g} {n}" for g, n in grades.items()))
        for t in data["summary"]["targets"]:
            share = "无数据" if t["share"] is None else f"{t['share']}%"
            out(f"目标 {t['title']}:{share}(要求 ≥ {t['share_min']}%){'达成' if t['attained'] else '未达成'}")
        out(f"用时 {data['summary'].get('seconds', 0)} 秒")


def argparse_hidden():
    import argparse
    return argparse.SUPPRESS


_json = json
