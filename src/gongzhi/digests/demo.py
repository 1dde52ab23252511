"""The digests' demo part: a few accounts take their notices as daily or weekly digests, the demo
resident follows a topic of their community, fresh notices are held for them, and the digest task runs
once so the console sender prints the digests (with their unsubscribe links)."""
from __future__ import annotations

from django.apps import apps
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core import notices
from gongzhi.digests import sending, services
from gongzhi.digests.models import Digest, Follow, Frequency, Preference

SUMMARY = {"digest_prefs": "摘要设置 digest preferences", "follows": "关注 follows", "digests": "摘要 digests"}

# username → {kind: frequency}
CHOICES = {
    "community": {"report": Frequency.DAILY, "overdue": Frequency.DAILY, "topic": Frequency.DAILY,
                  "survey": Frequency.OFF},
    "grid": {"dispatch": Frequency.DAILY, "verify": Frequency.DAILY, "report": Frequency.DAILY},
    "street": {"overdue": Frequency.WEEKLY, "topic": Frequency.WEEKLY},
    "resident": {"topic": Frequency.WEEKLY, "project": Frequency.WEEKLY, "election": Frequency.WEEKLY},
}


def build(ctx) -> None:
    from gongzhi.workorders import notify
    from gongzhi.workorders.models import WorkOrder

    now = timezone.now()
    users = {u.username: u for u in User.objects.filter(username__in=list(CHOICES))}
    for username, choices in CHOICES.items():
        if username in users:
            services.preferences_set(user=users[username], choices=choices, now=now)
    followed = _follow_topic(users.get("resident"), now)
    worker = users.get("community")
    if worker is not None:
        place = worker.assignments.filter(active=True).values_list("place_id", flat=True).first()
        for order in WorkOrder.objects.filter(community_id=place).order_by("-pk")[:3]:
            notify.notify([worker.pk], order=order, kind="report", now=now,
                          text=f"新上报工单 {order.number}:{order.title[:40]},请及时受理。")
    grid = users.get("grid")
    if grid is not None:
        place = grid.assignments.filter(active=True).values_list("place_id", flat=True).first()
        for order in WorkOrder.objects.filter(grid_id=place).order_by("-pk")[:2]:
            notify.notify([grid.pk], order=order, kind="dispatch", now=now,
                          text=f"工单 {order.number} 已派遣到本网格,请处置。")
    ctx.say("通知摘要:运行一次摘要任务,摘要由控制台发送器打印如下")
    sent = sending.send_due(now=now)
    ctx.summary.add(SUMMARY, digest_prefs=Preference.objects.count(),
                    follows=Follow.objects.filter(ended_at__isnull=True).count(), digests=Digest.objects.count())
    ctx.say(f"摘要设置: {Preference.objects.count()},关注: {1 if followed else 0},本次发出摘要: {sent}")


def _follow_topic(resident, now):
    """The demo resident follows the first topic of their community they may see (found through the
    registered followable, so this module names no module above it), and hears of a step of it."""
    community_id = getattr(getattr(resident, "resident", None), "community_id", None)
    followable = notices.followables().get("topic")
    if community_id is None or followable is None:
        return None
    model = apps.get_model(followable.subject_type)
    for pk in model.objects.filter(community_id=community_id).order_by("pk").values_list("pk", flat=True)[:20]:
        topic = notices.access_followable(followable, resident, pk)
        if topic is not None:
            services.follow(user=resident, target="topic", target_id=pk, now=now)
            # a step of the followed topic, told to its followers (held for the resident's weekly digest)
            services.tell_followers(topic, text=f"您关注的{followable.label}「{topic.title}」:居委会已安排议事协商会。",
                                    now=now)
            return topic
    return None
