"""Work orders: one record for an incident, a resident's request or a
one-window service application, taken through the case lifecycle of digital
city management (上报 → 受理 → 派遣 → 处置 → 反馈 → 核查 → 结案 → 评价).

Every step is a `WorkOrderEvent` row that is never changed. The order row holds
the current state, who owns it (首问负责), where it is being handled, the
deadline of the current step and of the whole order, and how far it has been
escalated (community → street → district).
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    INCIDENT = "incident", "事件"
    REQUEST = "request", "诉求"
    SERVICE = "service", "服务事项"


class RouteLevel(models.TextChoices):
    GRID = "grid", "网格"
    COMMUNITY = "community", "社区"
    STREET = "street", "街道/镇"
    DEPARTMENT = "department", "职能部门"


class Window(models.TextChoices):
    """Service windows of a community service station (P-SVC-4)."""
    PARTY = "party", "党员服务"
    EMPLOYMENT = "employment", "就业和社会保障"
    ASSISTANCE = "assistance", "社会救助"
    MANAGEMENT = "management", "社区管理"
    GOVERNANCE = "governance", "综合治理"
    SERVICES = "services", "社区服务"
    FAMILY = "family", "人口和计划生育"


class Category(models.Model):
    """A kind of incident or request, or a one-window service item (事项).

    `locality` is the district (or street) whose catalogue this belongs to;
    empty means every locality. `code` is the Open311 service_code.
    """
    locality = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="适用地区")
    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    description = models.TextField("说明", blank=True)
    # Disputes carry parties, mediation and outcome and go into the monthly report.
    is_dispute = models.BooleanField("矛盾纠纷", default=False)
    # Public categories appear on the public map and in Open311 GET.
    is_public = models.BooleanField("公开", default=True)
    route_level = models.CharField("默认承办层级", max_length=12, choices=RouteLevel.choices,
                                   default=RouteLevel.COMMUNITY)
    route_department = models.CharField("默认承办部门", max_length=50, blank=True)
    window = models.CharField("受理窗口", max_length=12, choices=Window.choices, blank=True)
    materials = models.JSONField("所需材料", default=list, blank=True)
    # Open311 service definition attributes: [{code, datatype, required, description, values}]
    attributes = models.JSONField("附加字段", default=list, blank=True)
    accept_days = models.PositiveSmallIntegerField("受理时限(工作日)", default=1)
    handle_days = models.PositiveSmallIntegerField("办结时限(工作日)", default=5)
    verify_days = models.PositiveSmallIntegerField("核查时限(工作日)", default=2)
    active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=100)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind", "sort", "code"]
        verbose_name = verbose_name_plural = "工单类别"

    def __str__(self):
        return self.name


class CalendarDay(models.Model):
    """An exception to the Monday–Friday working week: a public holiday on a
    weekday (is_workday=False) or an adjusted working weekend day (调休, True)."""
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("工作日")
    name = models.CharField("说明", max_length=40, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = verbose_name_plural = "工作日历"

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"


class State(models.TextChoices):
    REPORTED = "reported", "待受理"
    ACCEPTED = "accepted", "待派遣"
    DISPATCHED = "dispatched", "待处置"
    HANDLING = "handling", "处置中"
    REPLIED = "replied", "待核查"
    VERIFIED = "verified", "待结案"
    CLOSED = "closed", "已结案"
    DECLINED = "declined", "不予受理"
    MERGED = "merged", "已合并"


OPEN_STATES = (State.REPORTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.REPLIED, State.VERIFIED)
FINAL_STATES = (State.CLOSED, State.DECLINED, State.MERGED)


class Channel(models.TextChoices):
    WEB = "web", "居民网上"
    OPEN311 = "open311", "Open311 接口"
    GRID = "grid", "网格员上报"
    WINDOW = "window", "窗口受理"
    VISIT = "visit", "民情走访"


class EscalationLevel(models.IntegerChoices):
    COMMUNITY = 0, "社区"
    STREET = 1, "街道"
    DISTRICT = 2, "区"


class WorkOrder(models.Model):
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Single-column indexes that a composite index below already leads with are
    # left out (db_index=False): every insert and update pays for each index.
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="orders", verbose_name="类别",
                                 db_index=False)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    title = models.CharField("标题", max_length=100)
    description = models.TextField("描述")
    channel = models.CharField("来源", max_length=10, choices=Channel.choices)
    # Where it is. The district is always known; street, community and grid when
    # the location could be resolved. Scope reads these columns directly.
    district = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    community = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  db_index=False)
    grid = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             db_index=False)
    household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="work_orders")
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    # Who raised it. Contact details are personal data: encrypted, shown masked.
    reporter_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="reported_orders")
    reporter_name = models.CharField("反映人", max_length=50, blank=True)
    reporter_phone_enc = models.TextField(blank=True)
    reporter_phone_masked = models.CharField("联系电话", max_length=20, blank=True)
    reporter_email_enc = models.TextField(blank=True)
    # 全程代办: a staff member acting for the resident.
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="agent_orders", verbose_name="代办人")
    # 首问负责: the first staff member who took it owns it until it closes.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_orders", verbose_name="首问责任人")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.REPORTED)
    handling_place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name="承办单位", db_index=False)
    handling_department = models.CharField("承办部门", max_length=50, blank=True)
    step_due_at = models.DateTimeField("本环节时限", null=True, blank=True)
    due_at = models.DateTimeField("办结时限", null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField("返工次数", default=0)
    rating = models.PositiveSmallIntegerField("评价", null=True, blank=True)
    rating_comment = models.CharField("评价意见", max_length=200, blank=True)
    resolved = models.BooleanField("已解决", null=True, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="merged_orders", verbose_name="合并至")
    possible_duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                              related_name="+", verbose_name="疑似重复", db_index=False)
    extra = models.JSONField(default=dict, blank=True)
    # Set by order_report to the report's moment (the demo's history passes its own clock).
    created_at = models.DateTimeField("上报时间", default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    first_response_at = models.DateTimeField("首次响应", null=True, blank=True)
    # Taken (accepted, declined or merged) within the acceptance limit: 响应率.
    responded_on_time = models.BooleanField(null=True, blank=True)
    replied_at = models.DateTimeField("反馈时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "工单"
        indexes = [
            models.Index(fields=["community", "state"], name="wo_comm_state"),
            models.Index(fields=["grid", "state"], name="wo_grid_state"),
            models.Index(fields=["street", "state"], name="wo_street_state"),
            models.Index(fields=["handling_place", "handling_department"], name="wo_handling"),
            models.Index(fields=["category", "state", "created_at"], name="wo_cat_state"),
            models.Index(fields=["due_at"], name="wo_due"),
            models.Index(fields=["closed_at"], name="wo_closed"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """Human work-order number: report date and id (no second write needed)."""
        return f"GD{self.created_at:%Y%m%d}{self.pk:07d}" if self.pk and self.created_at else ""

    @staticmethod
    def pk_from_number(number: str) -> int | None:
        """The id in an order number (GD + date + id) or a bare id; None for anything else,
        including ids no database column can hold (≥ 2⁶³) and non-ASCII digits."""
        number = (number or "").strip().upper()
        digits = number[10:] if number.startswith("GD") and len(number) > 10 else number
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
            return None
        return int(digits) or None

    # -- the sweep's bookkeeping, kept in `Escalation` --------------------------
    @property
    def clock(self) -> "Escalation":
        try:
            return self.escalation
        except Escalation.DoesNotExist:
            return Escalation(order=self)

    @property
    def escalation_level(self) -> int:
        return self.clock.level

    def get_escalation_level_display(self) -> str:
        return EscalationLevel(self.clock.level).label

    @property
    def overdue(self) -> bool:
        return self.clock.overdue

    @property
    def next_escalation_at(self):
        return self.clock.next_at

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def open311_status(self) -> str:
        return "open" if self.is_open else "closed"


class Escalation(models.Model):
    """Where the overdue sweep stands for one order: its level (community →
    street → district), whether it ever ran late, and when to look again.

    Kept out of the wide, heavily indexed order row: escalating a hundred
    thousand orders then rewrites narrow rows with two indexes instead of
    every index of `WorkOrder` (bench/RESULTS.md, the million-order sweep).
    `next_at` is empty once the order is finished or at the district level."""
    order = models.OneToOneField(WorkOrder, primary_key=True, on_delete=models.CASCADE, related_name="escalation")
    level = models.PositiveSmallIntegerField("督办层级", choices=EscalationLevel.choices, default=0)
    overdue = models.BooleanField("曾超时", default=False)
    next_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_at"], name="escalation_due",
                                condition=models.Q(next_at__isnull=False))]


class Action(models.TextChoices):
    REPORT = "report", "上报"
    ACCEPT = "accept", "受理"
    DECLINE = "decline", "不予受理"
    DISPATCH = "dispatch", "派遣"
    HANDLE = "handle", "处置"
    REPLY = "reply", "反馈"
    VERIFY_PASS = "verify_pass", "核查通过"
    VERIFY_FAIL = "verify_fail", "核查不通过(返工)"
    CLOSE = "close", "结案"
    RATE = "rate", "评价"
    MERGE = "merge", "合并"
    MERGED_IN = "merged_in", "并入重复工单"
    SUPERVISE = "supervise", "超时督办"
    MEDIATE = "mediate", "调解记录"


class WorkOrderEvent(models.Model):
    """One step of one order. Append-only: the model refuses edits and deletes."""
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("环节", max_length=12, choices=Action.choices)
    from_state = models.CharField(max_length=10, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=State.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField("经办人", max_length=80, blank=True)
    at = models.DateTimeField("时间", db_index=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("工单流转记录只能追加,不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("工单流转记录不能删除")


class Attachment(models.Model):
    """A photo or document on an order; served only through the order's scope."""
    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(WorkOrderEvent, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="attachments")
    file = models.FileField(upload_to="workorders/%Y/%m/")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class Outcome(models.TextChoices):
    PENDING = "pending", "调解中"
    SUCCESS = "success", "调解成功"
    FAILED = "failed", "调解不成功"
    REFERRED = "referred", "移交(诉讼/仲裁/信访)"


