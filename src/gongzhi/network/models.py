"""The service network (三社联动): social organisations on top of people's organisation list, the filing
and incubation of community groups, the staff of service providers, service projects from needs to
evaluation, and the co-resident units' commitments, joint meetings and yearly evaluation.

Nothing is deleted: every record ends in a state (withdrawn, refused, closed, cancelled, left)."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from gongzhi.core.models import AppendOnly


class Field(models.TextChoices):
    """The fields of community social organisations named by the seed (004)."""
    LAW = "law", "法治宣传"
    MEDIATION = "mediation", "纠纷调解"
    ELDERLY = "elderly", "健康养老"
    EDUCATION = "education", "教育培训"
    CHARITY = "charity", "公益慈善"
    DISASTER = "disaster", "防灾减灾"
    CULTURE = "culture", "文体娱乐"
    NEIGHBOURS = "neighbours", "邻里互助"
    INTEGRATION = "integration", "居民融入"
    FARMING = "farming", "农村生产技术服务"


class SocialOrg(models.Model):
    """The network's profile of a social organisation of people's list (people.Organisation, kind social_org):
    its field, founding, members' count and incubation. The registration state stays on the organisation."""
    organisation = models.OneToOneField("people.Organisation", on_delete=models.PROTECT, related_name="network")
    field = models.CharField("服务领域", max_length=16, choices=Field.choices)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    purpose = models.CharField("宗旨与服务内容", max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "社区社会组织"

    def __str__(self):
        return self.organisation.name


class MemberRole(models.TextChoices):
    LEADER = "leader", "负责人"
    MEMBER = "member", "成员"


class OrgMember(models.Model):
    org = models.ForeignKey(SocialOrg, on_delete=models.PROTECT, related_name="members")
    name = models.CharField("姓名", max_length=50)
    role = models.CharField("身份", max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER)
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField("加入日期")
    left_on = models.DateField("退出日期", null=True, blank=True)

    class Meta:
        ordering = ["role", "joined_on", "pk"]


class FilingState(models.TextChoices):
    APPLIED = "applied", "已申请"
    OPINED = "opined", "社区已出具意见"
    FILED = "filed", "街道已备案"
    REFUSED = "refused", "不予备案"


class Filing(models.Model):
    """备案 of an unregistered group: application → community opinion → street filing (or refusal)."""
    org = models.ForeignKey(SocialOrg, on_delete=models.PROTECT, related_name="filings")
    state = models.CharField("状态", max_length=8, choices=FilingState.choices, default=FilingState.APPLIED)
    applicant = models.CharField("申请人", max_length=50)
    applied_on = models.DateField("申请日期")
    community_opinion = models.CharField("社区意见", max_length=300, blank=True)
    street_note = models.CharField("街道备案意见", max_length=300, blank=True)
    filing_no = models.CharField("备案编号", max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-applied_on", "-pk"]


class Incubation(models.Model):
    """孵化: an organisation in the incubation base from entry to graduation."""
    org = models.ForeignKey(SocialOrg, on_delete=models.PROTECT, related_name="incubations")
    base = models.CharField("孵化基地", max_length=80)
    entered_on = models.DateField("入驻日期")
    graduated_on = models.DateField("出壳日期", null=True, blank=True)
    outcome = models.CharField("出壳评语", max_length=300, blank=True)

    class Meta:
        ordering = ["-entered_on", "-pk"]


class SupportKind(models.TextChoices):
    VENUE = "venue", "场地"
    FUNDS = "funds", "资金"
    TRAINING = "training", "培训"
    MENTORING = "mentoring", "督导陪伴"


class IncubationSupport(AppendOnly):
    incubation = models.ForeignKey(Incubation, on_delete=models.PROTECT, related_name="supports")
    kind = models.CharField("支持类型", max_length=10, choices=SupportKind.choices)
    given_on = models.DateField("日期")
    amount = models.DecimalField("金额(元)", max_digits=12, decimal_places=2, default=0)
    note = models.CharField("内容", max_length=200)

    class Meta:
        ordering = ["given_on", "pk"]


class ProviderStaff(models.Model):
    """A provider account (Role.PROVIDER) bound to the organisation it works for: it sees that
    organisation's projects only. care and estates read this binding through selectors.organisations_of."""
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_bindings")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="provider_staff")
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], condition=models.Q(ended_on=None),
                                               name="network_provider_staff_current")]


