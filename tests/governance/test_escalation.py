"""Overdue topic answers escalate like work orders: the street when the deadline passes, the district
some working days later; once per level, never for a topic answered meanwhile; one notice per
supervisor per sweep."""
import datetime as dt

from django.utils import timezone

from gongzhi.governance import services
from gongzhi.governance.escalation import ESCALATE_TO_DISTRICT_DAYS, escalate_overdue_topics
from gongzhi.governance.models import Topic, TopicAction, TopicEvent, TopicState
from gongzhi.workorders.models import Notification


def _waiting(w, title, *, due_hours_ago=1, community=None):
    topic = services.topic_raise(place=community or w.comm_a, category="facilities", title=title, text="路灯坏了",
                                 by=w.community_worker_a, raised_as="committee")
    now = timezone.now()
    Topic.objects.filter(pk=topic.pk).update(state=TopicState.WAITING, waiting_since=now - dt.timedelta(days=10),
                                             answer_due_at=now - dt.timedelta(hours=due_hours_ago))
    return topic


def test_the_street_then_the_district_hear_of_an_overdue_answer_once(world):
    topic = _waiting(world, "南门路灯")
    not_yet = _waiting(world, "北门路灯", due_hours_ago=-24)  # due tomorrow
    assert escalate_overdue_topics() == 1
    topic.refresh_from_db()
    assert topic.escalation_level == 1 and topic.escalate_next_at is not None
    assert TopicEvent.objects.filter(topic=topic, action=TopicAction.ESCALATE).count() == 1
    street_notes = Notification.objects.filter(user=world.street_officer_a, kind="topic")
    assert [n.text for n in street_notes] == ["议题「南门路灯」超过答复时限,已升级至街道督办"]
    assert not Notification.objects.filter(user=world.admin, kind="topic").exists()
    assert escalate_overdue_topics() == 0  # idempotent
    assert Topic.objects.get(pk=not_yet.pk).escalation_level == 0

    later = timezone.now() + dt.timedelta(days=ESCALATE_TO_DISTRICT_DAYS + 5)
    Topic.objects.filter(pk=not_yet.pk).update(answer_due_at=later)  # keep the other one out of this step
    assert escalate_overdue_topics(now=later) == 1
    topic.refresh_from_db()
    assert topic.escalation_level == 2 and topic.escalate_next_at is None
    assert Notification.objects.filter(user=world.admin, kind="topic", text__contains="区级督办").count() == 1
    assert escalate_overdue_topics(now=later) == 0


def test_an_answered_topic_is_never_escalated_and_many_make_one_notice(world):
    answered = _waiting(world, "已答复的")
    services.answer(topic_id=answered.pk, version=Topic.objects.get(pk=answered.pk).version, kind="deliberation",
                    text="下周协商", by=world.community_worker_a)
    for i in range(3):
        _waiting(world, f"超时{i}")
    assert escalate_overdue_topics() == 3
    assert Topic.objects.get(pk=answered.pk).escalation_level == 0
    notes = list(Notification.objects.filter(user=world.street_officer_a, kind="topic").values_list("text", flat=True))
    assert notes == ["3 个议题超过答复时限,已升级至街道督办,请在议题待答复中查看"]
    # community B's street hears nothing of A's topics
    assert not Notification.objects.filter(user__username="street_b").exists()


def test_the_sweep_is_periodic_work_the_module_registers(settings):
    from gongzhi.core import jobs
    settings.GONGZHI_SWEEP_EVERY = 60
    schedule = jobs.default_schedule()
    assert ("gongzhi.governance.tasks.topic_sweep", 60.0) in schedule
    assert ("gongzhi.workorders.tasks.overdue_sweep", 60.0) in schedule
