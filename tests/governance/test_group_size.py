"""Residents' groups against P-SIZE-5: 200–300 households, a leader, one building head per 20–30
households. Counted by the database on a day from the groups and posts open that day; shown to the
committee on the posts page and checked (not scored) by the Wuhan pack."""
import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone  # today read at each call: the suite may cross midnight

from gongzhi.core.metrics import Context
from gongzhi.governance import groups, meetings as svc, metrics
from gongzhi.governance.models import PostKind, ResidentPost
from gongzhi.standards import assess, packs
from gongzhi.standards.models import Result
from tests.factories import household, resident



def _posts(world, group, kind, n, *, since=dt.date(2024, 1, 1), until=None):
    for i in range(n):
        r = resident(household(world.grid_a1), name=f"{group.name}{kind}{i}")
        ResidentPost.objects.create(community=world.comm_a, kind=kind, resident=r, group=group, since=since,
                                    until=until)


def test_gaps_of_each_group_on_a_day(world):
    fine = svc.group_add(community=world.comm_a, name="第一居民小组", households=240)
    small = svc.group_add(community=world.comm_a, name="第二居民小组", households=120)
    _posts(world, fine, PostKind.GROUP_LEADER, 1)
    _posts(world, fine, PostKind.BUILDING_HEAD, 8)            # 240 / 8 = 30 a head: enough
    _posts(world, small, PostKind.BUILDING_HEAD, 3)           # 120 / 3 = 40 a head: short
    _posts(world, small, PostKind.GROUP_LEADER, 1, until=dt.date(2025, 1, 1))  # ended: no leader now
    ResidentPost.objects.filter(group=fine).update(since=dt.date(2024, 1, 1))
    rows = {g.name: g for g in groups.groups_on(timezone.localdate())}
    assert groups.gaps(rows["第一居民小组"]) == []
    assert groups.gaps(rows["第二居民小组"]) == [
        "120 户,不在 200—300 户的规模内", "没有在任的居民小组长", "门栋长 3 名,按每 20—30 户一名至少应有 4 名"]
    # on a day in 2024 the second group's leader still served (groups_on reads posts open that day)
    small.since = fine.since = dt.date(2023, 1, 1)
    small.save(), fine.save()
    then = {g.name: g for g in groups.groups_on(dt.date(2024, 6, 1))}
    assert not then["第二居民小组"].no_leader


def test_heads_needed_is_one_per_30_to_one_per_20():
    assert groups.heads_needed(240) == (8, 12)
    assert groups.heads_needed(25) == (1, 1)
    assert groups.heads_needed(0) == (0, 0)


def test_metrics_count_by_community_in_one_query_and_none_without_groups(world):
    svc.group_add(community=world.comm_a, name="第一居民小组", households=350)
    svc.group_add(community=world.comm_a, name="第二居民小组", households=250)
    ctx = Context()
    with CaptureQueriesContext(connection) as q:
        off = metrics.resident_groups_off_size(ctx)
        short = metrics.resident_groups_short_of_heads(ctx)
        leaderless = metrics.resident_groups_without_leader(ctx)
    assert len(q) == 1
    assert (off[world.comm_a.pk], short[world.comm_a.pk], leaderless[world.comm_a.pk]) == (1, 2, 2)
    assert off[world.comm_b.pk] is None


def test_the_wuhan_pack_lists_groups_off_size_without_scoring_them(world):
    svc.group_add(community=world.comm_a, name="第一居民小组", households=350)
    pack = packs.load("wuhan-2011")
    run = assess.run(assess.start(pack=pack, period=timezone.localdate().year, scope=world.district), pack)
    size = Result.objects.get(run=run, place=world.comm_a, indicator="resident-group-size")
    assert (size.value, size.passed) == (1, False)
    assert Result.objects.get(run=run, place=world.comm_b, indicator="resident-group-size").value is None
    assert next(i for i in pack.indicators if i["id"] == "building-heads")["weight"] == 0


def test_posts_page_shows_each_groups_gaps(world, client):
    client.force_login(world.community_worker_a)
    response = client.post("/governance/posts/groups/add/", {"name": "第一居民小组", "households": "120"},
                           follow=True)
    page = response.content.decode()
    assert "120 户,不在 200—300 户的规模内,请核实" in page
    assert "没有在任的居民小组长" in page and "宜 4—6 名" in page


def test_the_street_reads_its_communities_groups_without_the_forms(world, client):
    svc.group_add(community=world.comm_a, name="第一居民小组", households=120)
    client.force_login(world.street_officer_a)
    page = client.get(f"/governance/posts/?community={world.comm_a.code}")
    text = page.content.decode()
    assert page.status_code == 200 and "第一居民小组" in text and "不在 200—300 户的规模内" in text
    assert "登记职务" not in text and "设立居民小组" not in text
    assert client.get(f"/governance/posts/?community={world.comm_b.code}").status_code == 404
    assert client.post("/governance/posts/groups/add/", {"community": world.comm_a.code, "name": "x"}).status_code == 403
    client.force_login(world.grid_worker_a1)
    assert client.get("/governance/posts/").status_code == 403
