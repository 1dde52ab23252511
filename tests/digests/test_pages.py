"""The preferences page, the unsubscribe link (valid, tampered, expired) with its undo, and following."""
import datetime as dt
import re

import pytest
from django.core import signing
from django.utils import timezone

from gongzhi.digests import sending, services
from gongzhi.digests.models import Follow, HeldNotice, Preference, PreferenceChange
from gongzhi.governance import services as topics
from gongzhi.workorders.models import Notification


def test_preferences_page_saves_every_kind_and_refuses_bad_input(client, world):
    client.force_login(world.resident_user)
    page = client.get("/digests/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "通知设置" in body and "议题进展" in body and 'name="kind_topic"' in body
    seen = re.search(r'name="seen" value="(\d+)"', body).group(1)
    r = client.post("/digests/", {"seen": seen, "kind_topic": "weekly", "kind_project": "daily"})
    assert r.status_code == 302
    assert services.frequencies_of(world.resident_user)["topic"] == "weekly"
    before = list(Preference.objects.values_list("kind", "frequency"))
    for data, status, message in (
            ({"seen": "1", "kind_topic": "nope"}, 422, "「议题进展」的发送方式「nope」无效"),
            ({"seen": "1", "kind_zzz": "daily"}, 422, "通知类别「zzz」不存在"),
            ({"seen": "99999999999999999999", "kind_topic": "off"}, 409, "已在别处修改过"),
            ({"seen": "0", "kind_topic": "off"}, 409, "已在别处修改过")):
        r = client.post("/digests/", data)
        assert r.status_code == status and message in r.content.decode()
    assert list(Preference.objects.values_list("kind", "frequency")) == before


def test_unsubscribe_link_switches_off_with_confirmation_and_undo(client, world):
    u = world.community_worker_a
    services.preferences_set(user=u, choices={"topic": "daily", "report": "weekly"})
    token = services.unsubscribe_token(u, "topic")
    page = client.get(f"/digests/unsubscribe/{token}/")
    assert page.status_code == 200 and "议题进展" in page.content.decode() and u.username not in page.content.decode()
    assert services.frequencies_of(u)["topic"] == "daily"  # the GET changes nothing
    done = client.post(f"/digests/unsubscribe/{token}/")
    assert done.status_code == 200 and "议题进展" in done.content.decode()
    assert services.frequencies_of(u)["topic"] == "off" and services.frequencies_of(u)["report"] == "weekly"
    undo_url = re.search(r'action="(/digests/undo/[^"]+/)"', done.content.decode()).group(1)
    assert client.post(undo_url).status_code == 200
    assert services.frequencies_of(u)["topic"] == "daily"
    assert "没有需要恢复" in client.post(undo_url).content.decode()  # a second undo changes nothing
    assert list(PreferenceChange.objects.filter(user=u, kind="topic").values_list("via", flat=True)) == [
        "undo", "link", "page"]
    # the link for all digests switches off every kind taken as a digest
    client.post(f"/digests/unsubscribe/{services.unsubscribe_token(u)}/")
    current = services.frequencies_of(u)
    assert (current["topic"], current["report"]) == ("off", "off")


def test_tampered_or_expired_links_change_nothing(client, world, settings):
    u = world.community_worker_a
    services.preferences_set(user=u, choices={"topic": "daily"})
    token = services.unsubscribe_token(u, "topic")
    forged = signing.dumps({"u": world.community_worker_b.pk, "k": "topic"}, salt="wrong salt")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "x" * 300, "\x01", "99999999999999999999"):
        for method in (client.get, client.post):
            r = method(f"/digests/unsubscribe/{bad}/")
            assert r.status_code in (404, 422), bad
            if r.status_code == 422:
                assert "退订链接无效" in r.content.decode()
    assert client.post(f"/digests/undo/{token}/").status_code == 422  # an unsubscribe token is no undo token
    settings.GONGZHI_DIGEST_LINK_DAYS = 30
    from unittest import mock  # the same token, signed 31 days ago
    with mock.patch("time.time", return_value=timezone.now().timestamp() - 31 * 86400):
        stale = signing.dumps({"u": u.pk, "k": "topic"}, salt=services.UNSUBSCRIBE_SALT)
    r = client.post(f"/digests/unsubscribe/{stale}/")
    assert r.status_code == 422 and "退订链接已过期(30 天内有效)" in r.content.decode()
    assert services.frequencies_of(u)["topic"] == "daily" and PreferenceChange.objects.filter(via="link").count() == 0


