"""Self-governance, first link of the chain: topics (议题) residents and staff raise, the
supports (附议) that put a topic on the committee's desk, and the committee's answer.

A topic moves 征集中 → 待答复 (its supports reached the community's threshold; the answer is
due within the community's working days) → one of four answers: 转入协商, 合并 (into another
topic, supporters carried over), 转为工单 (a work order made from it), 不予采纳 (with a reason).
Every step is a `TopicEvent` row; nothing about a step is ever edited afterwards.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gongzhi.core.models import AppendOnly

TEXT_MAX = 2000
TITLE_MAX = 60


class TopicCategory(models.TextChoices):
    ENVIRONMENT = "environment", "环境卫生"
    FACILITIES = "facilities", "公共设施"
    PROPERTY = "property", "物业管理"
    NEIGHBOURS = "neighbours", "邻里关系"
    SERVICES = "services", "社区服务"
    SAFETY = "safety", "安全"
    OTHER = "other", "其他"


class RaisedAs(models.TextChoices):
    RESIDENT = "resident", "居民"
    GRID = "grid", "网格员"
    COMMITTEE = "committee", "居委会成员"
    GROUP = "group", "居民小组"
    UNIT = "unit", "驻区单位"


class TopicState(models.TextChoices):
    COLLECTING = "collecting", "征集中"
    WAITING = "waiting", "待答复"
    DELIBERATION = "deliberation", "转入协商"
    MERGED = "merged", "已合并"
    ORDERED = "ordered", "转为工单"
    DECLINED = "declined", "不予采纳"


OPEN_STATES = (TopicState.COLLECTING, TopicState.WAITING)
ANSWERED_STATES = (TopicState.DELIBERATION, TopicState.MERGED, TopicState.ORDERED, TopicState.DECLINED)


class TopicRules(models.Model):
    """A community's rules for topics: the supports that put one on the committee's desk, and
    the working days within which the committee answers; and the working days within which a letter
    to the secretary/director's mailbox is answered (P-GOV-12). A community without a row has the defaults."""
    DEFAULT_THRESHOLD = 10
    DEFAULT_ANSWER_DAYS = 5
    DEFAULT_LETTER_DAYS = 5

    community = models.OneToOneField("places.Place", on_delete=models.PROTECT, related_name="topic_rules")
    threshold = models.PositiveSmallIntegerField("附议人数", default=DEFAULT_THRESHOLD)
    answer_days = models.PositiveSmallIntegerField("答复时限(工作日)", default=DEFAULT_ANSWER_DAYS)
    letter_days = models.PositiveSmallIntegerField("信箱答复时限(工作日)", default=DEFAULT_LETTER_DAYS)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "议题规则"
        constraints = [models.CheckConstraint(condition=Q(threshold__gte=1) & Q(answer_days__gte=1),
                                              name="topic_rules_positive")]


class Topic(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    grid = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="网格")
    building = models.CharField("小区 / 楼栋", max_length=60, blank=True)
    category = models.CharField("类别", max_length=12, choices=TopicCategory.choices)
    title = models.CharField("标题", max_length=TITLE_MAX)
    text = models.TextField("内容")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="提出人")
    raised_as = models.CharField("提出身份", max_length=10, choices=RaisedAs.choices)
    source_visit = models.ForeignKey("workorders.VisitLog", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="topics", verbose_name="来源民情日记")
    source_order = models.ForeignKey("workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="topics_raised", verbose_name="来源工单")
    state = models.CharField("状态", max_length=12, choices=TopicState.choices, default=TopicState.COLLECTING)
    support_count = models.PositiveIntegerField("附议数", default=0)
    created_at = models.DateTimeField("提出时间", default=timezone.now)
    waiting_since = models.DateTimeField("提交答复时间", null=True, blank=True)
    answer_due_at = models.DateTimeField("答复时限", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answer = models.TextField("答复", blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_topics", verbose_name="合并至")
    handed_order = models.ForeignKey("workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="topics_handed", verbose_name="转办工单")
    # overdue answers escalate like work orders (governance/escalation.py): 1 = the street was told
    # when the deadline passed, 2 = the district, ESCALATE_TO_DISTRICT_DAYS working days later
    escalation_level = models.PositiveSmallIntegerField("督办级别", default=0)
    escalate_next_at = models.DateTimeField("下次升级时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "议题"
        indexes = [models.Index(fields=["community", "state", "-created_at"], name="topic_list"),
                   models.Index(fields=["community", "-created_at"], name="topic_newest"),
                   # the category filter (with or without a state) and its state counts
                   models.Index(fields=["community", "category", "state", "-created_at"], name="topic_category"),
                   models.Index(fields=["community", "-support_count"], name="topic_supported"),
                   models.Index(fields=["state", "answer_due_at"], name="topic_desk"),
                   models.Index(fields=["community", "answered_at"], name="topic_board")]

    def __str__(self):
        return self.title

    @property
    def overdue(self) -> bool:
        return self.state == TopicState.WAITING and self.answer_due_at is not None \
            and self.answer_due_at < timezone.now()


class Support(models.Model):
    """One resident's 附议 of one topic; the database keeps it to one, whatever the requests do."""
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "附议"
        constraints = [models.UniqueConstraint(fields=["topic", "resident"], name="one_support_per_resident")]
        indexes = [models.Index(fields=["resident", "topic"], name="support_by_resident")]


class TopicAction(models.TextChoices):
    RAISE = "raise", "提出议题"
    TO_DESK = "to_desk", "附议达到人数,提交居委会答复"
    DELIBERATION = "deliberation", "答复:转入协商"
    MERGE = "merge", "答复:合并到其他议题"
    ABSORB = "absorb", "并入其他议题及其附议"
    ORDER = "order", "答复:转为工单"
    DECLINE = "decline", "答复:不予采纳"
    ESCALATE = "escalate", "超过答复时限,升级督办"


class TopicEvent(AppendOnly):
    """Append-only history of a topic: who did what, when."""
    refuse_change, refuse_delete = "议题记录不可修改", "议题记录不可删除"
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("环节", max_length=12, choices=TopicAction.choices)
    from_state = models.CharField(max_length=12, choices=TopicState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=TopicState.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField("经办人", max_length=80, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["at", "pk"]


class TopicPhoto(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="governance/%Y/%m/")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)


from gongzhi.governance.models_meetings import (  # noqa: E402,F401 - the meetings' models live beside the topics'
    COMMENT_MAX, NUMERALS, SESSION_TEXT_MAX, HearingMatter, MeetingBody, MeetingForm, MeetingState, MotionOption,
    Outcome, Participant,
    ParticipantKind, PostKind, QuorumRule, ResidentGroup, ResidentMeeting, ResidentPost, RollEntry, Session,
    SessionComment, SessionForm, SessionState, Vote, VoteChoice,
)
from gongzhi.governance.models_mailbox import (  # noqa: E402,F401 - the mailbox's letters live beside the topics
    LETTER_SUBJECT_MAX, LETTER_TEXT_MAX, REPLY_MAX, Addressee, Letter, LetterState,
)
