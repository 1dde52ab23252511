"""The demo part on a small world: firms, contracts, a committee, a held four-party meeting, last
year's ratings, credit for two years and one blacklisted manager, all through the services."""
import random

import pytest

from gongzhi.core.demo import DemoContext
from gongzhi.estates import demo
from gongzhi.estates.models import BlacklistEntry, Contract, CreditRecord, EstateMeeting, Rating
from gongzhi.people.models import Organisation
from gongzhi.places.models import Estate
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_demo_part(world):
    for i in range(8):
        f.resident(f.household(world.grid_a1), f"住户{i}")
    Organisation.objects.create(community=world.comm_a, kind="property_firm", name="宜兴市阳光物业管理有限公司",
                                credit_code="91320282MA1XYC0001")
    Organisation.objects.create(community=world.comm_b, kind="property_firm", name="宜兴市东方物业服务有限公司",
                                credit_code="91320282MA1XYC0002")
    resident = f.user("resident", "resident", world.comm_a, resident=world.res_a2)
    ctx = DemoContext(rng=random.Random(1), scale=0.05)
    ctx.estates = list(Estate.objects.all())
    ctx.accounts = {"community": world.community_worker_a, "street": world.street_officer_a, "admin": world.admin,
                    "resident": resident}
    demo.build(ctx)
    assert Contract.objects.count() >= 1
    assert EstateMeeting.objects.filter(state="held").exists()
    assert Rating.objects.filter(evaluation__year__lt=2100).count() >= 8
    assert CreditRecord.objects.filter(manager__isnull=False).exists()
    entry = BlacklistEntry.objects.get()
    assert entry.manager_id and entry.appeal_state == "upheld"
    assert ctx.summary.estate_ratings >= 8
