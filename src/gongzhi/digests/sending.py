"""Sending the digests: the periodic task's work (tasks.send_digests) and its rules.

A daily digest's period starts each day at GONGZHI_DIGEST_HOUR (7 o'clock local time by default), a
weekly one's on Monday at that hour. The first run of the task in a period sends each user, once, what
was held for them until then: the `Digest` row (unique per user, frequency and period) is written
first, so a second node running the same task at the same time fails on the unique index and sends
nothing; a second run finds the row and sends nothing. At send time each held notice is re-checked
with its kind's function (`core.notices.may_see`): a notice about an order moved out of the user's
scope, a topic they no longer see, a kind they hold no post for any more, or a kind switched to
不发送 since, is left out (kept, marked `left_out`). A deactivated account gets no digest at all.
"""
from __future__ import annotations

import datetime as dt
import logging
import os

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import notices
from gongzhi.core.senders import senders
from gongzhi.digests import services
from gongzhi.digests.models import DIGEST_FREQUENCIES, Digest, Frequency, HeldNotice

log = logging.getLogger(__name__)

TITLE = {Frequency.DAILY: "每日摘要", Frequency.WEEKLY: "每周摘要"}
MAX_LINES = 30  # a longer digest lists the newest 30 and says how many more are in the inbox


def digest_hour() -> int:
    return int(getattr(settings, "GONGZHI_DIGEST_HOUR", 7))


def site_url() -> str:
    return getattr(settings, "GONGZHI_SITE_URL", os.environ.get("GONGZHI_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def period_of(frequency: str, now: dt.datetime) -> dt.date:
    """The day (daily) or Monday (weekly) of the period `now` falls in."""
    local = timezone.localtime(now)
    day = local.date() if local.hour >= digest_hour() else local.date() - dt.timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        day -= dt.timedelta(days=day.weekday())
    return day


def send_due(*, now=None) -> int:
    """Send every digest due now that has not been sent; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for frequency in DIGEST_FREQUENCIES:
        period = period_of(frequency, now)
        # NOT EXISTS per user, not NOT IN (sub-query): PostgreSQL rescans the latter per row past work_mem
        done = Exists(Digest.objects.filter(frequency=frequency, period=period, user_id=OuterRef("user_id")))
        waiting = (HeldNotice.objects.filter(frequency=frequency, digest__isnull=True, created_at__lte=now,
                                             user__is_active=True)
                   .exclude(done).values_list("user_id", flat=True).distinct().order_by("user_id"))
        from gongzhi.accounts.models import User
        for user in User.objects.filter(pk__in=list(waiting)).order_by("pk"):
            if digest_for(user=user, frequency=frequency, now=now) is not None:
                sent += 1
    return sent


def digest_for(*, user, frequency: str, now=None) -> Digest | None:
    """Send `user` their digest of this period if it is not sent yet; None if it was (or nothing waits).
    Refused with a Chinese message for a deactivated account or a frequency that is no digest."""
    if frequency not in DIGEST_FREQUENCIES:
        raise services.DigestError(services.ERR_FREQUENCY.format(label="摘要", value=services.shown(frequency)))
    if not user.is_active:
        raise services.DigestError(services.ERR_INACTIVE.format(user=user.username))
    now = now or timezone.now()
    period = period_of(frequency, now)
    with transaction.atomic():
        pending = HeldNotice.objects.filter(user=user, frequency=frequency, digest__isnull=True, created_at__lte=now)
        if not pending.exists():
            return None
        try:
            with transaction.atomic():
                digest = Digest.objects.create(user=user, frequency=frequency, period=period, sent_at=now)
        except IntegrityError:
            return None  # sent already, here or by another node
        items = list(pending.select_for_update())
        kinds = notices.kinds()
        current = services.frequencies_of(user)
        keep, drop = [], []
        for item in items:
            ok = current.get(item.kind) != Frequency.OFF and notices.may_see(kinds.get(item.kind), user, item)
            (keep if ok else drop).append(item)
        HeldNotice.objects.filter(pk__in=[i.pk for i in keep]).update(digest=digest)
        HeldNotice.objects.filter(pk__in=[i.pk for i in drop]).update(digest=digest, left_out=True)
        digest.item_count, digest.left_out = len(keep), len(drop)
        digest.kinds = ",".join(sorted({i.kind for i in keep}))[:400]
        digest.save(update_fields=["item_count", "left_out", "kinds"])
        if keep:
            text = compose(user, frequency, period, keep, kinds)
            transaction.on_commit(lambda: deliver(user, text))
    return digest


def _when(moment: dt.datetime) -> str:
    """A notice's time in a text message, as people write it: 12月1日 08:30 (the period in the first line
    gives the year)."""
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def compose(user, frequency: str, period: dt.date, items, kinds) -> str:
    """The digest's text: a line per notice (grouped by kind), then the one-step unsubscribe links."""
    lines = [f"【共治平台{TITLE[frequency]}】{period.year}年{period.month}月{period.day}日起,共 {len(items)} 条:"]
    by_kind: dict[str, list] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    shown = 0
    for key, rows in by_kind.items():
        label = kinds[key].label if key in kinds else key
        lines.append(f"〔{label}〕")
        for row in rows:
            if shown < MAX_LINES:
                lines.append(f"· {_when(row.created_at)} {row.text}")
            shown += 1
    if shown > MAX_LINES:
        lines.append(f"……另有 {shown - MAX_LINES} 条,请在平台“消息”中查看。")
    base = site_url()
    for key in by_kind:
        label = kinds[key].label if key in kinds else key
        link = reverse("digests:unsubscribe", args=[services.unsubscribe_token(user, key)])
        lines.append(f"不再接收“{label}”:{base}{link}")
    lines.append(f"退订全部摘要:{base}{reverse('digests:unsubscribe', args=[services.unsubscribe_token(user)])}")
    return "\n".join(lines)


def deliver(user, text: str) -> int:
    """Through every configured sender (console, e-mail, SMS gateway); a broken one is logged."""
    done = 0
    for sender in senders():
        try:
            sender.send(user if getattr(sender, "needs_user", True) else user.pk, text)
            done += 1
        except Exception:
            log.exception("digest sender %s failed", type(sender).__name__)
    return done
