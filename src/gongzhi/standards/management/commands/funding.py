"""`gongzhi funding --pack PACK [--street NAME] --households N [--urban|--rural] [--new] [--json]`:
what a community (existing or planned) is due each year under a policy pack,
with the breakdown and the one-off grants it may qualify for."""
import json

from django.core.management.base import BaseCommand, CommandError

from gongzhi.standards import funding, packs


class Command(BaseCommand):
    help = "测算社区工作经费 / Community work funds under a policy pack"

    def add_arguments(self, parser):
        parser.add_argument("--pack", required=True, help="policy pack id, e.g. yixing-2019")
        parser.add_argument("--households", required=True, type=int, help="number of households")
        parser.add_argument("--street", default="", help="street or town name (some packs pay by street)")
        area = parser.add_mutually_exclusive_group()
        area.add_argument("--urban", dest="area", action="store_const", const="urban", help="urban community (default)")
        area.add_argument("--rural", dest="area", action="store_const", const="rural", help="rural community")
        parser.add_argument("--new", action="store_true",
                            help="formed in the funding year (some packs split its funds differently)")
        parser.add_argument("--json", action="store_true", help="print one JSON object; `total` is yuan per year")

    def handle(self, *args, pack, households, street, area, json: bool = False, new: bool = False, **options):
        from gongzhi.places.models import Level, Place

        try:
            policy = packs.load(pack)
            known = []  # the registry's streets, asked only for a name the pack does not list
            if street.strip() and street.strip() not in funding.pack_streets(policy):
                known = list(Place.objects.filter(level=Level.STREET).values_list("name", flat=True))
            result = funding.funding_for(policy, funding.Community(households, area or "urban", street.strip(),
                                                                   new=new), known_streets=known)
        except (packs.PackError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if json:
            self.stdout.write(_json.dumps(result, ensure_ascii=False))
            return
        out = self.stdout.write
        out(f"{policy.title}({policy.id})")
        out(f"{households} 户 · {'城市' if result['area'] == 'urban' else '农村'}社区"
            f"{' · ' + street if street else ''}")
        for item in result["annual"]:
            out(f"  {item['title']}:{item['amount']:,.2f} 元  [{item['rule']}] {item['how']}")
        out(f"每年合计:{result['total']:,.2f} 元")
        for payer, amount in result["shares"].items():
            out(f"  其中{payer}负担:{amount:,.2f} 元")
        for item in result["one_off"]:
            out(f"一次性:{item['title']} {item['amount']:,.2f} 元(条件:{item['condition'] or '—'})")


_json = json
