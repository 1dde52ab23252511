"""Work-item admission and burden reduction (准入与减负, P-DUTY-1..6).

- `LocalityRules`: a locality's rules loaded from its data file (localities/<id>.yaml): the
  admission procedure, whether funding is required, the 须承接/可承接 split.
- `ListItem`: one item of the two lists (依法履行职责事项 / 依法协助政府工作事项), with its legal
  basis, responsible department, what the community does and the funding that follows; every
  change is kept (django-simple-history); an item is voided with a reason, never deleted.
- `AdmissionRequest`: a department's application for a new item, moving through the locality's
  procedure (copied onto the request when it is filed: the request keeps its rules); every step
  is an `AdmissionStep` row. Approved → a `ListItem` with its funding.
- `CategoryBasis`: the list item a work-order category routed to communities or grids rests on.
- `DataRequest` / `DataAnswer`: a department asks communities for figures by a date, on a list item;
  figures the registry holds are answered from it.
- `CertificateKind` / `Certificate`: what a community may certify, and the numbered certificates
  issued, each with a verification code.
- `ServiceContract`: an item outside the lists bought from a committee or social organisation.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

TEXT_MAX = 2000


class ListKind(models.TextChoices):
    DUTY = "duty", "依法履行职责事项"
    ASSIST = "assist", "依法协助政府工作事项"


class Takeup(models.TextChoices):
    NONE = "", "不分类"
    MUST = "must", "须承接"
    MAY = "may", "可承接"


class ItemSource(models.TextChoices):
    ADMIN = "admin", "管理员录入"
    ADMISSION = "admission", "准入批准"


class LocalityRules(models.Model):
    """Which locality file a district follows (one row per district)."""
    place = models.OneToOneField("places.Place", on_delete=models.PROTECT, related_name="admission_rules",
                                 verbose_name="地区")
    rules_id = models.CharField("准入规则", max_length=40)
    rules_text = models.TextField("规则原文")  # the file as loaded: what the requests were filed under
    loaded_at = models.DateTimeField(auto_now=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "准入规则"


class ListItem(models.Model):
    locality = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="地区")
    kind = models.CharField("清单", max_length=8, choices=ListKind.choices)
    takeup = models.CharField("承接类别", max_length=4, choices=Takeup.choices, blank=True, default="")
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("事项名称", max_length=80)
    legal_basis = models.CharField("法律依据", max_length=300)
    department = models.CharField("责任部门", max_length=50)
    community_does = models.TextField("社区承担的工作", max_length=TEXT_MAX)
    funding_yuan = models.DecimalField("随事经费(元/社区/年)", max_digits=12, decimal_places=2, null=True, blank=True)
    funding_note = models.CharField("经费与工作条件", max_length=300, blank=True)
    hours_per_year = models.DecimalField("工作量(小时/社区/年)", max_digits=8, decimal_places=1, null=True,
                                         blank=True)
    source = models.CharField("来源", max_length=10, choices=ItemSource.choices, default=ItemSource.ADMIN)
    admission = models.OneToOneField("AdmissionRequest", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="item", verbose_name="准入申请")
    effective_on = models.DateField("生效日期")
    voided = models.BooleanField("已作废", default=False)
    void_reason = models.CharField("作废理由", max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "number"]
        verbose_name = verbose_name_plural = "清单事项"
        constraints = [models.UniqueConstraint(fields=["locality", "kind", "number"], name="list_item_number")]

    def __str__(self):
        return f"{self.get_kind_display()}第 {self.number} 项 {self.title}"

    @property
    def label(self) -> str:
        return f"{self.get_kind_display()}第 {self.number} 项「{self.title}」"


class Frequency(models.TextChoices):
    ONCE = "once", "一次性"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"
    ONGOING = "ongoing", "日常"


class RequestState(models.TextChoices):
    REVIEW = "review", "审核中"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


class AdmissionRequest(models.Model):
    locality = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="地区")
    department = models.CharField("申请部门", max_length=50)
    post_place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("申请列入", max_length=8, choices=ListKind.choices, default=ListKind.ASSIST)
    takeup = models.CharField("承接类别", max_length=4, choices=Takeup.choices, blank=True, default="")
    title = models.CharField("事项名称", max_length=80)
    reason = models.TextField("申请理由", max_length=TEXT_MAX)
    legal_basis = models.CharField("法律依据", max_length=300)
    community_does = models.TextField("社区承担的工作", max_length=TEXT_MAX)
    all_communities = models.BooleanField("全部社区", default=False)
    communities = models.ManyToManyField("places.Place", blank=True, related_name="+", verbose_name="涉及社区")
    frequency = models.CharField("频次", max_length=10, choices=Frequency.choices)
    hours_per_community_year = models.DecimalField("工作量(小时/社区/年)", max_digits=8, decimal_places=1)
    funding_yuan = models.DecimalField("随事经费(元/社区/年)", max_digits=12, decimal_places=2, default=0)
    conditions = models.TextField("工作条件", max_length=TEXT_MAX, blank=True)
    plan_year = models.PositiveSmallIntegerField("计划年度", null=True, blank=True)
    procedure = models.JSONField("审批程序")  # the locality's stages when filed
    stage = models.PositiveSmallIntegerField("当前环节", default=0)
    stage_due = models.DateField("本环节时限", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=RequestState.choices, default=RequestState.REVIEW)
    decision_reason = models.TextField("决定理由", blank=True)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "准入申请"

    def __str__(self):
        return self.title

    @property
    def stage_label(self) -> str:
        if self.state != RequestState.REVIEW or self.stage >= len(self.procedure):
            return self.get_state_display()
        return self.procedure[self.stage]["label"]

    @property
    def stage_office(self) -> str:
        if self.state != RequestState.REVIEW or self.stage >= len(self.procedure):
            return ""
        return self.procedure[self.stage].get("office", "")


class StepAction(models.TextChoices):
    FILE = "file", "提交申请"
    PASS = "pass", "审核通过,转下一环节"
    APPROVE = "approve", "批准"
    REFUSE = "refuse", "不予批准"
    WITHDRAW = "withdraw", "撤回"
    DOCUMENT = "document", "上传材料"


class AdmissionStep(models.Model):
    request = models.ForeignKey(AdmissionRequest, on_delete=models.PROTECT, related_name="steps")
    stage_label = models.CharField(max_length=60, blank=True)
    action = models.CharField(max_length=10, choices=StepAction.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(max_length=60)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]


class AdmissionDocument(models.Model):
    request = models.ForeignKey(AdmissionRequest, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(upload_to="admission/%Y/%m/")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class CategoryBasis(models.Model):
    """The list item a work-order category rests on (by the category's code: the catalogue sits
    below this module and knows nothing of it)."""
    category_code = models.CharField("工单类别代码", max_length=40)
    item = models.ForeignKey(ListItem, on_delete=models.PROTECT, related_name="categories", verbose_name="清单事项")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    voided = models.BooleanField(default=False)
    void_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category_code"], condition=Q(voided=False),
                                               name="category_basis_one_active")]


class DataRequestState(models.TextChoices):
    OPEN = "open", "填报中"
    CLOSED = "closed", "已截止"
    VOIDED = "voided", "已作废"


class DataRequest(models.Model):
    """数据填报任务: `fields` is [{"label": ..., "metric": registry code or ""}]."""
    locality = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    department = models.CharField("部门", max_length=50)
    post_place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ListItem, on_delete=models.PROTECT, related_name="data_requests",
                             verbose_name="清单依据")
    title = models.CharField("填报任务", max_length=80)
    note = models.TextField("说明", blank=True)
    fields = models.JSONField("填报项")
    due_on = models.DateField("截止日期")
    communities = models.ManyToManyField("places.Place", related_name="+", verbose_name="填报社区")
    state = models.CharField("状态", max_length=8, choices=DataRequestState.choices, default=DataRequestState.OPEN)
    void_reason = models.CharField("作废理由", max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]


class DataAnswer(models.Model):
    request = models.ForeignKey(DataRequest, on_delete=models.PROTECT, related_name="answers")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(default=dict)  # {"0": "123", ...} by field index
    from_registry = models.JSONField(default=list)  # indexes answered from the registry
    submitted = models.BooleanField(default=False)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "community"], name="data_answer_once")]


class CertificateKind(models.Model):
    """A certificate a community may issue (on the locality's list), or one it must refuse, with
    the office that issues it instead."""
    locality = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("证明名称", max_length=60)
    allowed = models.BooleanField("社区可出具", default=True)
    legal_basis = models.CharField("依据", max_length=300, blank=True)
    refuse_reason = models.CharField("不予出具的理由", max_length=300, blank=True)
    instead_office = models.CharField("应由何处出具", max_length=100, blank=True)
    template = models.TextField("证明正文", blank=True,
                                help_text="可用 {姓名} {社区} {住址} 代入")
    voided = models.BooleanField(default=False)
    void_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-allowed", "name"]
        constraints = [models.UniqueConstraint(fields=["locality", "name"], name="certificate_kind_name")]


class Certificate(models.Model):
    kind = models.ForeignKey(CertificateKind, on_delete=models.PROTECT, related_name="issued")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("编号", max_length=30, unique=True)
    code = models.CharField("核验码", max_length=16, unique=True)
    text = models.TextField("正文")
    purpose = models.CharField("用途", max_length=100)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    voided = models.BooleanField(default=False)
    void_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at"]


class ContractState(models.TextChoices):
    ACTIVE = "active", "履行中"
    ACCEPTED = "accepted", "已验收"
    FAILED = "failed", "验收未通过"
    VOIDED = "voided", "已作废"


class ServiceContract(models.Model):
    """购买服务: an item outside the lists bought from a committee or social organisation."""
    locality = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    buyer = models.CharField("购买方", max_length=50)
    provider = models.CharField("承接方", max_length=80)
    title = models.CharField("服务项目", max_length=80)
    price_yuan = models.DecimalField("金额(元)", max_digits=12, decimal_places=2)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    deliverables = models.TextField("服务内容与交付")
    state = models.CharField("状态", max_length=10, choices=ContractState.choices, default=ContractState.ACTIVE)
    acceptance_note = models.TextField("验收意见", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on"]


class Direction(models.TextChoices):
    STREET_TO_COMMUNITY = "s2c", "街道评价社区"
    COMMUNITY_TO_STREET = "c2s", "社区评价街道"
    COMMUNITY_TO_DEPARTMENT = "c2d", "社区评价部门"


class EvaluationRound(models.Model):
    """双向评价 (P-DUTY-6): one year's round in a locality, open between two dates, on the form of
    the locality's rules (copied here when the round opens)."""
    locality = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    form = models.JSONField("评价表")  # {"s2c": [question, ...], "c2s": [...], "c2d": [...]}
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["locality", "year"], name="evaluation_round_year")]


