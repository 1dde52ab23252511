"""Property services (P-PROP-1..3): how each estate (小区, places.Estate) is managed, the property
firms and their project managers, contracts per estate, owners' committees, the meetings of the
four parties, residents' yearly evaluations, credit records and the blacklist.

Nothing here is deleted: contracts end (`ended_on`), members leave (`until`), blacklist entries are
lifted (`lifted_on`) or revoked on appeal, credit records are recomputed in place for their year.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gongzhi.core import crypto

TEXT_MAX = 2000


class ManagementMode(models.TextChoices):
    FIRM = "firm", "物业企业管理"
    OWNERS = "owners", "业主自行管理"
    COMMITTEE = "committee", "社区居委会托管"
    SOCIAL_ORG = "social_org", "社会组织托管"
    NONE = "none", "暂无管理"


class EstateProfile(models.Model):
    """How one estate is managed (P-PROP-3: old estates without a firm are run by the committee or a
    social organisation)."""
    estate = models.OneToOneField("places.Estate", on_delete=models.PROTECT, related_name="property_profile")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField("管理方式", max_length=12, choices=ManagementMode.choices, default=ManagementMode.NONE)
    old_estate = models.BooleanField("老旧小区", default=False)
    built_year = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)
    steward = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="托管的社会组织")
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "小区物业管理"
        indexes = [models.Index(fields=["community", "mode"], name="estate_profile_mode")]


class PropertyFirm(models.Model):
    name = models.CharField("企业名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    address = models.CharField("地址", max_length=200, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "物业企业"
        ordering = ["name"]

    def __str__(self):
        return self.name


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳修文 → 欧***: the public page names a manager only this way."""
    return crypto.mask_name(name)


class ProjectManager(models.Model):
    firm = models.ForeignKey(PropertyFirm, on_delete=models.PROTECT, related_name="managers")
    name = models.CharField("姓名", max_length=30)
    certificate_no = models.CharField("证书编号", max_length=40, blank=True)
    since = models.DateField("入职日期", default=timezone.localdate)
    until = models.DateField("离职日期", null=True, blank=True)

    class Meta:
        verbose_name = "项目经理"
        ordering = ["firm", "name", "pk"]

    def __str__(self):
        return self.name

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


class Contract(models.Model):
    """A firm's service contract for one estate, for a period, with its fee standards (元/㎡·月)."""
    estate = models.ForeignKey("places.Estate", on_delete=models.PROTECT, related_name="property_contracts")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    firm = models.ForeignKey(PropertyFirm, on_delete=models.PROTECT, related_name="contracts")
    manager = models.ForeignKey(ProjectManager, on_delete=models.PROTECT, related_name="contracts",
                                verbose_name="项目经理")
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("终止日期")
    fee_residential = models.DecimalField("住宅物业费(元/㎡·月)", max_digits=6, decimal_places=2)
    fee_commercial = models.DecimalField("非住宅物业费(元/㎡·月)", max_digits=6, decimal_places=2, null=True,
                                         blank=True)
    fee_note = models.CharField("收费说明", max_length=200, blank=True)
    ended_on = models.DateField("提前终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "物业服务合同"
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["estate", "starts_on"], name="contract_estate")]

    @property
    def last_day(self):
        return self.ended_on or self.ends_on

    def current_on(self, day) -> bool:
        return self.starts_on <= day <= self.last_day


class CommitteeState(models.TextChoices):
    PREPARING = "preparing", "筹备中"
    FILED = "filed", "已备案"
    EXPIRED = "expired", "任期届满"