class RatingState(models.TextChoices):
    DRAFT = "draft", "待定级"
    FINAL = "final", "已定级"


class OrgRating(models.Model):
    """An organisation's yearly rating (等级评估-like), computed from its parts and stored: the year's final
    project evaluations (mean score and residents' satisfaction), the complaints the street found founded,
    and its registration (an unregistered group loses points). The street saves it (each save a new version)
    and finalises it; a finalised rating no longer changes."""
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="ratings")
    year = models.PositiveIntegerField("年度")
    projects_closed = models.PositiveIntegerField("终期评估项目数")
    mean_score = models.DecimalField("项目平均评分", max_digits=5, decimal_places=1)
    mean_satisfaction = models.DecimalField("居民平均满意度(%)", max_digits=5, decimal_places=1)
    # founded OrgComplaints of the year at the last save (network/complaints.py), not typed
    complaints = models.PositiveIntegerField("经核实的投诉(件)", default=0)
    registration = models.CharField("登记状态", max_length=12)
    score = models.DecimalField("总分", max_digits=5, decimal_places=1)
    grade = models.CharField("等级", max_length=4)
    note = models.CharField("评定意见", max_length=300, blank=True)
    state = models.CharField("状态", max_length=8, choices=RatingState.choices, default=RatingState.DRAFT)
    version = models.PositiveIntegerField(default=1)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(auto_now=True)
    finalised_on = models.DateField("定级日期", null=True, blank=True)

    class Meta:
        ordering = ["-year", "organisation_id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="network_org_rating_once")]


class ComplaintState(models.TextChoices):
    PENDING = "pending", "待核实"
    FOUNDED = "founded", "属实"
    UNFOUNDED = "unfounded", "不属实"


class OrgComplaint(models.Model):
    """A complaint about a social organisation's service, as it came in: a work order (a resident's report, a
    hotline call) that the community attributes to the organisation, then the street finds founded or not. The
    yearly rating counts the founded ones of the year (network/complaints.py): nothing is typed. Never deleted;
    one per work order."""
    work_order = models.OneToOneField("workorders.WorkOrder", on_delete=models.PROTECT, related_name="org_complaint",
                                      verbose_name="工单")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="complaints",
                                     verbose_name="被投诉的社会组织")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")  # the work order's year: the rating it counts in
    note = models.CharField("投诉事由", max_length=300)
    attributed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attributed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField("核实结果", max_length=10, choices=ComplaintState.choices,
                             default=ComplaintState.PENDING)
    reason = models.CharField("核实意见", max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_on = models.DateField("核实日期", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-attributed_at", "-id"]
        indexes = [models.Index(fields=["organisation", "year", "state"], name="network_complaint_year")]

    def delete(self, *args, **kwargs):
        raise ValueError("投诉记录不能删除")


# -- service projects ------------------------------------------------------------------------
class NeedSource(models.TextChoices):
    DIRECT = "direct", "走访收集"
    TOPIC = "topic", "居民议题"
    ORDER = "order", "工单"
    SURVEY = "survey", "问卷调查"
    VISIT = "visit", "民情日记"


class Need(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    title = models.CharField("需求", max_length=100)
    detail = models.TextField("说明", blank=True)
    field = models.CharField("服务领域", max_length=16, choices=Field.choices)
    source = models.CharField("来源", max_length=8, choices=NeedSource.choices, default=NeedSource.DIRECT)
    source_pk = models.PositiveIntegerField(null=True, blank=True)
    project = models.ForeignKey("ServiceProject", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="needs")
    closed = models.CharField("不立项原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["source", "source_pk"], condition=~models.Q(source="direct"),
                                               name="network_need_one_per_source")]


class ProjectState(models.TextChoices):
    DRAFT = "draft", "设计中"
    PUBLISHED = "published", "公开征集"
    ASSIGNED = "assigned", "定向委托"
    CONTRACTED = "contracted", "已签约实施"
    MIDTERM = "midterm", "已中期评估"
    CLOSED = "closed", "已结项"
    CANCELLED = "cancelled", "已撤销"


class ServiceProject(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    title = models.CharField("项目名称", max_length=100)
    field = models.CharField("服务领域", max_length=16, choices=Field.choices)
    goals = models.TextField("项目目标")
    indicators = models.JSONField("绩效指标", default=list)  # ["服务老人 ≥ 30 人", ...]
    budget = models.DecimalField("预算(元)", max_digits=12, decimal_places=2, default=0)
    payer = models.CharField("出资方", max_length=80)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    state = models.CharField("状态", max_length=10, choices=ProjectState.choices, default=ProjectState.DRAFT)
    organisation = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="service_projects", verbose_name="承接机构")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["community", "state"], name="svcproject_community")]

    def __str__(self):
        return self.title


