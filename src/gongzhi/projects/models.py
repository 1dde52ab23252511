"""Implementation, assistance and supervision (执行 · 协助 · 监督), links 4 and 5 of issue 12.

An adopted result becomes a `Project` of its community: from a topic answered 转入协商
(`governance.Topic`), a decision adopted by a residents' meeting (`governance.ResidentMeeting`),
a deliberation session's recorded result (`governance.Session`), or opened by the committee
directly with a stated basis. A committee
member owns it. Its `Milestone`s have planned dates, a percentage and a state; costs are
`CostEntry` rows (budget and spending); work orders, social organisations and volunteers are
linked to it. The community's supervision committee (`SupervisionMember`, residents from the
registry, with start and end dates) signs off each milestone marked done, or raises an
`Objection` that goes back to the owner and blocks completion until answered.

A milestone moves 未开始 → 进行中 → 待验收 (marked done by the committee) → 已验收 (signed off by
a supervision member who is not the owner) or → 有异议 (an objection; the owner's answer puts it
back to 待验收 for another look). A project is 进行中 from the start and 已完成 when every
milestone is signed off and no objection is open; 已终止 stops it with a reason.
Every step is a `ProjectEvent` row, never changed or deleted.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gongzhi.core.models import AppendOnly

TITLE_MAX = 80
TEXT_MAX = 2000


class ProjectState(models.TextChoices):
    ACTIVE = "active", "实施中"
    COMPLETED = "completed", "已完成"
    STOPPED = "stopped", "已终止"


class MilestoneState(models.TextChoices):
    PENDING = "pending", "未开始"
    IN_PROGRESS = "in_progress", "进行中"
    DONE = "done", "待验收"
    OBJECTED = "objected", "有异议"
    SIGNED_OFF = "signed_off", "已验收"


class Project(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    title = models.CharField("项目名称", max_length=TITLE_MAX)
    basis = models.TextField("立项依据")
    source_topic = models.ForeignKey("governance.Topic", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="projects", verbose_name="来源议题")
    # an adopted decision of a residents' (villagers', representatives') meeting, or a deliberation's result
    source_meeting = models.ForeignKey("governance.ResidentMeeting", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="projects", verbose_name="来源决定")
    source_session = models.ForeignKey("governance.Session", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="projects", verbose_name="来源协商会")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name="负责人")
    state = models.CharField("状态", max_length=12, choices=ProjectState.choices, default=ProjectState.ACTIVE)
    starts_on = models.DateField("计划开始")
    ends_on = models.DateField("计划完成")
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("立项时间", default=timezone.now)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    stop_reason = models.TextField("终止原因", blank=True)
    work_orders = models.ManyToManyField("workorders.WorkOrder", blank=True, related_name="projects",
                                         verbose_name="关联工单")
    organisations = models.ManyToManyField("people.Organisation", blank=True, related_name="projects",
                                           verbose_name="协助社会组织")
    volunteers = models.ManyToManyField("ledgers.Volunteer", blank=True, related_name="projects",
                                        verbose_name="协助志愿者")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "项目"
        indexes = [models.Index(fields=["community", "state", "ends_on"], name="project_list")]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="project_progress_range"),
                       models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="project_dates_order")]

    def __str__(self):
        return self.title

    def is_late(self, today=None) -> bool:
        """Past its planned end and not completed, or a milestone past its date and not signed off
        (the annotation `late_milestones` when the selector gave it)."""
        if self.state != ProjectState.ACTIVE:
            return False
        today = today or timezone.localdate()
        if self.ends_on < today:
            return True
        late = getattr(self, "late_milestones", None)
        if late is None:
            late = self.milestones.filter(due_on__lt=today).exclude(state=MilestoneState.SIGNED_OFF).count()
        return late > 0


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField("节点名称", max_length=TITLE_MAX)
    due_on = models.DateField("计划完成日期")
    percent = models.PositiveSmallIntegerField("完成比例(%)", default=0)
    state = models.CharField("状态", max_length=12, choices=MilestoneState.choices, default=MilestoneState.PENDING)
    done_at = models.DateTimeField("报验收时间", null=True, blank=True)
    signed_off_at = models.DateTimeField("验收时间", null=True, blank=True)
    signed_off_by = models.ForeignKey("SupervisionMember", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="验收人")
    sort = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "项目节点"
        ordering = ["due_on", "sort", "pk"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="milestone_percent_range")]

    def __str__(self):
        return self.title

    def is_late(self, today=None) -> bool:
        return self.state != MilestoneState.SIGNED_OFF and self.due_on < (today or timezone.localdate())


class CostKind(models.TextChoices):
    BUDGET = "budget", "预算"
    SPENDING = "spending", "支出"


class CostEntry(AppendOnly):
    """One budget or spending line; a correction is a new line with the opposite amount."""
    refuse_change, refuse_delete = "经费记录不可修改,请另记一笔冲正", "经费记录不可删除,请另记一笔冲正"
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="costs")
    kind = models.CharField("类别", max_length=10, choices=CostKind.choices)
    amount = models.DecimalField("金额(元)", max_digits=12, decimal_places=2)
    on = models.DateField("日期")
    item = models.CharField("事项", max_length=TITLE_MAX)
    funded_by = models.CharField("资金来源", max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "项目经费"
        ordering = ["on", "pk"]


class SupervisionMember(models.Model):
    """A resident serving on the community's supervision committee (居务监督委员会), from
    `started_on` until `ended_on`. History is kept: an ended membership stays."""
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="居民")
    post = models.CharField("职务", max_length=10, choices=[("chair", "主任"), ("member", "委员")],
                            default="member")
    started_on = models.DateField("任职开始")
    ended_on = models.DateField("任职结束", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "监督委员会成员"
        ordering = ["ended_on", "-started_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["community", "resident"], condition=Q(ended_on__isnull=True),
                                               name="one_open_supervision_membership")]


class Objection(models.Model):
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="objections")
    member = models.ForeignKey(SupervisionMember, on_delete=models.PROTECT, related_name="objections")
    reason = models.TextField("异议理由")
    raised_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "监督异议"
        ordering = ["raised_at", "pk"]


class ProjectAction(models.TextChoices):
    OPEN = "open", "立项"
    EDIT = "edit", "修改项目"
    MILESTONE_ADD = "ms_add", "新增节点"
    PROGRESS = "progress", "更新进度"
    DONE = "done", "节点报验收"
    SIGN_OFF = "sign_off", "监督委员会验收"
    OBJECT = "object", "监督委员会提出异议"
    ANSWER = "answer", "答复异议"
    COST = "cost", "记录经费"
    LINK = "link", "关联协助"
    UNLINK = "unlink", "取消关联"
    COMPLETE = "complete", "项目完成"
    STOP = "stop", "项目终止"
    PUBLISH = "publish", "发布到居务公开栏"


class ProjectEvent(AppendOnly):
    """Append-only history of a project: who did what, when."""
    refuse_change, refuse_delete = "项目记录不可修改", "项目记录不可删除"
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("环节", max_length=12, choices=ProjectAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField("经办人", max_length=80, blank=True)
    # who acted, as the public may read it: 居委会 / 监督委员会
    actor_role = models.CharField("身份", max_length=20, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["at", "pk"]
