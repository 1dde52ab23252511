"""The demo part on a small world: digest choices for a few accounts, the resident following a topic,
and one run of the digest task whose digests the console sender prints."""
import random

import pytest

from gongzhi.core.demo import DemoContext
from gongzhi.digests import demo
from gongzhi.digests.models import Digest, Follow
from gongzhi.governance import services as topics
from gongzhi.workorders.models import Category, Channel
from gongzhi.workorders.services import order_report
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_demo_part_prints_digests_through_the_console(world, capsys, settings, django_capture_on_commit_callbacks):
    settings.GONGZHI_NOTIFY_SENDERS = ["gongzhi.core.senders.ConsoleSender"]
    community = f.user("community", "community", world.comm_a)
    f.user("grid", "grid", world.grid_a1)
    resident = f.user("resident", "resident", world.comm_a, resident=world.res_a2)
    topic = topics.topic_raise(place=world.comm_a, category="facilities", title="增设电动车充电桩", text="楼下充电难",
                               by=world.resident_user, raised_as="resident")
    order_report(category=Category.objects.get(code="sanitation"), description="东虹三号楼垃圾满溢",
                 channel=Channel.GRID, by=world.grid_worker_a1, grid=world.grid_a1)
    capsys.readouterr()
    ctx = DemoContext(rng=random.Random(1), scale=0.05)
    with django_capture_on_commit_callbacks(execute=True):  # the demo's transaction commits: the digests leave
        demo.build(ctx)
    out = capsys.readouterr().out
    assert Follow.objects.filter(user=resident, target="topic", target_id=topic.pk).exists()
    assert set(Digest.objects.values_list("user__username", "frequency")) >= {
        ("community", "daily"), ("resident", "weekly")}
    assert f"[通知] 用户 {community.pk}: 【共治平台每日摘要】" in out
    assert f"[通知] 用户 {resident.pk}: 【共治平台每周摘要】" in out and "增设电动车充电桩" in out
    assert "/digests/unsubscribe/" in out
    assert ctx.summary.digests >= 2 and ctx.summary.follows == 1