class Beneficiary(models.Model):
    project = models.ForeignKey(ServiceProject, on_delete=models.PROTECT, related_name="beneficiaries")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    added_on = models.DateField()
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "resident"], name="network_beneficiary_once")]


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", "已申报"
    CHOSEN = "chosen", "已选定"
    NOT_CHOSEN = "not_chosen", "未选定"


class Application(models.Model):
    project = models.ForeignKey(ServiceProject, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    plan = models.TextField("服务方案")
    quote = models.DecimalField("报价(元)", max_digits=12, decimal_places=2)
    state = models.CharField(max_length=12, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "organisation"], name="network_application_once")]


class Contract(models.Model):
    project = models.OneToOneField(ServiceProject, on_delete=models.PROTECT, related_name="contract")
    organisation = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("合同编号", max_length=40)
    amount = models.DecimalField("合同金额(元)", max_digits=12, decimal_places=2)
    signed_on = models.DateField("签订日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # the purchased service (政府购买服务, admission's ServiceContract) this contract fulfils: the burden
    # dashboard then counts the work as bought with money, not pushed onto the community
    purchase = models.OneToOneField("admission.ServiceContract", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="政府购买服务")


class TeamWorker(models.Model):
    """A named social worker of the project's team, with the certificate they hold."""
    project = models.ForeignKey(ServiceProject, on_delete=models.PROTECT, related_name="workers")
    name = models.CharField("姓名", max_length=50)
    certificate = models.CharField("证书", max_length=20, choices=(
        ("assistant", "助理社会工作师"), ("social_worker", "社会工作师"), ("senior", "高级社会工作师"),
        ("none", "无证书")))
    certificate_no = models.CharField("证书编号", max_length=40, blank=True)
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)


class WorkerTraining(models.Model):
    """A training a social worker of a project team took: course, hours, date and the certificate it gave."""
    worker = models.ForeignKey(TeamWorker, on_delete=models.PROTECT, related_name="trainings")
    course = models.CharField("培训课程", max_length=100)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    taken_on = models.DateField("培训日期")
    certificate = models.CharField("结业证书", max_length=60, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_on", "-pk"]


class ServiceSession(models.Model):
    project = models.ForeignKey(ServiceProject, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField("服务日期")
    title = models.CharField("服务内容", max_length=100)
    hours = models.DecimalField("时长(小时)", max_digits=5, decimal_places=1)
    residents = models.ManyToManyField("people.Resident", related_name="+", blank=True)
    workers = models.ManyToManyField(TeamWorker, related_name="sessions", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]


class ActivityState(models.TextChoices):
    ANNOUNCED = "announced", "报名中"
    CANCELLED = "cancelled", "已取消"


class ProjectActivity(models.Model):
    """A community activity of a project announced in advance by its provider (place, time, places), which
    the residents of the project's community see and sign up for. Held, it is recorded as a session."""
    project = models.ForeignKey(ServiceProject, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField("活动名称", max_length=100)
    venue = models.CharField("地点", max_length=100)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    capacity = models.PositiveIntegerField("名额")
    signed_up = models.PositiveIntegerField("已报名", default=0)
    note = models.CharField("说明", max_length=300, blank=True)
    state = models.CharField("状态", max_length=10, choices=ActivityState.choices, default=ActivityState.ANNOUNCED)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["state", "starts_at"], name="network_activity_upcoming")]
        constraints = [models.CheckConstraint(condition=models.Q(signed_up__lte=models.F("capacity")),
                                              name="network_activity_not_over_capacity")]

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.signed_up, 0)


