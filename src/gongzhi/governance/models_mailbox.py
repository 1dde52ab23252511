"""The residents' mailbox (书记主任信箱, P-GOV-12): a resident writes to the community's party
secretary or the committee's director; the committee answers within a time limit in working days
by a reply, by turning the letter into a topic (it then collects supports like any other), or by
handing it to the work-order engine. A letter moves 待处理 → 已答复 / 已转议题 / 已转工单, once;
an unanswered letter past its limit is overdue for the committee and the street. Letters are never
public and never deleted."""
from django.conf import settings
from django.db import models
from django.utils import timezone

LETTER_SUBJECT_MAX = 60
LETTER_TEXT_MAX = 2000
REPLY_MAX = 1000


class Addressee(models.TextChoices):
    SECRETARY = "secretary", "党组织书记"
    DIRECTOR = "director", "居(村)委会主任"


class LetterState(models.TextChoices):
    OPEN = "open", "待处理"
    REPLIED = "replied", "已答复"
    TOPIC = "topic", "已转议题"
    ORDER = "order", "已转工单"


class Letter(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    grid = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="网格")
    to = models.CharField("写给", max_length=10, choices=Addressee.choices)
    subject = models.CharField("主题", max_length=LETTER_SUBJECT_MAX)
    text = models.TextField("内容")
    writer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name="来信人")
    written_at = models.DateTimeField("来信时间", default=timezone.now)
    due_at = models.DateTimeField("答复时限")
    state = models.CharField("状态", max_length=10, choices=LetterState.choices, default=LetterState.OPEN)
    answered_at = models.DateTimeField("处理时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="处理人")
    reply = models.TextField("答复", blank=True)
    topic = models.ForeignKey("governance.Topic", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name="转成的议题")
    order = models.ForeignKey("workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="转成的工单")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "居民来信"
        indexes = [models.Index(fields=["community", "state", "due_at"], name="letter_desk"),
                   models.Index(fields=["writer", "-written_at"], name="letter_mine")]

    def __str__(self):
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.state == LetterState.OPEN

    def overdue(self, now=None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())

    @property
    def answered_on_time(self) -> bool:
        return self.answered_at is not None and self.answered_at <= self.due_at
