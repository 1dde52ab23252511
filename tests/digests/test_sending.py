"""The periodic digest: each due digest once (a second run sends nothing new), through the senders,
re-checked at send time, never for a deactivated account."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core import jobs
from gongzhi.digests import sending, services
from gongzhi.digests.models import Digest, HeldNotice
from gongzhi.workorders import notify
from gongzhi.workorders.models import Category, Channel
from gongzhi.workorders.services import order_report


@pytest.fixture
def console(monkeypatch):
    """What the senders were handed: (user id, text)."""
    out = []

    class Recorder:
        needs_user = False

        def send(self, user_id, text):
            out.append((user_id, text))

    monkeypatch.setattr(sending, "senders", lambda: [Recorder()])
    return out


def _at(day, hour):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


MONDAY = dt.date(2027, 3, 1)  # after the real now: the steps' own notices (stamped now) are held before it


def test_period_starts_at_the_digest_hour(settings):
    settings.GONGZHI_DIGEST_HOUR = 7
    assert sending.period_of("daily", _at(MONDAY, 8)) == MONDAY
    assert sending.period_of("daily", _at(MONDAY, 6)) == MONDAY - dt.timedelta(days=1)
    assert sending.period_of("weekly", _at(MONDAY + dt.timedelta(days=3), 12)) == MONDAY
    assert sending.period_of("weekly", _at(MONDAY, 6)) == MONDAY - dt.timedelta(days=7)


def test_a_digest_is_sent_once_and_a_second_run_sends_nothing_new(world, console, django_capture_on_commit_callbacks):
    u = world.community_worker_a
    services.preferences_set(user=u, choices={"topic": "daily", "survey": "weekly"})
    now = _at(MONDAY, 9)
    notify.notify([u.pk], order=None, kind="topic", text="议题一有进展", now=now - dt.timedelta(hours=1))
    notify.notify([u.pk], order=None, kind="topic", text="议题二有进展", now=now - dt.timedelta(hours=1))
    notify.notify([u.pk], order=None, kind="survey", text="请填写满意度问卷", now=now - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.send_due(now=now) == 2  # the daily and the weekly
    assert len(console) == 2
    daily = next(text for _, text in console if "每日摘要" in text)
    assert "共 2 条" in daily and "议题一有进展" in daily and "议题二有进展" in daily and "问卷" not in daily
    assert "/digests/unsubscribe/" in daily and "退订全部摘要" in daily
    # dates as people write them in a text: the period with its year, each notice by month, day and time
    assert "2027年3月1日起" in daily and "· 3月1日 08:00 议题一有进展" in daily and "03-01" not in daily
    assert all(uid == u.pk for uid, _ in console)
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.send_due(now=now + dt.timedelta(minutes=5)) == 0
        assert sending.digest_for(user=u, frequency="daily", now=now) is None
    assert len(console) == 2 and Digest.objects.count() == 2
    # a notice after the day's digest waits for the next day's
    notify.notify([u.pk], order=None, kind="topic", text="议题三有进展", now=now + dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.send_due(now=now + dt.timedelta(hours=3)) == 0
        assert sending.send_due(now=now + dt.timedelta(days=1)) == 1
    assert "议题三有进展" in console[-1][1] and "议题一" not in console[-1][1]


def test_two_nodes_running_at_once_send_one_digest(world, console, django_capture_on_commit_callbacks):
    u = world.community_worker_a
    services.preferences_set(user=u, choices={"topic": "daily"})
    now = _at(MONDAY, 9)
    notify.notify([u.pk], order=None, kind="topic", text="议题有进展", now=now - dt.timedelta(hours=1))
    Digest.objects.create(user=u, frequency="daily", period=MONDAY, sent_at=now)  # the other node's row
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.digest_for(user=u, frequency="daily", now=now) is None
    assert console == [] and HeldNotice.objects.get().digest_id is None


def _report(world, title):
    return order_report(category=Category.objects.get(code="sanitation"), description=title, channel=Channel.GRID,
                        by=world.grid_worker_a1, grid=world.grid_a1)


def test_a_notice_about_an_order_moved_out_of_scope_is_left_out(world, console, django_capture_on_commit_callbacks):
    u = world.community_worker_a
    services.preferences_set(user=u, choices={"report": "daily"})
    kept, moved = _report(world, "东虹楼道堆物"), _report(world, "东虹路灯不亮")
    now = _at(MONDAY, 9)
    for order in (kept, moved):
        notify.notify([u.pk], order=order, kind="report", text=f"新上报工单 {order.title}", now=now - dt.timedelta(hours=1))
    type(moved).objects.filter(pk=moved.pk).update(street=world.street_b, community=world.comm_b, grid=world.grid_b1,
                                                    handling_place=world.comm_b)
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.send_due(now=now) == 1
    (_, text), = console
    assert "东虹楼道堆物" in text and "东虹路灯不亮" not in text
    # the report step's own notice and ours, for each order: the moved order's are kept, marked left out
    held = {pk: sorted(HeldNotice.objects.filter(order_id=pk).values_list("left_out", flat=True))
            for pk in (kept.pk, moved.pk)}
    assert held == {kept.pk: [False, False], moved.pk: [True, True]}
    digest = Digest.objects.get()
    assert (digest.item_count, digest.left_out) == (2, 2) and f"共 {digest.item_count} 条" in text


def test_a_post_taken_away_leaves_its_kinds_out(world, console, django_capture_on_commit_callbacks):
    u = world.community_worker_a
    services.preferences_set(user=u, choices={"datareq": "daily", "topic": "daily"})
    now = _at(MONDAY, 9)
    notify.notify([u.pk], order=None, kind="datareq", text="请填报数据", now=now - dt.timedelta(hours=1))
    notify.notify([u.pk], order=None, kind="topic", text="议题有进展", now=now - dt.timedelta(hours=1))
    u.assignments.update(active=False)
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_due(now=now)
    assert console == []  # nothing left the user may see: the digest row records it, nothing is sent
    assert Digest.objects.get().left_out == 2


def test_a_kind_switched_off_after_holding_is_left_out(world, console, django_capture_on_commit_callbacks):
    u = world.community_worker_a
    services.preferences_set(user=u, choices={"topic": "daily", "report": "daily"})
    now = _at(MONDAY, 9)
    notify.notify([u.pk], order=None, kind="topic", text="议题有进展", now=now - dt.timedelta(hours=1))
    notify.notify([u.pk], order=None, kind="report", text="新上报", now=now - dt.timedelta(hours=1))
    services.preferences_set(user=u, choices={"topic": "off"})
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_due(now=now)
    assert len(console) == 1 and "议题" not in console[0][1] and "新上报" in console[0][1]


def test_a_deactivated_account_gets_no_digest(world, console, django_capture_on_commit_callbacks):
    u = world.community_worker_a
    services.preferences_set(user=u, choices={"topic": "daily"})
    now = _at(MONDAY, 9)
    notify.notify([u.pk], order=None, kind="topic", text="议题有进展", now=now - dt.timedelta(hours=1))
    u.is_active = False
    u.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.send_due(now=now) == 0
    assert console == [] and not Digest.objects.exists()
    with pytest.raises(services.DigestError, match=f"账号「{u.username}」已停用,不发送摘要"):
        sending.digest_for(user=u, frequency="daily", now=now)
    with pytest.raises(services.DigestError, match="发送方式「hourly」无效"):
        sending.digest_for(user=world.street_officer_a, frequency="hourly", now=now)
    assert not Digest.objects.exists()


def test_the_task_is_registered_as_periodic_work():
    assert "gongzhi.digests.tasks.send_digests" in [path for path, _ in jobs.default_schedule()]