class Evaluation(models.Model):
    """One rating. `rater` is kept for the audit only: no page shows a department who rated it."""
    round = models.ForeignKey(EvaluationRound, on_delete=models.PROTECT, related_name="evaluations")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    rater_place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    target_place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    target_department = models.CharField(max_length=50, blank=True)
    scores = models.JSONField()  # [1..5 per question]
    score = models.DecimalField(max_digits=5, decimal_places=1)  # mean × 20 (0–100)
    comment = models.TextField(blank=True)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "direction", "rater_place", "target_place",
                                                       "target_department"], name="evaluation_once")]


class DemandKind(models.TextChoices):
    """What departments and streets demand of committees besides work orders and figures (P-DUTY-4/5)."""
    MEETING = "meeting", "会议"
    LEDGER = "ledger", "台账"
    SIGNBOARD = "signboard", "挂牌"
    ASSESSMENT = "assessment", "考核评比"
    SYSTEM = "system", "信息系统"


class Demand(models.Model):
    """要求社区事项登记: a meeting, ledger, signboard, assessment or information system a department or
    street demands of committees, on the list item it rests on. Nothing outside the lists is registered
    (the service refuses it); a demand the platform already meets (a ledger the work writes) says so.
    Cleared (清理) with a reason, never deleted; every change kept."""
    locality = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="地区")
    kind = models.CharField("类型", max_length=10, choices=DemandKind.choices)
    title = models.CharField("名称", max_length=80)
    department = models.CharField("要求单位", max_length=50)
    post_place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ListItem, on_delete=models.PROTECT, related_name="demands", verbose_name="清单依据")
    frequency = models.CharField("频次", max_length=10, choices=Frequency.choices)
    times_per_year = models.PositiveSmallIntegerField("每年次数", default=0)
    hours_per_community_year = models.DecimalField("工作量(小时/社区/年)", max_digits=8, decimal_places=1)
    platform_ledger = models.CharField("平台已有台账", max_length=40, blank=True)  # a ledger kind's key
    all_communities = models.BooleanField("所辖全部社区", default=False)
    communities = models.ManyToManyField("places.Place", blank=True, related_name="+", verbose_name="涉及社区")
    note = models.TextField("说明", blank=True)
    starts_on = models.DateField("开始日期")
    cleared = models.BooleanField("已清理", default=False)
    clear_reason = models.CharField("清理理由", max_length=300, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "要求社区事项"
        indexes = [models.Index(fields=["locality", "kind"], name="demand_locality_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}「{self.title}」"


class RefusalWhat(models.TextChoices):
    DEMAND = "demand", "要求社区事项"
    DATA = "data", "数据填报任务"
    DISPATCH = "dispatch", "工单派往社区"
    CATEGORY = "category", "工单类别派往社区"


class Refusal(models.Model):
    """A demand on communities the rules refused. The refused thing itself is not written; this row
    only counts it for the burden dashboard (who tried what, under which rule)."""
    locality = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=10, choices=RefusalWhat.choices)
    department = models.CharField("单位", max_length=50)
    title = models.CharField("名称", max_length=80, blank=True)
    rule = models.CharField("不予登记的原因", max_length=400)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["locality", "at"], name="refusal_locality_at")]


class ReportState(models.TextChoices):
    OPEN = "open", "待核查"
    CORRECTED = "corrected", "已纠正"
    UNFOUNDED = "unfounded", "经核查不属实"


class OffListReport(models.Model):
    """社区反映: a committee reports work pushed onto it outside the register (a meeting called by
    phone, a form to fill, a signboard to hang). The civil-affairs admin checks it with the department
    and records the outcome; the department reads what concerns it, never who reported it."""
    locality = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    department = models.CharField("提出要求的单位", max_length=50)
    kind = models.CharField("类型", max_length=10)  # a DemandKind or "data" / "task"
    title = models.CharField("要求内容", max_length=80)
    details = models.TextField("具体情况", max_length=TEXT_MAX)
    demanded_on = models.DateField("提出日期")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()
    state = models.CharField("状态", max_length=10, choices=ReportState.choices, default=ReportState.OPEN)
    response = models.TextField("核查结果", blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["locality", "reported_at"], name="offlist_locality_at")]
