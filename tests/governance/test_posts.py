"""Residents' groups and posts (居民代表, 小组长, 门栋长, 下属委员会成员): registered by ID number,
one open post of a kind per resident, ended with a date and kept as history; the representatives'
meeting's roll and the sessions' representatives read them."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import RuleError
from gongzhi.governance import meetings as svc
from gongzhi.governance.models import ResidentGroup, ResidentPost
from gongzhi.people.models import Resident
from tests.factories import id_number, resident

TODAY = timezone.localdate()


def _number(r):
    from gongzhi.core import crypto
    return crypto.decrypt(Resident.objects.get(pk=r.pk).id_number_enc)


@pytest.fixture
def zhang_number(world):
    number = id_number()
    r = resident(world.hh_a1, "代表甲", relation="20", id_number=number)
    return r, number


def test_a_post_by_id_number_once_then_ended(world, zhang_number):
    r, number = zhang_number
    post = svc.post_add(community=world.comm_a, kind="representative", id_number=number, since=dt.date(2025, 1, 1),
                        by=world.community_worker_a)
    assert post.resident == r
    with pytest.raises(RuleError, match="已担任居民\\(村民\\)代表"):
        svc.post_add(community=world.comm_a, kind="representative", id_number=number, since=TODAY,
                     by=world.community_worker_a)
    with pytest.raises(RuleError, match="没有在册居民"):
        svc.post_add(community=world.comm_b, kind="representative", id_number=number, since=TODAY,
                     by=world.community_worker_a)
    with pytest.raises(RuleError, match="公民身份号码"):
        svc.post_add(community=world.comm_a, kind="representative", id_number="123", since=TODAY,
                     by=world.community_worker_a)
    with pytest.raises(RuleError, match="不能晚于今天"):
        svc.post_add(community=world.comm_a, kind="building_head", id_number=number,
                     since=TODAY + dt.timedelta(days=1), by=world.community_worker_a)
    with pytest.raises(RuleError, match="不能早于任职日期"):
        svc.post_end(post=post, until=dt.date(2024, 1, 1), by=world.community_worker_a)
    svc.post_end(post=post, until=dt.date(2025, 6, 30), by=world.community_worker_a)
    with pytest.raises(RuleError, match="已于"):
        svc.post_end(post=post, until=TODAY, by=world.community_worker_a)
    # history: the old row stays, a new term is a new row
    svc.post_add(community=world.comm_a, kind="representative", id_number=number, since=TODAY,
                 by=world.community_worker_a)
    assert ResidentPost.objects.filter(resident=r).count() == 2
    # the representatives' meeting of a day in the first term has them; of a day between terms not
    mid = svc.meeting_create(community=world.comm_a, body="representatives", form="representatives",
                             held_on=dt.date(2025, 3, 1), title="一届内", by=world.community_worker_a)
    assert mid.roll_size == 1
    with pytest.raises(RuleError, match="名册为空"):
        svc.meeting_create(community=world.comm_a, body="representatives", form="representatives",
                           held_on=dt.date(2025, 9, 1), title="两届之间", by=world.community_worker_a)


def test_groups_belong_to_their_community(world):
    g = svc.group_add(community=world.comm_a, name="第一居民小组", households=260, grid=world.grid_a1)
    with pytest.raises(RuleError, match="已有名为"):
        svc.group_add(community=world.comm_a, name="第一居民小组")
    with pytest.raises(RuleError, match="不属于本社区"):
        svc.group_add(community=world.comm_a, name="第二居民小组", grid=world.grid_b1)
    with pytest.raises(RuleError, match="户数"):
        svc.group_add(community=world.comm_a, name="第三居民小组", households=9999)
    with pytest.raises(RuleError, match="不属于本社区"):
        svc.post_add(community=world.comm_b, kind="group_leader", id_number=_number(world.res_b1), since=TODAY,
                     group=g, by=world.community_worker_b)
    assert ResidentGroup.objects.count() == 1


def test_posts_page(world, client, zhang_number):
    r, number = zhang_number
    client.force_login(world.community_worker_a)
    assert client.get("/governance/posts/").status_code == 200
    assert client.post("/governance/posts/groups/add/", {"name": "第一居民小组", "households": "230"}).status_code == 302
    group = ResidentGroup.objects.get()
    response = client.post("/governance/posts/add/", {"kind": "group_leader", "id_number": number,
                                                      "since": TODAY.isoformat(), "group": group.pk})
    assert response.status_code == 302
    page = client.get("/governance/posts/").content.decode()
    assert "代表甲" in page and "居民小组长" in page
    again = client.post("/governance/posts/add/", {"kind": "group_leader", "id_number": number,
                                                   "since": TODAY.isoformat()})
    assert again.status_code == 422 and "不能重复登记" in again.content.decode()
    post = ResidentPost.objects.get()
    client.post(f"/governance/posts/{post.pk}/end/", {"until": TODAY.isoformat()})
    post.refresh_from_db()
    assert post.until == TODAY
    client.force_login(world.community_worker_b)
    assert client.post(f"/governance/posts/{post.pk}/end/", {"until": TODAY.isoformat()}).status_code == 404
    client.force_login(world.resident_user)
    assert client.get("/governance/posts/").status_code == 403


def test_topic_page_links_its_sessions_and_decisions(world, client):
    from gongzhi.governance import services as topics
    topic = topics.topic_raise(place=world.comm_a, category="facilities", title="加装电梯", text="老楼没电梯",
                               raised_as="resident", by=world.resident_user)
    topics.answer(topic_id=topic.pk, version=topic.version, kind="deliberation", text="组织协商",
                  by=world.community_worker_a)
    client.force_login(world.community_worker_a)
    page = client.get(f"/governance/{topic.pk}/").content.decode()
    assert "召集协商会" in page and f"topic={topic.pk}" in page
    form = client.get(f"/governance/sessions/new/?topic={topic.pk}").content.decode()
    assert 'value="加装电梯"' in form
    topic.refresh_from_db()
    session = svc.session_create(community=world.comm_a, form="deliberation", title="加装电梯协商", topic=topic,
                                 starts_at=timezone.now(), grid_ids=[world.grid_a1.pk], by=world.community_worker_a)
    client.force_login(world.resident_user)
    page = client.get(f"/governance/{topic.pk}/").content.decode()
    assert "加装电梯协商" in page and "召集协商会" not in page
    assert session
