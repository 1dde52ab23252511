"""Who hears about a step, and how.

Every notice lands in the in-app inbox (`Notification`). A queue task (workorders/tasks.py
`deliver`, run by `gongzhi worker` once the transaction commits) sends the same text to each sender in
`settings.GONGZHI_NOTIFY_SENDERS` (dotted paths; `gongzhi.core.senders`, where the
sender protocol and the console and e-mail senders live); the default console sender
prints it. An SMS or e-mail sender is a class with `send(user, text)` and
`needs_user = True`; one that needs only the user id sets it False.
"""
from __future__ import annotations

import logging

from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.models import Role, RoleAssignment, User
from gongzhi.core.jobs import background
from gongzhi.core import caching, notices
# the senders live in the kernel (people sends sign-up codes through them too); their old names here keep
# working, so GONGZHI_NOTIFY_SENDERS="gongzhi.workorders.notify.ConsoleSender" is the same class
from gongzhi.core.senders import ConsoleSender, EmailSender, muted, senders  # noqa: F401 - re-exported
from gongzhi.workorders.models import Notification

log = logging.getLogger(__name__)


def _senders():
    return senders()


def users_at(place, roles, department: str = "") -> list[int]:
    """Active users holding one of `roles` at `place` itself (not below it).
    Kept a minute in the shared cache: every report asks, staff change rarely. Any change to a
    post or an account sets a new "staff" mark (workorders/cache_signals.py), so a new community
    worker hears of the next report on every node at once."""
    if place is None:
        return []
    key = f"gongzhi:staff:{caching.generation('staff')}:{place.pk}:{','.join(sorted(roles))}:{department}"

    def load():
        q = RoleAssignment.objects.filter(place=place, role__in=roles, active=True, user__is_active=True)
        if department:
            q = q.filter(department=department)
        return list(q.values_list("user_id", flat=True))
    return caching.remember(key, load, 60)


def handlers_of(order) -> list[int]:
    """Users who act for the order's handling unit."""
    place = order.handling_place
    if place is None:
        return []
    if order.handling_department:
        return list(RoleAssignment.objects.filter(
            role=Role.DEPARTMENT, department=order.handling_department, active=True, user__is_active=True)
            .filter(Q(place=place) | Q(place__in=_ancestors(place))).values_list("user_id", flat=True))
    role = {"grid": Role.GRID, "community": Role.COMMUNITY, "street": Role.STREET, "district": Role.ADMIN}[place.level]
    return users_at(place, [role])


def unit_has_account(place, department: str = "") -> bool:
    """Can an active account act for this handling unit now (read afresh, not from the minute's cache)?"""
    accounts = RoleAssignment.objects.filter(active=True, user__is_active=True)
    if department:
        return accounts.filter(Q(place=place) | Q(place__in=_ancestors(place)), role=Role.DEPARTMENT,
                               department=department).exists()
    role = {"grid": Role.GRID, "community": Role.COMMUNITY, "street": Role.STREET, "district": Role.ADMIN}[place.level]
    return accounts.filter(place=place, role=role).exists()


def _ancestors(place):
    ids, p = [], place.parent
    while p is not None:
        ids.append(p.id)
        p = p.parent
    return ids


def supervisors_of(order, level: int) -> list[int]:
    """Community workers (level 0), street officers (1) or district admins (2)."""
    if level <= 0 and order.community_id:
        return users_at(order.community, [Role.COMMUNITY])
    if level <= 1 and order.street_id:
        return users_at(order.street, [Role.STREET])
    return users_at(order.district, [Role.ADMIN])


def notify(user_ids, *, order, kind: str, text: str, now=None, subject=None) -> int:
    """Inbox rows now; external senders after commit. Returns how many users.
    `subject` is the thing the notice is about when it is not `order` (a topic, a project): a digest
    re-checks it with the kind's function before sending. Each `notice_routes` function registered
    with the kernel (the digests module) names the recipients it holds back from the instant senders
    (a daily or weekly digest, or external senders off); the inbox row is written for everyone."""
    user_ids = sorted({u for u in user_ids if u})
    if not user_ids:
        return 0
    now = now or timezone.now()
    Notification.objects.bulk_create(
        [Notification(user_id=u, order=order, kind=kind, text=text[:300], created_at=now) for u in user_ids])
    if _senders():  # none while muted (demo history, bulk loads)
        held = set()
        for route in notices.routes():
            held |= set(route(user_ids=user_ids, kind=kind, order=order, subject=subject, text=text[:300], now=now))
        now_ids = [u for u in user_ids if u not in held]
        # sent by a queue worker (core/jobs.py): queued in this transaction, so nothing leaves if it rolls
        # back, and a slow or broken gateway neither holds up the step nor loses the notice
        if now_ids:
            deliver.enqueue(now_ids, text)
    return len(user_ids)


@background(retries=3, backoff=30, priority=5)
def deliver(user_ids: list[int], text: str) -> None:
    """The queue task: sends an inbox notice through the senders configured where the worker runs."""
    configured = _senders()
    if configured:
        _deliver(user_ids, text, configured)


def _deliver(user_ids, text, senders) -> None:
    users = list(User.objects.filter(pk__in=user_ids)) if any(
        getattr(s, "needs_user", True) for s in senders) else []
    for sender in senders:
        for recipient in (users if getattr(sender, "needs_user", True) else user_ids):
            try:
                sender.send(recipient, text)
            except Exception:  # a broken gateway must not break the work-order step
                log.exception("notification sender %s failed", type(sender).__name__)
