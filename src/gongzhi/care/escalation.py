"""Overdue visits remind and escalate (关爱走访 超时 · 升级), like work orders.

The steps are locality data (`localities.visit_escalation`): a person on the visit list whose visit is overdue
(step 0, `after_days` 0) is told to their paired visitors (volunteers, neighbours) and the grid's workers;
overdue by more than a further number of days (step 1) to the community's workers, then (step 2) to the
street's officers, who hear counts per community and no names (they read care data only as counts).

Set-based and idempotent: the overdue people of every community come from the visit lists (one statement per
rule set); a step taken is a `VisitAlert` row unique on (person, due date, step), so a second sweep, or two at
once, tells nobody twice; a visit gives the person a new due date, and a new spell starts from step 0. Each
recipient hears once per sweep and step: about the person, or, when there are several, how many and who.
The queue's periodic work runs it (care/tasks.py).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Role
from gongzhi.care import localities, visits
from gongzhi.care.models import AlertStep, VisitAlert, VisitorPairing
from gongzhi.people.models import Resident
from gongzhi.places.models import Level, Place
from gongzhi.workorders import notify

NOTICE_KIND = "care_visit"
MAX_NAMES = 5


def _names(people: list[str]) -> str:
    shown = "、".join(people[:MAX_NAMES])
    return shown + (f" 等 {len(people)} 人" if len(people) > MAX_NAMES else "")


def due_steps(today: dt.date, communities: list[Place] | None = None) -> list[tuple]:
    """(row, due date, days late, step) for every overdue person and every step they have reached."""
    communities = communities if communities is not None else list(Place.objects.filter(level=Level.COMMUNITY))
    codes = {c.pk: c.code for c in communities}
    found = []
    for row in visits.visit_list(None, communities, today, statuses=(visits.OVERDUE,)):
        due = visits.due_on(row)
        late = (today - due).days
        for step in localities.visit_escalation(codes[row.community_id]):
            if late > step["after_days"]:
                found.append((row, due, late, step))
    return found


def _tell(heard: dict[int, list], text_one, text_many, now) -> int:
    for user_id, items in heard.items():
        text = text_one(items[0]) if len(items) == 1 else text_many(items)
        notify.notify([user_id], order=None, kind=NOTICE_KIND, text=text, now=now)
    return len(heard)


@transaction.atomic
def escalate_overdue_visits(*, today: dt.date | None = None, now: dt.datetime | None = None,
                            communities: list[Place] | None = None) -> int:
    """One sweep over `communities` (all by default). Returns how many steps were taken."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    found = due_steps(today, communities)
    if not found:
        return 0
    earliest = min(due for _, due, _, _ in found)
    ids = sorted({row.pk for row, _, _, _ in found})
    taken = set(VisitAlert.objects.filter(resident_id__in=ids, due_on__gte=earliest)
                .values_list("resident_id", "due_on", "step"))
    new = [(row, due, late, step) for row, due, late, step in found if (row.pk, due, step["step"]) not in taken]
    if not new:
        return 0
    # the rows first: a sweep running at the same moment (the task holds a lock, but a command may not) inserts
    # nothing twice, and only the steps this sweep wrote are told
    VisitAlert.objects.bulk_create(
        [VisitAlert(resident_id=row.pk, community_id=row.community_id, grid_id=row.grid_id, due_on=due,
                    step=step["step"], days_late=late, created_at=now) for row, due, late, step in new],
        ignore_conflicts=True, batch_size=2000)
    mine = {(a.resident_id, a.due_on, a.step): a for a in VisitAlert.objects.filter(
        resident_id__in=ids, due_on__gte=earliest, created_at=now)}
    new = [(row, due, late, step) for row, due, late, step in new if (row.pk, due, step["step"]) in mine]
    names = dict(Resident.objects.filter(pk__in={row.pk for row, *_ in new}).values_list("pk", "name"))
    places = Place.objects.in_bulk({row.community_id for row, *_ in new} | {row.grid_id for row, *_ in new})
    counts: dict[tuple, int] = defaultdict(int)
    # step 0: each person's paired visitors and the grid's workers
    heard: dict[int, list] = defaultdict(list)
    remind = [(row, due, late) for row, due, late, step in new if step["step"] == AlertStep.REMIND]
    visitors = defaultdict(list)
    for resident_id, user_id in VisitorPairing.objects.filter(
            resident_id__in=[row.pk for row, _, _ in remind], ended_on__isnull=True,
            visitor__is_active=True).values_list("resident_id", "visitor_id"):
        visitors[resident_id].append(user_id)
    for row, due, late in remind:
        item = (names.get(row.pk, ""), due, late)
        users = set(visitors[row.pk]) | set(notify.users_at(places[row.grid_id], [Role.GRID]))
        for user_id in users:
            heard[user_id].append(item)
        counts[(row.pk, due, AlertStep.REMIND)] = len(users)
    _tell(heard, lambda i: f"关爱走访逾期:{i[0]}应于 {i[1]:%Y-%m-%d} 走访,已逾期 {i[2]} 天,请尽快上门",
          lambda items: f"{len(items)} 位关爱对象走访逾期:{_names([i[0] for i in items])},请在走访名单中查看", now)
    # step 1: the community's workers (the people's names: they keep the care pages)
    heard = defaultdict(list)
    for row, due, late, step in new:
        if step["step"] == AlertStep.COMMUNITY:
            users = notify.users_at(places[row.community_id], [Role.COMMUNITY])
            for user_id in users:
                heard[user_id].append((names.get(row.pk, ""), due, late, step["after_days"]))
            counts[(row.pk, due, AlertStep.COMMUNITY)] = len(users)
    _tell(heard, lambda i: f"关爱走访逾期超过 {i[3]} 天,已升级至社区:{i[0]}应于 {i[1]:%Y-%m-%d} 走访,请督促落实",
          lambda items: f"{len(items)} 位关爱对象走访逾期已升级至社区:{_names([i[0] for i in items])},请督促落实", now)
    # step 2: the street's officers, counts per community (no names)
    per_street: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    after = {}
    for row, due, late, step in new:
        if step["step"] == AlertStep.STREET:
            street_id = places[row.community_id].parent_id
            per_street[street_id][row.community_id] += 1
            after[street_id] = step["after_days"]
    streets = Place.objects.in_bulk(list(per_street))
    for street_id, by_community in per_street.items():
        users = notify.users_at(streets.get(street_id), [Role.STREET])
        parts = "、".join(f"{places[c].name} {n} 人" for c, n in sorted(by_community.items(),
                                                                       key=lambda kv: places[kv[0]].code))
        for user_id in users:
            notify.notify([user_id], order=None, kind=NOTICE_KIND, now=now,
                          text=f"关爱走访逾期超过 {after[street_id]} 天,已升级至街道督办:{parts},请在关爱统计中查看")
        for row, due, late, step in new:
            if step["step"] == AlertStep.STREET and places[row.community_id].parent_id == street_id:
                counts[(row.pk, due, AlertStep.STREET)] = len(users)
    for key, alert in mine.items():
        alert.notified = counts.get(key, 0)
    VisitAlert.objects.bulk_update(list(mine.values()), ["notified"], batch_size=2000)
    return len(new)


def escalated(resident_ids, pairs) -> dict[int, int]:
    """{resident id: the highest step taken in their current overdue spell} for the visit lists' badges;
    `pairs` is {resident id: due date}."""
    found: dict[int, int] = {}
    for rid, due, step in VisitAlert.objects.filter(resident_id__in=list(resident_ids)).values_list(
            "resident_id", "due_on", "step"):
        if pairs.get(rid) == due:
            found[rid] = max(found.get(rid, -1), step)
    return found
