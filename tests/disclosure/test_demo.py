"""The demo's boards: a year of items per community through the real service (each with its ledger
row), with stale categories in some communities so the alerts show."""
import random

from django.utils import timezone

from gongzhi.core.demo import DemoContext
from gongzhi.disclosure import demo, freshness
from gongzhi.disclosure.models import Item
from gongzhi.ledgers.models import Disclosure
from gongzhi.places.models import Place
from tests.factories import community


def test_demo_part_publishes_a_year_with_stale_categories(world):
    extra = [community(world.street_a, n, f"演示{n}社区") for n in range(2, 6)]
    ctx = DemoContext(rng=random.Random(1), scale=0.05)
    ctx.places = {p.code: p for p in [world.comm_a, world.comm_b, *extra]}
    demo.build(ctx)
    items = Item.objects.all()
    assert items.count() == ctx.summary.disclosure_items > 5 * 8
    assert Disclosure.objects.filter(source="disclosure.item").count() == items.count()
    assert items.dates("published_at", "month").count() >= 8  # spread over the year
    assert not items.filter(published_at__gt=timezone.now()).exists()
    table, _ = freshness.rows(Place.objects.filter(pk__in=[p.pk for p in ctx.places.values()]),
                              timezone.localdate())
    assert any(r["stale"] for r in table) and any(not r["stale"] for r in table)
    # the staff of a community without a committee account publish as the district's administrator
    assert set(items.values_list("published_by", flat=True)) <= {world.community_worker_a.pk,
                                                                world.community_worker_b.pk, world.admin.pk}
