"""Topics: the state machine, supports (one per resident, also under concurrency), answers,
notices, and what each role may see and do."""
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from gongzhi.core.errors import ConflictError, RuleError
from gongzhi.governance import services
from gongzhi.governance.models import Support, Topic, TopicEvent, TopicRules, TopicState
from gongzhi.workorders.models import Category, Notification, WorkOrder
from tests.factories import household, resident, user


def _raise(w, by=None, place=None, **kw):
    kw.setdefault("category", "facilities")
    kw.setdefault("title", "楼道灯不亮")
    kw.setdefault("text", "三号楼楼道灯坏了两周")
    kw.setdefault("raised_as", "resident")
    return services.topic_raise(place=place or w.comm_a, by=by or w.resident_user, **kw)


def _residents(w, n, grid=None):
    """n residents of community A, each with a resident account."""
    out = []
    for i in range(n):
        r = resident(household(grid or w.grid_a1), name=f"居民{i}")
        out.append(user(f"r{i}_{r.pk}", "resident", w.comm_a, resident=r))
    return out


def test_threshold_moves_the_topic_to_the_desk_with_a_deadline(world):
    TopicRules.objects.create(community=world.comm_a, threshold=3, answer_days=5)
    topic = _raise(world)
    people = _residents(world, 3)
    for u in people[:2]:
        topic = services.support(topic=topic, by=u)
    assert topic.state == TopicState.COLLECTING and topic.support_count == 2
    topic = services.support(topic=topic, by=people[2])
    assert topic.state == TopicState.WAITING and topic.support_count == 3
    assert topic.answer_due_at is not None and topic.answer_due_at > topic.waiting_since
    assert list(topic.events.values_list("action", flat=True)) == ["raise", "to_desk"]


def test_one_support_per_resident_and_withdraw(world):
    topic = _raise(world)
    services.support(topic=topic, by=world.resident_user)
    with pytest.raises(RuleError, match="只能附议一次"):
        services.support(topic=topic, by=world.resident_user)
    topic.refresh_from_db()
    assert topic.support_count == 1 == Support.objects.filter(topic=topic).count()
    topic = services.withdraw(topic=topic, by=world.resident_user)
    assert topic.support_count == 0
    with pytest.raises(RuleError, match="没有附议"):
        services.withdraw(topic=topic, by=world.resident_user)


def test_staff_and_other_communities_cannot_support(world, client):
    topic = _raise(world)
    with pytest.raises(PermissionDenied):
        services.support(topic=topic, by=world.community_worker_a)
    other = resident(household(world.grid_b1), name="赵六")
    outsider = user("res_b", "resident", world.comm_b, resident=other)
    with pytest.raises(PermissionDenied):
        services.support(topic=topic, by=outsider)
    client.force_login(outsider)
    assert client.get(f"/governance/{topic.pk}/").status_code == 404
    assert client.post(f"/governance/{topic.pk}/support/").status_code == 404
    assert "楼道灯不亮" not in client.get("/governance/").content.decode()
    client.force_login(world.community_worker_a)
    assert client.post(f"/governance/{topic.pk}/support/").status_code == 403
    topic.refresh_from_db()
    assert topic.support_count == 0


@pytest.mark.parametrize("text,message", [("楼道\x00灯", "控制字符"), ("长" * 10 * 1024 * 1024, "不能超过")])
def test_bad_text_is_refused_and_nothing_saved(world, client, text, message):
    with pytest.raises(RuleError, match=message):
        _raise(world, text=text)
    client.force_login(world.resident_user)
    response = client.post("/governance/new/", {"category": "facilities", "title": "楼道灯", "text": text})
    assert response.status_code == 422
    body = response.content.decode()
    assert "内容" in body and ("控制字符" in body or "2000" in body)
    assert not Topic.objects.exists()


def test_fake_image_is_refused(world, client):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    client.force_login(world.resident_user)
    response = client.post("/governance/new/", {"category": "facilities", "title": "楼道灯", "text": "坏了",
                                                "photos": [fake]})
    assert response.status_code == 422 and "photo.jpg" in response.content.decode()
    assert "格式不支持" in response.content.decode()
    assert not Topic.objects.exists()


def test_answers_and_notices(world):
    supporters = _residents(world, 2)
    topic = _raise(world)
    for u in supporters:
        services.support(topic=topic, by=u)
    topic.refresh_from_db()
    with pytest.raises(RuleError, match="理由"):
        services.answer(topic_id=topic.pk, version=topic.version, kind="decline", text="", by=world.community_worker_a)
    services.answer(topic_id=topic.pk, version=topic.version, kind="decline", text="不属于居民自治范围",
                    by=world.community_worker_a)
    topic.refresh_from_db()
    assert topic.state == TopicState.DECLINED and topic.answered_at
    told = set(Notification.objects.filter(kind="topic").values_list("user_id", flat=True))
    assert told == {world.resident_user.pk, *(u.pk for u in supporters)}
    assert "不属于居民自治范围" in Notification.objects.filter(kind="topic").first().text
    with pytest.raises(ConflictError):
        services.answer(topic_id=topic.pk, version=topic.version, kind="deliberation", text="",
                        by=world.community_worker_a)