class OwnersCommittee(models.Model):
    """An owners' committee (业主委员会) of one estate for one term; filed with the street."""
    estate = models.ForeignKey("places.Estate", on_delete=models.PROTECT, related_name="owners_committees")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    elected_on = models.DateField("选举日期")
    term_ends = models.DateField("任期届满日期")
    state = models.CharField("状态", max_length=10, choices=CommitteeState.choices, default=CommitteeState.PREPARING)
    filing_no = models.CharField("备案编号", max_length=40, blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "业主委员会"
        ordering = ["-elected_on", "-pk"]

    def __str__(self):
        return f"{self.estate.name}业主委员会"


class MemberPost(models.TextChoices):
    DIRECTOR = "director", "主任"
    DEPUTY = "deputy", "副主任"
    MEMBER = "member", "委员"


class CommitteeMember(models.Model):
    committee = models.ForeignKey(OwnersCommittee, on_delete=models.PROTECT, related_name="members")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    post = models.CharField("职务", max_length=10, choices=MemberPost.choices)
    since = models.DateField("任职日期")
    until = models.DateField("离任日期", null=True, blank=True)

    class Meta:
        verbose_name = "业委会成员"
        ordering = ["committee", "post", "pk"]
        constraints = [models.UniqueConstraint(fields=["committee", "resident"], condition=Q(until__isnull=True),
                                               name="committee_member_once")]


class MeetingKind(models.TextChoices):
    FOUR_PARTY = "four_party", "四方协调会议"
    COMMITTEE = "committee", "业主委员会会议"


class MeetingState(models.TextChoices):
    CALLED = "called", "已通知"
    HELD = "held", "已召开"


class EstateMeeting(models.Model):
    """A meeting about one estate: the four parties (party organisation, residents' committee,
    owners' committee, property firm) or the owners' committee alone. Held, it writes its
    ledgers.Meeting row, like governance's sessions."""
    estate = models.ForeignKey("places.Estate", on_delete=models.PROTECT, related_name="property_meetings")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("会议类型", max_length=12, choices=MeetingKind.choices)
    title = models.CharField("会议主题", max_length=60)
    starts_at = models.DateTimeField("召开时间")
    venue = models.CharField("地点", max_length=60, blank=True)
    party_rep = models.CharField("社区党组织参会人", max_length=60, blank=True)
    committee_rep = models.CharField("居委会参会人", max_length=60, blank=True)
    owners_rep = models.CharField("业委会参会人", max_length=60, blank=True)
    firm = models.ForeignKey(PropertyFirm, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="物业企业")
    firm_rep = models.CharField("物业企业参会人", max_length=60, blank=True)
    state = models.CharField("状态", max_length=8, choices=MeetingState.choices, default=MeetingState.CALLED)
    held_on = models.DateField("召开日期", null=True, blank=True)
    attendance = models.PositiveIntegerField("到会人数", default=0)
    minutes = models.TextField("会议纪要", blank=True)
    ledger_row = models.ForeignKey("ledgers.Meeting", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "小区协调会议"
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["community", "-starts_at"], name="estate_meeting_list")]

    def __str__(self):
        return self.title


class IssueState(models.TextChoices):
    OPEN = "open", "待落实"
    DONE = "done", "已落实"


class Party(models.TextChoices):
    PARTY = "party", "社区党组织"
    COMMITTEE = "committee", "社区居委会"
    OWNERS = "owners", "业主委员会"
    FIRM = "firm", "物业企业"


class MeetingIssue(models.Model):
    """One issue raised at a meeting, its decision, who follows it up by when, and the follow-up."""
    meeting = models.ForeignKey(EstateMeeting, on_delete=models.PROTECT, related_name="issues")
    text = models.CharField("议题", max_length=200)
    decision = models.CharField("决定", max_length=500, blank=True)
    responsible = models.CharField("落实责任方", max_length=10, choices=Party.choices, blank=True)
    due_on = models.DateField("落实期限", null=True, blank=True)
    state = models.CharField("状态", max_length=6, choices=IssueState.choices, default=IssueState.OPEN)
    follow_up = models.CharField("落实情况", max_length=500, blank=True)
    done_on = models.DateField("落实日期", null=True, blank=True)

    class Meta:
        verbose_name = "会议议题"
        ordering = ["meeting", "pk"]


class Evaluation(models.Model):
    """A year's evaluation of one estate's property services: a standards.Survey of the property kind,
    answered once per household (the survey engine keeps one per resident; `Rating` one per household)."""
    estate = models.ForeignKey("places.Estate", on_delete=models.PROTECT, related_name="property_evaluations")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    survey = models.OneToOneField("standards.Survey", on_delete=models.PROTECT, related_name="estate_evaluation")
    firm = models.ForeignKey(PropertyFirm, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="被评价企业")
    manager = models.ForeignKey(ProjectManager, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name="被评价项目经理")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "物业服务评价"
        ordering = ["-year", "estate"]
        constraints = [models.UniqueConstraint(fields=["estate", "year"], name="evaluation_once_a_year")]


