"""The disclosure freshness figure the standards engine and the street's table read agrees with
the board's own freshness table, for a community with fresh, due and stale categories."""
import datetime as dt

from gongzhi.core.metrics import Context
from gongzhi.disclosure import freshness
from gongzhi.disclosure.metrics import disclosure_categories_stale
from gongzhi.ledgers.models import Disclosure
from gongzhi.places.models import Place


def test_stale_categories_per_community_agree_with_the_board(world):
    day = dt.date(2026, 11, 15)  # 2026 Q4; the previous quarter began on 1 July
    Disclosure.objects.create(community=world.comm_a, kind="plan", published_on=dt.date(2026, 10, 2), title="计划")
    Disclosure.objects.create(community=world.comm_a, kind="finance", published_on=dt.date(2026, 8, 1), title="财务")
    Disclosure.objects.create(community=world.comm_a, kind="results", published_on=dt.date(2026, 6, 30),
                              title="成果(上上季度)")
    Disclosure.objects.create(community=world.comm_a, kind="major", published_on=dt.date(2026, 10, 9),
                              title="作废的重大事项", voided="录错")
    ctx = Context(Place.objects.filter(pk__in=[world.comm_a.pk, world.comm_b.pk]), year=2026, as_of=day)
    values = disclosure_categories_stale(ctx)
    assert values == {world.comm_a.pk: 2, world.comm_b.pk: 4}  # a: results and (voided) major; b: nothing ever
    rows, _ = freshness.rows(Place.objects.filter(pk=world.comm_a.pk), day)
    assert rows[0]["stale"] == values[world.comm_a.pk]