def test_stale_version_is_a_conflict(world):
    topic = _raise(world)
    services.answer(topic_id=topic.pk, version=topic.version, kind="deliberation", text="下月议事会",
                    by=world.community_worker_a)
    with pytest.raises(ConflictError, match="刷新"):
        services.answer(topic_id=topic.pk, version=topic.version, kind="decline", text="x",
                        by=world.community_worker_a)
    assert Topic.objects.get(pk=topic.pk).state == TopicState.DELIBERATION


def test_merge_carries_supporters(world):
    a, b, c = _residents(world, 3)
    source = _raise(world, title="加装电梯")
    target = _raise(world, title="老旧小区加装电梯")
    for u in (a, b):
        services.support(topic=source, by=u)
    for u in (b, c):
        services.support(topic=target, by=u)
    source.refresh_from_db()
    services.answer(topic_id=source.pk, version=source.version, kind="merge", text="同一件事",
                    by=world.community_worker_a, merge_into=target)
    target.refresh_from_db()
    assert target.support_count == 3
    assert set(Support.objects.filter(topic=target).values_list("user_id", flat=True)) == {a.pk, b.pk, c.pk}
    assert Topic.objects.get(pk=source.pk).merged_into_id == target.pk
    assert TopicEvent.objects.filter(topic=target, action="absorb").exists()


def test_merge_needs_a_target_in_the_same_community(world):
    source = _raise(world)
    foreign = _raise(world, place=world.comm_b, by=world.community_worker_b, raised_as="committee")
    with pytest.raises(RuleError, match="合并"):
        services.answer(topic_id=source.pk, version=source.version, kind="merge", text="",
                        by=world.community_worker_a, merge_into=foreign)


def test_hand_to_a_work_order(world):
    topic = _raise(world, place=world.grid_a1)
    services.answer(topic_id=topic.pk, version=topic.version, kind="order", text="交物业维修",
                    by=world.community_worker_a, order_category=Category.objects.get(code="property"))
    topic.refresh_from_db()
    order = topic.handed_order
    assert topic.state == TopicState.ORDERED and order is not None
    assert order.grid_id == world.grid_a1.pk and "三号楼楼道灯" in order.description
    assert WorkOrder.objects.get(pk=order.pk).topics_handed.get() == topic
    with pytest.raises(RuleError, match="工单类别"):
        other = _raise(world)
        services.answer(topic_id=other.pk, version=other.version, kind="order", text="", by=world.community_worker_a)


def test_grid_worker_turns_a_visit_and_an_order_into_a_topic(world, client):
    from gongzhi.workorders.models import VisitLog
    visit = VisitLog.objects.create(grid=world.grid_a1, visitor=world.grid_worker_a1, visited_on="2026-01-05",
                                    notes="走访", concerns="居民希望增设晾衣架")
    client.force_login(world.grid_worker_a1)
    response = client.post(f"/governance/from-visit/{visit.pk}/")
    topic = Topic.objects.get(source_visit=visit)
    assert response.status_code == 302 and topic.raised_as == "grid" and topic.grid_id == world.grid_a1.pk
    assert client.post(f"/governance/from-visit/{visit.pk}/").url == f"/governance/{topic.pk}/"  # once
    assert Topic.objects.count() == 1


def test_rules_page(world, client):
    client.force_login(world.community_worker_a)
    assert client.post(f"/governance/rules/{world.comm_a.code}/", {"version": 1, "threshold": 0,
                                                                   "answer_days": 5}).status_code == 302
    assert not TopicRules.objects.exists()
    client.post(f"/governance/rules/{world.comm_a.code}/", {"version": 1, "threshold": 4, "answer_days": 3})
    rules = TopicRules.objects.get(community=world.comm_a)
    assert (rules.threshold, rules.answer_days) == (4, 3)
    assert client.get("/governance/rules/").status_code == 200


def test_pages_for_resident_and_committee(world, client):
    topic = _raise(world)
    client.force_login(world.resident_user)
    assert "附议" in client.get(f"/governance/{topic.pk}/").content.decode()
    assert client.post(f"/governance/{topic.pk}/support/").status_code == 302
    assert Topic.objects.get(pk=topic.pk).support_count == 1
    response = client.post(f"/governance/{topic.pk}/answer/", {"version": 1, "kind": "decline", "text": "x"})
    assert response.status_code == 403
    client.force_login(world.community_worker_a)
    body = client.get(f"/governance/{topic.pk}/").content.decode()
    assert "答复议题" in body
    response = client.post(f"/governance/{topic.pk}/answer/", {"version": 1, "kind": "decline", "text": ""})
    assert response.status_code == 422 and "理由" in response.content.decode()
    response = client.post(f"/governance/{topic.pk}/answer/", {"version": 1, "kind": "deliberation", "text": "下周议事会"})
    assert response.status_code == 302
    # a second answer from a form loaded before the first: refused, the first stays
    response = client.post(f"/governance/{topic.pk}/answer/", {"version": 1, "kind": "decline", "text": "不办"})
    assert response.status_code == 409 and "刷新" in response.content.decode()
    assert Topic.objects.get(pk=topic.pk).state == TopicState.DELIBERATION
    client.logout()
    board = client.get(f"/governance/board/{world.comm_a.code}/").content.decode()
    assert "楼道灯不亮" in board and "下周议事会" in board and "res_a1" not in board and "张三" not in board
    assert world.comm_a.name in client.get("/governance/board/").content.decode()


