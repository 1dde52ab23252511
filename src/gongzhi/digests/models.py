"""Notice preferences, digests and follows (docs/digests.md).

- `Preference`: one user's choice for one notice kind (即时 / 每日摘要 / 每周摘要 / 不发送); no row is 即时.
  Every change is a `PreferenceChange` row (page, unsubscribe link, undo), so an undo knows what to restore.
- `HeldNotice`: a notice held for a user's digest (written by `routing.hold` when `workorders.notify`
  sends one of a kind the user takes as a digest): the text, the order or subject it is about.
  Sent or left out, it points at its `Digest`; never deleted.
- `Digest`: one digest sent to one user for one period (daily: the day, weekly: the Monday), unique per
  user, frequency and period, so several workers running the task send it once.
- `Follow`: a user following a topic, a project or an election (a registered `Followable`);
  unfollowing ends the row (history kept), following again starts a new one.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Frequency(models.TextChoices):
    INSTANT = "instant", "即时"
    DAILY = "daily", "每日摘要"
    WEEKLY = "weekly", "每周摘要"
    OFF = "off", "不发送"


DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)


class Via(models.TextChoices):
    PAGE = "page", "通知设置页"
    LINK = "link", "摘要中的退订链接"
    UNDO = "undo", "撤销退订"


class Preference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("通知类别", max_length=12)
    frequency = models.CharField("方式", max_length=8, choices=Frequency.choices, default=Frequency.INSTANT)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="digest_pref_user_kind")]
        indexes = [models.Index(fields=["kind", "frequency"], name="digest_pref_kind_freq")]


class PreferenceChange(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)
    old = models.CharField(max_length=8, choices=Frequency.choices)
    new = models.CharField(max_length=8, choices=Frequency.choices)
    via = models.CharField(max_length=8, choices=Via.choices)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]


class Digest(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    period = models.DateField("周期")  # the day (daily) or the Monday (weekly)
    kinds = models.CharField(max_length=400, blank=True)  # the kinds it held, comma-separated
    sent_at = models.DateTimeField()
    item_count = models.PositiveIntegerField(default=0)
    left_out = models.PositiveIntegerField(default=0)  # held notices the user may no longer see

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "frequency", "period"], name="digest_once_per_period")]


class HeldNotice(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    text = models.CharField(max_length=300)
    order_id = models.BigIntegerField(null=True, blank=True)  # the work order it is about, if any
    subject_type = models.CharField(max_length=40, blank=True)  # "governance.topic"
    subject_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    digest = models.ForeignKey(Digest, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    left_out = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["frequency", "digest", "user"], name="digest_held_pending")]


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    target = models.CharField("关注对象类别", max_length=20)  # Followable.key
    target_id = models.BigIntegerField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "target", "target_id"], condition=Q(ended_at__isnull=True),
                                               name="digest_follow_once")]
        indexes = [models.Index(fields=["target", "target_id"], name="digest_follow_target")]