class Rating(models.Model):
    """One household's answer to an evaluation (the database keeps it to one per household)."""
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="ratings")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    response = models.OneToOneField("standards.SurveyResponse", on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "住户评价"
        constraints = [models.UniqueConstraint(fields=["evaluation", "household"], name="one_rating_per_household")]


class CreditRecord(models.Model):
    """A firm's or a project manager's credit score for a year, with its parts, computed by
    `credit.compute` under the formula of a policy pack (recomputed in place)."""
    year = models.PositiveSmallIntegerField("年度")
    firm = models.ForeignKey(PropertyFirm, null=True, blank=True, on_delete=models.PROTECT, related_name="credit")
    manager = models.ForeignKey(ProjectManager, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="credit")
    score = models.DecimalField("信用分", max_digits=5, decimal_places=1)
    parts = models.JSONField("构成", default=dict)
    pack_id = models.CharField("政策包", max_length=60)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "信用记录"
        ordering = ["-year", "score"]
        constraints = [
            models.UniqueConstraint(fields=["year", "firm"], condition=Q(firm__isnull=False), name="credit_firm_year"),
            models.UniqueConstraint(fields=["year", "manager"], condition=Q(manager__isnull=False),
                                    name="credit_manager_year"),
            models.CheckConstraint(condition=Q(firm__isnull=True) ^ Q(manager__isnull=True), name="credit_one_subject"),
        ]


class FirmStaff(models.Model):
    """A provider account (Role.PROVIDER) working for a property firm: it sees the firm's estates under
    contract within its post's places, their complaints, the firm's credit and blacklist entries, and
    appeals an entry online. Bound and ended by the community or street; the row is never deleted."""
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="firm_bindings")
    firm = models.ForeignKey(PropertyFirm, on_delete=models.PROTECT, related_name="staff")
    started_on = models.DateField("开始日期", default=timezone.localdate)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    bound_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        verbose_name = "物业企业账号"
        ordering = ["-started_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "firm"], condition=Q(ended_on=None),
                                               name="estates_firm_staff_current")]


class AppealChannel(models.TextChoices):
    PAPER = "paper", "书面申诉(登记)"
    ONLINE = "online", "企业在线申诉"


class AppealState(models.TextChoices):
    NONE = "none", "未申诉"
    PENDING = "pending", "申诉待处理"
    UPHELD = "upheld", "申诉不成立,维持"
    REVOKED = "revoked", "申诉成立,已撤销"


class BlacklistEntry(models.Model):
    """A firm or a project manager on the blacklist, with the reason and dates; lifted at the end
    of its period, or revoked when an appeal succeeds. Rows are never deleted."""
    firm = models.ForeignKey(PropertyFirm, null=True, blank=True, on_delete=models.PROTECT, related_name="blacklist")
    manager = models.ForeignKey(ProjectManager, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="blacklist")
    reason = models.CharField("列入原因", max_length=300)
    listed_on = models.DateField("列入日期")
    until = models.DateField("期满日期", null=True, blank=True)
    listed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appeal_state = models.CharField("申诉", max_length=8, choices=AppealState.choices, default=AppealState.NONE)
    appeal_text = models.CharField("申诉理由", max_length=500, blank=True)
    appealed_on = models.DateField("申诉日期", null=True, blank=True)
    appeal_channel = models.CharField("申诉方式", max_length=8, choices=AppealChannel.choices, blank=True)
    appealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="申诉登记人")
    appeal_answer = models.CharField("申诉处理意见", max_length=500, blank=True)
    decided_on = models.DateField("申诉处理日期", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "黑名单"
        ordering = ["-listed_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(firm__isnull=True) ^ Q(manager__isnull=True),
                                              name="blacklist_one_subject")]

    def active_on(self, day) -> bool:
        return (self.appeal_state != AppealState.REVOKED and self.listed_on <= day
                and (self.until is None or day <= self.until))

    @property
    def subject_label(self) -> str:
        return self.firm.name if self.firm_id else f"{self.manager.firm.name} 项目经理 {self.manager.masked_name}"