class ActivitySignup(models.Model):
    activity = models.ForeignKey(ProjectActivity, on_delete=models.PROTECT, related_name="signups")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "resident"], name="network_signup_once")]


class NoticeSent(models.Model):
    """Bookkeeping of the project notices sent, one row per project and occasion ("published", "contract",
    "activity:12", "due:midterm"...): a step or the sweep repeated never sends the same notice twice."""
    project = models.ForeignKey(ServiceProject, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=40)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="network_notice_once")]


class SessionPhoto(models.Model):
    session = models.ForeignKey(ServiceSession, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to="network/%Y/%m/")
    content_type = models.CharField(max_length=40)


class EvaluationStage(models.TextChoices):
    MIDTERM = "midterm", "中期评估"
    FINAL = "final", "终期评估"


class ProjectEvaluation(models.Model):
    project = models.ForeignKey(ServiceProject, on_delete=models.PROTECT, related_name="evaluations")
    stage = models.CharField("阶段", max_length=8, choices=EvaluationStage.choices)
    satisfaction = models.DecimalField("居民满意度(%)", max_digits=5, decimal_places=1)
    indicators_met = models.PositiveIntegerField("达成指标数")
    indicators_total = models.PositiveIntegerField("指标总数")
    spent = models.DecimalField("已支出(元)", max_digits=12, decimal_places=2)
    score = models.DecimalField("评分", max_digits=5, decimal_places=1)
    note = models.CharField("评估意见", max_length=300, blank=True)
    evaluated_on = models.DateField("评估日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="network_evaluation_once_per_stage")]


EVENT_LABELS = {"design": "设计项目", "beneficiaries": "添加服务对象", "beneficiary_removed": "移出服务对象",
                "publish": "公开征集", "assign": "确定承接机构", "apply": "申报", "contract": "签订合同",
                "cancel": "撤销项目", "purchase": "对应购买服务", "activity": "发布活动",
                "activity_cancel": "取消活动", "session": "记录服务", "midterm": "中期评估", "final": "终期评估",
                "published": "公开征集", "cancelled": "撤销项目", "draft": "设计项目"}


class ProjectEvent(AppendOnly):
    project = models.ForeignKey(ServiceProject, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=20)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.action, self.action)


# -- co-resident units (驻区单位) ----------------------------------------------------------------
class CommitmentKind(models.TextChoices):
    RESOURCES = "resources", "资源共享"
    VENUE = "venue", "场地开放"
    VOLUNTEER_HOURS = "volunteer_hours", "志愿服务时长"
    FUNDS = "funds", "资金支持"


class Commitment(models.Model):
    """One promise of a co-resident unit (people.Organisation, kind resident_unit) for a year."""
    unit = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="commitments")
    year = models.PositiveIntegerField("年度")
    kind = models.CharField("类型", max_length=16, choices=CommitmentKind.choices)
    content = models.CharField("承诺内容", max_length=200)
    target = models.DecimalField("承诺量", max_digits=10, decimal_places=1)
    done = models.DecimalField("完成量", max_digits=10, decimal_places=1, default=0)
    unit_label = models.CharField("单位", max_length=10, default="次")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["year", "kind", "pk"]


class JointMeeting(models.Model):
    """联席会议 of the community and its co-resident units."""
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("会议日期")
    title = models.CharField("议题", max_length=100)
    minutes = models.TextField("会议纪要")
    units = models.ManyToManyField("people.Organisation", related_name="joint_meetings")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]


class UnitEvaluation(models.Model):
    """The yearly evaluation of how a unit met its commitments (驻区单位履行社区治理服务责任评价)."""
    unit = models.ForeignKey("people.Organisation", on_delete=models.PROTECT, related_name="unit_evaluations")
    year = models.PositiveIntegerField("年度")
    fulfilment = models.DecimalField("承诺完成率(%)", max_digits=5, decimal_places=1)
    meetings_attended = models.PositiveIntegerField("参加联席会议次数")
    score = models.DecimalField("评分", max_digits=5, decimal_places=1)
    grade = models.CharField("等次", max_length=8)
    note = models.CharField("评语", max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    evaluated_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="network_unit_evaluation_once")]