def test_the_link_in_a_digest_works(client, world, django_capture_on_commit_callbacks, monkeypatch):
    out = []
    monkeypatch.setattr(sending, "senders", lambda: [type("R", (), {"needs_user": False,
                                                                      "send": lambda self, u, t: out.append(t)})()])
    u = world.community_worker_a
    services.preferences_set(user=u, choices={"topic": "daily"})
    from gongzhi.workorders import notify
    now = timezone.now() + dt.timedelta(days=400)
    notify.notify([u.pk], order=None, kind="topic", text="议题有进展", now=now - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_due(now=now)
    link = re.search(r"不再接收“议题进展”:http://[^/]+(/digests/unsubscribe/[^/]+/)", out[0]).group(1)
    assert client.post(link).status_code == 200
    assert services.frequencies_of(u)["topic"] == "off"


@pytest.fixture
def topic_a(world):
    return topics.topic_raise(place=world.comm_a, category="facilities", title="楼道灯不亮", text="三号楼楼道灯坏了",
                              by=world.resident_user, raised_as="resident")


def test_follow_a_topic_and_hear_its_steps_in_the_digest(client, world, topic_a):
    from tests.factories import household, resident, user
    neighbour = user("neighbour", "resident", world.comm_a, resident=resident(household(world.grid_a1), name="赵六"))
    client.force_login(neighbour)
    page = client.get(f"/governance/{topic_a.pk}/").content.decode()
    assert "关注进展" in page
    r = client.post(f"/digests/follow/topic/{topic_a.pk}/", {"next": f"/governance/{topic_a.pk}/"})
    assert r.status_code == 302 and r["Location"] == f"/governance/{topic_a.pk}/"
    client.post(f"/digests/follow/topic/{topic_a.pk}/")  # twice: one follow
    assert Follow.objects.filter(user=neighbour, ended_at__isnull=True).count() == 1
    assert "取消关注" in client.get(f"/governance/{topic_a.pk}/").content.decode()
    services.preferences_set(user=neighbour, choices={"topic": "weekly"})
    topics.answer(topic_id=topic_a.pk, version=topic_a.version, kind="deliberation", text="下周协商",
                  by=world.community_worker_a)
    held = HeldNotice.objects.get(user=neighbour)
    assert held.kind == "topic" and "转入协商" in held.text and held.subject_id == topic_a.pk
    assert Notification.objects.filter(user=neighbour, kind="topic").count() == 1
    # the proposer hears of the answer once (as proposer), not again as a follower
    assert Notification.objects.filter(user=world.resident_user, kind="topic").count() == 1
    assert client.get("/digests/").content.decode().count("楼道灯不亮") == 1
    r = client.post(f"/digests/unfollow/topic/{topic_a.pk}/")
    assert r.status_code == 302 and not Follow.objects.filter(ended_at__isnull=True).exists()
    assert Follow.objects.count() == 1  # ended, kept
    assert "您没有关注这个议题" in client.post(f"/digests/unfollow/topic/{topic_a.pk}/").content.decode()


def test_follow_refuses_what_the_user_cannot_see_and_bad_input(client, world, topic_a):
    client.force_login(world.community_worker_b)
    assert client.post(f"/digests/follow/topic/{topic_a.pk}/").status_code == 404
    for url, status in ((f"/digests/follow/nothing/{topic_a.pk}/", 422), ("/digests/follow/topic/99999999999999999999/", 404),
                        ("/digests/follow/topic/abc/", 404), ("/digests/follow/project/-1/", 404)):
        r = client.post(url)
        assert r.status_code == status, url
    assert "关注对象类别「nothing」不存在" in client.post(f"/digests/follow/nothing/{topic_a.pk}/").content.decode()
    assert client.get(f"/digests/follow/topic/{topic_a.pk}/").status_code == 405
    assert not Follow.objects.exists()


def test_a_follower_who_moved_away_hears_nothing(world, topic_a):
    from tests.factories import household, resident, user
    mover = user("mover", "resident", world.comm_a, resident=resident(household(world.grid_a1), name="孙八"))
    services.follow(user=mover, target="topic", target_id=topic_a.pk)
    mover.assignments.update(place=world.comm_b)
    assert services.tell_followers(topic_a, text="进展") == 0
    assert not Notification.objects.filter(user=mover).exists()


@pytest.mark.parametrize("target", ["-2+3", "{}", "https://evil.example/", "//evil.example/", "/governance/\r\nX",
                                    "prefs", ""])
def test_follow_goes_back_only_to_a_page_of_this_site(client, world, topic_a, target):
    client.force_login(world.resident_user)
    r = client.post(f"/digests/follow/topic/{topic_a.pk}/", {"next": target})
    assert r.status_code == 302 and r["Location"] == "/digests/"


def test_the_page_offers_only_the_kinds_the_user_can_receive(client, world):
    """A kind tied to a capability is offered to holders of a post granting it: the district's admin
    chooses how to hear of a firm's online appeal, a resident is never offered it."""
    client.force_login(world.resident_user)
    body = client.get("/digests/").content.decode()
    assert 'name="kind_topic"' in body and 'name="kind_report"' in body
    assert 'name="kind_blkappeal"' not in body and 'name="kind_admission"' not in body
    client.force_login(world.admin)
    assert 'name="kind_blkappeal"' in client.get("/digests/").content.decode()
