"""A community's books (台账) that the standards engine reads: the committee
and its workers with their certificates and trainings, residents' meetings,
disclosures, volunteers and their activities, committee elections.

Rows are never deleted: a worker who leaves is marked with the date, a wrong
entry is voided with a reason, and every change keeps its history."""
from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class WrittenByWork(models.Model):
    """A row another module wrote from the work itself (a meeting held in gongzhi writes its meeting
    row; an election its election row): `source` names the kind of record (registered under
    extras["ledger_sources"]) and `source_pk` the record. Such a row is kept by its source, never
    edited or voided by hand; hand entry (source "") stays for the past. One row per source record."""

    source = models.CharField("来源", max_length=40, blank=True, editable=False)
    source_pk = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["source", "source_pk"], condition=~models.Q(source=""),
                                               name="%(app_label)s_%(class)s_one_row_per_source")]

    @property
    def written_by_work(self) -> bool:
        return bool(self.source)


class CommitteePost(models.TextChoices):
    DIRECTOR = "director", "主任"
    DEPUTY = "deputy", "副主任"
    MEMBER = "member", "委员"


class PartyPost(models.TextChoices):
    SECRETARY = "secretary", "书记"
    DEPUTY = "deputy_secretary", "副书记"
    MEMBER = "member", "委员"


class Certificate(models.TextChoices):
    NONE = "", "无"
    ASSISTANT = "assistant", "助理社会工作师"
    SOCIAL_WORKER = "social_worker", "社会工作师"
    SENIOR = "senior", "高级社会工作师"


class Worker(WrittenByWork):
    """A member of the residents'/village committee, of the community party
    organisation, or a full-time community worker (专职社区工作者)."""

    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="workers")
    name = models.CharField("姓名", max_length=50)
    committee_post = models.CharField("居(村)委会职务", max_length=12, choices=CommitteePost.choices, blank=True)
    party_post = models.CharField("党组织职务", max_length=20, choices=PartyPost.choices, blank=True)
    full_time = models.BooleanField("专职", default=True)
    certificate = models.CharField("社会工作者职业资格", max_length=16, choices=Certificate.choices, blank=True)
    since = models.DateField("任职日期", null=True, blank=True)
    left_on = models.DateField("离任日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta(WrittenByWork.Meta):
        ordering = ["community", "committee_post", "name"]
        indexes = [models.Index(fields=["community", "left_on"], name="worker_community")]

    def __str__(self):
        return self.name

    @property
    def is_leader(self) -> bool:
        """Secretary or director: the people P-STAFF-5/7 train more."""
        return self.committee_post == CommitteePost.DIRECTOR or self.party_post == PartyPost.SECRETARY

    def posts(self) -> str:
        parts = []
        if self.party_post:
            parts.append("党组织" + self.get_party_post_display())
        if self.committee_post:
            parts.append(self.get_committee_post_display())
        if not parts:
            parts.append("专职社区工作者" if self.full_time else "社区工作者")
        return "、".join(parts)


class Training(WrittenByWork):
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="trainings")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("培训日期")
    days = models.DecimalField("天数", max_digits=4, decimal_places=1)
    title = models.CharField("培训内容", max_length=100)
    organiser = models.CharField("组织单位", max_length=50, blank=True)
    voided = models.CharField("作废原因", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta(WrittenByWork.Meta):
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["community", "held_on"], name="training_community")]


class MeetingKind(models.TextChoices):
    RESIDENTS = "residents", "居民会议"
    REPRESENTATIVES = "representatives", "居民代表会议"
    DELIBERATION = "deliberation", "议事协商会议"
    HEARING = "hearing", "听证会"
    MONTHLY = "monthly", "矛盾纠纷月例会"


class Meeting(WrittenByWork):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField("召开日期")
    title = models.CharField("议题", max_length=200)
    attendees = models.PositiveIntegerField("参会人数", default=0)
    minutes = models.TextField("会议记录", blank=True)
    voided = models.CharField("作废原因", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta(WrittenByWork.Meta):
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["community", "held_on"], name="meeting_community")]


class DisclosureKind(models.TextChoices):
    PLAN = "plan", "工作计划"
    RESULTS = "results", "工作成果"
    FINANCE = "finance", "财务收支"
    MAJOR = "major", "重大事项"


class Disclosure(WrittenByWork):
    """One posting on the community's disclosure board (居务公开, P-GOV-4)."""

    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="disclosures")
    kind = models.CharField("公开类别", max_length=12, choices=DisclosureKind.choices)
    published_on = models.DateField("公开日期")
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容", blank=True)
    voided = models.CharField("作废原因", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta(WrittenByWork.Meta):
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["community", "published_on"], name="disclosure_community")]


class Volunteer(models.Model):
    """A registered volunteer (P-VOL-1/2), optionally in a volunteer organisation."""

    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="volunteers")
    resident = models.OneToOneField("people.Resident", on_delete=models.PROTECT, related_name="volunteer")
    team = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="volunteers", verbose_name="志愿服务组织")
    registered_on = models.DateField("注册日期")
    left_on = models.DateField("退出日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-registered_on", "-id"]
        indexes = [models.Index(fields=["community", "left_on"], name="volunteer_community")]


class ActivityKind(models.TextChoices):
    VOLUNTEER = "volunteer", "志愿服务"
    MUTUAL_AID = "mutual_aid", "邻里互助"


class Activity(WrittenByWork):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField("活动类型", max_length=12, choices=ActivityKind.choices)
    held_on = models.DateField("活动日期")
    title = models.CharField("活动内容", max_length=200)
    participants = models.PositiveIntegerField("参加人数", default=0)
    hours = models.DecimalField("服务时长(小时)", max_digits=6, decimal_places=1, default=0)
    voided = models.CharField("作废原因", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta(WrittenByWork.Meta):
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["community", "held_on"], name="activity_community")]


class ElectionMethod(models.TextChoices):
    DIRECT = "direct", "直接选举"
    HOUSEHOLD = "household", "户代表选举"
    REPRESENTATIVE = "representative", "居民代表选举"


class Election(WrittenByWork):
    """A committee election (换届选举, P-GOV-8)."""

    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="elections")
    held_on = models.DateField("选举日期")
    method = models.CharField("选举方式", max_length=16, choices=ElectionMethod.choices)
    voters = models.PositiveIntegerField("登记选民数", default=0)
    turnout = models.PositiveIntegerField("参选人数", default=0)
    voided = models.CharField("作废原因", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta(WrittenByWork.Meta):
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["community", "held_on"], name="election_community")]