class Dispute(models.Model):
    """Parties, mediation and outcome of a dispute order (P-GRID-4)."""
    order = models.OneToOneField(WorkOrder, on_delete=models.PROTECT, related_name="dispute")
    dispute_type = models.CharField("纠纷类型", max_length=20, blank=True)
    parties = models.JSONField("当事人", default=list)
    mediator = models.CharField("调解人", max_length=50, blank=True)
    mediation = models.TextField("调解经过", blank=True)
    outcome = models.CharField("调解结果", max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    agreement = models.BooleanField("达成协议", default=False)
    mediated_on = models.DateField("调解日期", null=True, blank=True)


class Notification(models.Model):
    """In-app inbox; email and SMS senders get the same text after commit."""
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notif_user_unread")]


class VisitLog(models.Model):
    """民情日记: a grid worker's visit to a household and what residents raised (P-GRID-5)."""
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="网格")
    household = models.ForeignKey("people.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="visits", verbose_name="走访户")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField("走访日期")
    notes = models.TextField("走访情况")
    concerns = models.TextField("群众诉求", blank=True)
    work_order = models.ForeignKey(WorkOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="visits")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["grid", "visited_on"], name="visit_grid_day")]


class ApiKey(models.Model):
    """A key an admin issues to a third-party Open311 client. Only a keyed hash is stored."""
    name = models.CharField("名称", max_length=80)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The place the key is issued for: its client reads the full text, address and location of
    # public orders there (a street's or community's own service desk). Without a place the key
    # files requests and reads no more than anyone (docs/open311.md).
    place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name="可见范围")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
