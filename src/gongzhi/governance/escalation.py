"""Overdue answers escalate like work orders (三级联动): a topic still waiting for its committee's
answer when its deadline passes is escalated to the street (its officers are told, the topic shows
已升级至街道督办 and the street may answer it), and ESCALATE_TO_DISTRICT_DAYS working days later to
the district's administrators. Each step writes an 督办 event on the topic.

Set-based and idempotent: the rows move by conditional UPDATEs on (state, level), so a second sweep
at the same moment, or an answer given meanwhile, moves nothing twice; each supervisor hears once per
sweep and level, about the topic itself or, when there are several, how many. The queue's periodic
work runs it (governance/tasks.py)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.governance.models import Topic, TopicAction, TopicEvent, TopicState
from gongzhi.workorders import notify
from gongzhi.workorders.calendar import add_working_days

ESCALATE_TO_DISTRICT_DAYS = 3
BATCH = 2000
NOTE = {1: "超过答复时限,已升级至街道督办", 2: "超过答复时限,已升级至区级督办"}


def _supervisors(rows, level: int) -> dict[int, list]:
    """user id → the topics they hear of: street officers of the topic's street at level 1, the
    district's administrators at level 2."""
    heard = defaultdict(list)
    by_place = defaultdict(list)
    for row in rows:
        street = row["community__parent_id"]
        place = street if level == 1 else row["community__parent__parent_id"]
        by_place[place].append(row)
    role = Role.STREET if level == 1 else Role.ADMIN
    from gongzhi.places.models import Place
    for place in Place.objects.filter(pk__in=[p for p in by_place if p]):
        for user_id in notify.users_at(place, [role]):
            heard[user_id].extend(by_place[place.pk])
    return heard


def _step(*, level: int, now: dt.datetime) -> int:
    waiting = Topic.objects.filter(state=TopicState.WAITING)
    if level == 1:
        due = waiting.filter(escalation_level=0, answer_due_at__lt=now)
    else:
        due = waiting.filter(escalation_level=1, escalate_next_at__lt=now)
    moved = 0
    while True:
        with transaction.atomic():
            rows = list(due.order_by("pk").values("pk", "title", "community__parent_id",
                                                  "community__parent__parent_id")[:BATCH])
            if not rows:
                return moved
            ids = [r["pk"] for r in rows]
            nxt = add_working_days(now, ESCALATE_TO_DISTRICT_DAYS) if level == 1 else None
            # the same condition again: a topic answered or escalated meanwhile is not moved twice
            count = due.filter(pk__in=ids).update(escalation_level=level, escalate_next_at=nxt)
            moved_ids = set(Topic.objects.filter(pk__in=ids, escalation_level=level).values_list("pk", flat=True))
            rows = [r for r in rows if r["pk"] in moved_ids]
            TopicEvent.objects.bulk_create([
                TopicEvent(topic_id=r["pk"], action=TopicAction.ESCALATE, from_state=TopicState.WAITING,
                           to_state=TopicState.WAITING, actor_name="系统", note=NOTE[level], at=now) for r in rows])
            for user_id, topics in _supervisors(rows, level).items():
                text = (f"议题「{topics[0]['title']}」{NOTE[level]}" if len(topics) == 1
                        else f"{len(topics)} 个议题{NOTE[level]},请在议题待答复中查看")
                notify.notify([user_id], order=None, kind="topic", text=text, now=now)
            moved += count
        if len(ids) < BATCH:
            return moved


def escalate_overdue_topics(*, now: dt.datetime | None = None) -> int:
    """One sweep: first the district step (so a topic never takes both steps in one sweep), then the
    street step. Returns how many topics moved."""
    now = now or timezone.now()
    return _step(level=2, now=now) + _step(level=1, now=now)