def test_street_sees_overdue_and_may_answer_then(world, client):
    import datetime as dt

    from django.utils import timezone
    topic = _raise(world)
    Topic.objects.filter(pk=topic.pk).update(state=TopicState.WAITING, waiting_since=timezone.now(),
                                             answer_due_at=timezone.now() + dt.timedelta(days=3))
    client.force_login(world.street_officer_a)
    assert "楼道灯不亮" not in client.get("/governance/desk/").content.decode()
    assert client.post(f"/governance/{topic.pk}/answer/", {"version": 1, "kind": "deliberation"}).status_code == 403
    Topic.objects.filter(pk=topic.pk).update(answer_due_at=timezone.now() - dt.timedelta(days=1))
    assert "楼道灯不亮" in client.get("/governance/desk/").content.decode()
    home = client.get("/").content.decode()
    assert "个议题待答复" in home
    assert client.post(f"/governance/{topic.pk}/answer/", {"version": 1, "kind": "deliberation"}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_concurrent_supports_count_once(world):
    """Two requests of the same resident at once: one support, count 1. Many residents at once:
    every support counted (PostgreSQL runs them truly in parallel; SQLite serialises them)."""
    topic = _raise(world)
    people = _residents(world, 6)
    errors = []

    def go(u):
        try:
            services.support(topic=topic, by=u)
        except RuleError as exc:
            errors.append(str(exc))
        except Exception as exc:  # SQLite: "database is locked" under contention is a refusal, not a double count
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(u,)) for u in [world.resident_user] * 4 + people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    topic.refresh_from_db()
    assert Support.objects.filter(topic=topic, resident=world.res_a1).count() == 1
    assert topic.support_count == Support.objects.filter(topic=topic).count()
    if connection.vendor == "postgresql":
        assert topic.support_count == 7 and len(errors) == 3


def test_an_order_becomes_a_topic_and_links_back(world, client):
    from gongzhi.workorders import services as orders
    from gongzhi.workorders.models import Channel
    order = orders.order_report(category=Category.objects.get(code="property"), description="小区停车位不够用",
                                channel=Channel.GRID, by=world.grid_worker_a1, grid=world.grid_a1)
    client.force_login(world.resident_user)
    assert client.post(f"/governance/from-order/{order.pk}/").status_code == 404  # staff only
    client.force_login(world.grid_worker_a1)
    assert "转为居民议题" in client.get(f"/orders/{order.pk}/").content.decode()
    response = client.post(f"/governance/from-order/{order.pk}/")
    topic = Topic.objects.get(source_order=order)
    assert response.url == f"/governance/{topic.pk}/" and topic.text == "小区停车位不够用"
    body = client.get(f"/orders/{order.pk}/").content.decode()
    assert "已转为居民议题" in body and "转为居民议题</button>" not in body


def test_a_photo_is_kept_and_shown_to_the_community(world, client):
    png = SimpleUploadedFile("scene.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    client.force_login(world.resident_user)
    response = client.post("/governance/new/", {"category": "safety", "title": "消防通道被占", "text": "电动车堵门",
                                                "photos": [png]})
    topic = Topic.objects.get()
    assert response.url == f"/governance/{topic.pk}/"
    photo = topic.photos.get()
    assert photo.content_type == "image/png"
    client.force_login(world.community_worker_a)
    assert client.get(f"/governance/{topic.pk}/photos/{photo.pk}/").status_code == 200
    client.force_login(world.community_worker_b)
    assert client.get(f"/governance/{topic.pk}/photos/{photo.pk}/").status_code == 404


def test_the_list_counts_each_state_under_the_other_filters_with_one_count_query(world, client):
    from django.test.utils import CaptureQueriesContext

    _raise(world, category="facilities", title="路灯")
    _raise(world, category="facilities", title="井盖")
    _raise(world, category="environment", title="垃圾房")
    client.force_login(world.community_worker_a)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/governance/?category=facilities&state=collecting").content.decode()
    assert "路灯" in body and "井盖" in body and "垃圾房" not in body
    assert "征集中(2)" in body and ",共 2 个议题" in body  # the state's count is this category's
    counting = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and '"governance_topic"' in q["sql"]]
    assert len(counting) == 1, counting  # the state tabs' GROUP BY also gives the paginator its total
