"""Care for key groups: what the registry does not hold and the worker adds.

The care groups themselves are not stored: `care.groups` derives them from the registry
(households, relations, ages, care tags) and from the two facts kept here, absences (a
member living away) and disability grades. A worker confirms a derived membership or corrects
it (adds a person the registry misses, takes out one it wrongly includes) with a reason: one
append-only `GroupReview` row per decision, the latest one counting.
"""
import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import CooldownMixin, SideChannelDevice, ThrottlingMixin

from gongzhi.core.models import AppendOnly


class Group(models.TextChoices):
    LIVING_ALONE = "living_alone", "独居老人"
    ELDERS_ONLY = "elders_only", "空巢老人"
    VERY_OLD = "very_old", "高龄老人"
    LEFT_BEHIND_ELDER = "left_behind_elder", "留守老人"
    DISABLED = "disabled", "残疾人"
    LEFT_BEHIND_CHILD = "left_behind_child", "留守儿童"


class DisabilityKind(models.TextChoices):
    SIGHT = "sight", "视力残疾"
    HEARING = "hearing", "听力残疾"
    SPEECH = "speech", "言语残疾"
    PHYSICAL = "physical", "肢体残疾"
    INTELLECTUAL = "intellectual", "智力残疾"
    MENTAL = "mental", "精神残疾"
    MULTIPLE = "multiple", "多重残疾"


class Disability(models.Model):
    """The disability certificate's kind and grade (GB/T 26341-2010: 一级 most severe … 四级). Health
    detail: shown only on the person's care page, and every view is access-logged."""
    resident = models.OneToOneField("people.Resident", on_delete=models.PROTECT, related_name="care_disability")
    kind = models.CharField("残疾类别", max_length=12, choices=DisabilityKind.choices)
    grade = models.PositiveSmallIntegerField("残疾等级", choices=[(1, "一级"), (2, "二级"), (3, "三级"), (4, "四级")])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)


class Decision(models.TextChoices):
    CONFIRM = "confirm", "核实属实"
    EXCLUDE = "exclude", "核实不属于"
    INCLUDE = "include", "补充纳入"


class GroupReview(AppendOnly):
    """A worker's decision on one person and one group, with the reason. The latest row per
    (resident, group) counts: `exclude` takes a derived member out, `include` adds one the registry misses."""
    refuse_change = "关爱对象核实记录只能追加,不能修改"
    refuse_delete = "关爱对象核实记录不能删除"

    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_reviews")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    group = models.CharField("人群", max_length=20, choices=Group.choices)
    decision = models.CharField("核实结果", max_length=8, choices=Decision.choices)
    derived = models.BooleanField("系统推算属于")
    reason = models.CharField("理由", max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["resident", "group", "-at"], name="care_review_latest"),
                   models.Index(fields=["community", "group"], name="care_review_comm")]


class Condition(models.TextChoices):
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差,需要关注"
    URGENT = "urgent", "需要紧急帮助"


class FollowUp(models.TextChoices):
    NONE = "", "无"
    ORDER = "order", "转为工单"
    HARDSHIP = "hardship", "困难上报"


class CareVisit(AppendOnly):
    """关爱走访: one visit to one person in a care group, how they are and what was found. A finding
    becomes a work order (through workorders' visit log, 民情日记, which the visit also writes) or a
    hardship report in the same step. Append-only: a wrong visit is corrected by the next one."""
    refuse_change = "关爱走访记录只能追加,不能修改"
    refuse_delete = "关爱走访记录不能删除"

    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_visits")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField("走访日期")
    condition = models.CharField("身体和生活状况", max_length=8, choices=Condition.choices)
    notes = models.TextField("走访情况")
    findings = models.TextField("发现的问题和需求", blank=True)
    follow_up = models.CharField("处理方式", max_length=10, choices=FollowUp.choices, blank=True)
    visit_log = models.ForeignKey("workorders.VisitLog", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    work_order = models.ForeignKey("workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    hardship = models.ForeignKey("HardshipReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # a visit by an assigned volunteer or neighbour (结对走访): the pairing it was made under
    pairing = models.ForeignKey("VisitorPairing", null=True, blank=True, on_delete=models.PROTECT, related_name="visits")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["resident", "-visited_on"], name="care_visit_latest"),
                   models.Index(fields=["community", "visited_on"], name="care_visit_comm")]


class HardshipKind(models.TextChoices):
    ILLNESS = "illness", "重病"
    ACCIDENT = "accident", "意外事故"
    INCOME = "income", "失去收入"
    DISASTER = "disaster", "灾害"
    OTHER = "other", "其他困难"


class HardshipState(models.TextChoices):
    REPORTED = "reported", "已上报"
    ROUTED = "routed", "已转办"
    DECIDED = "decided", "已办结"
    DECLINED = "declined", "不予救助"


class HardshipReport(models.Model):
    """困难上报: a person or household in hardship or an emergency, found on a visit or reported by a
    worker; checked against the locality's assistance schemes, routed with a time limit, outcome recorded."""
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_hardships")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("困难类型", max_length=10, choices=HardshipKind.choices)
    description = models.TextField("情况说明")
    state = models.CharField("状态", max_length=10, choices=HardshipState.choices, default=HardshipState.REPORTED)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField()
    # the check against the locality's schemes: [{scheme, label, result: met|unmet|unknown, conditions: [...]}]
    scheme_check = models.JSONField("政策比对", default=list, blank=True)
    office = models.CharField("承办单位", max_length=60, blank=True)
    due_on = models.DateField("办理时限", null=True, blank=True)
    outcome = models.TextField("办理结果", blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="care_hardship_comm")]


# -- stations, assessments, plans, service orders, statements ---------------------------------
class StationLevel(models.TextChoices):
    DISTRICT = "district", "区级居家养老服务指导中心"
    STREET = "street", "街道(镇)居家养老服务中心"
    COMMUNITY = "community", "社区居家养老服务站"


class ServiceKind(models.TextChoices):
    MEAL = "meal", "助餐"
    BATH = "bath", "助浴"
    CLEANING = "cleaning", "助洁"
    ESCORT = "escort", "助医陪诊"
    REHAB = "rehab", "康复护理"
    EMERGENCY = "emergency", "紧急救援"


class Station(models.Model):
    """A home-care station at one of three levels (or a social organisation delivering care): where it
    is, what it offers, when it is open, how many it can serve. Its staff (provider accounts) see its
    orders only: bound with dates (`StationStaff`, care/staff.py)."""
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name="所在区、街道或社区")
    level = models.CharField("层级", max_length=10, choices=StationLevel.choices)
    name = models.CharField("名称", max_length=80)
    organisation = models.ForeignKey("people.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="运营机构")
    services = models.JSONField("服务项目", default=list)
    hours = models.CharField("开放时间", max_length=60, blank=True)
    capacity = models.PositiveIntegerField("日服务能力(人次)", default=0)
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["level", "name"]

    def __str__(self):
        return self.name


class Assessment(AppendOnly):
    """An elder ability assessment (GB/T 42195-2022): the four domains' scores, the total and the level.
    Health detail: every view is access-logged."""
    refuse_change = "能力评估记录只能追加,不能修改;重新评估请新建一次评估"
    refuse_delete = "能力评估记录不能删除"

    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_assessments")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField("评估日期")
    scores = models.JSONField("一级指标得分")
    total = models.PositiveSmallIntegerField("总分")
    level = models.CharField("能力等级", max_length=2)
    level_name = models.CharField("能力等级", max_length=30)
    note = models.CharField("说明", max_length=500, blank=True)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]


class PayingScheme(models.TextChoices):
    GOVERNMENT = "government", "政府购买"
    SUBSIDISED = "subsidised", "政府补贴"
    OWN = "own", "自费"


class CarePlan(models.Model):
    """The care plan of an elder: services with how many a month, the paying scheme, the station."""
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_plans")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="plans")
    services = models.JSONField("服务项目和频次")  # [{"kind": "meal", "per_month": 30}]
    scheme = models.CharField("支付方式", max_length=12, choices=PayingScheme.choices)
    starts_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]


class OrderState(models.TextChoices):
    ORDERED = "ordered", "待服务"
    IN_SERVICE = "in_service", "服务中"
    DONE = "done", "待确认"
    CONFIRMED = "confirmed", "已确认"
    CANCELLED = "cancelled", "已取消"


MISSED_AFTER = dt.timedelta(hours=2)  # a visit this late with no check-in counts as missed (a complaint may follow)


class ServiceOrder(models.Model):
    """A home-care service for an elder: ordered on a phone by the elder, family or worker, delivered by a
    station's staff with check-in and check-out (time and place), confirmed by the elder or a worker, rated."""
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_orders")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="orders", verbose_name="服务机构")
    plan = models.ForeignKey(CarePlan, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField("服务项目", max_length=10, choices=ServiceKind.choices)
    scheme = models.CharField("支付方式", max_length=12, choices=PayingScheme.choices)
    price = models.DecimalField("单价(元)", max_digits=8, decimal_places=2)
    paid_by_government = models.DecimalField("政府支付(元)", max_digits=8, decimal_places=2)
    scheduled_for = models.DateTimeField("预约时间")
    note = models.CharField("需求说明", max_length=200, blank=True)
    state = models.CharField("状态", max_length=12, choices=OrderState.choices, default=OrderState.ORDERED)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField()
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    check_in_lat = models.FloatField(null=True, blank=True)
    check_in_lon = models.FloatField(null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    check_out_lat = models.FloatField(null=True, blank=True)
    check_out_lon = models.FloatField(null=True, blank=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="服务人员")
    service_note = models.CharField("服务记录", max_length=500, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField("评价", null=True, blank=True)
    rating_comment = models.CharField("评价意见", max_length=200, blank=True)
    # the latest complaint about this service, raised as a work order (orders.order_complain)
    complaint = models.ForeignKey("workorders.WorkOrder", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="投诉工单")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="care_order_comm"),
                   models.Index(fields=["station", "state"], name="care_order_station")]

    @property
    def number(self) -> str:
        return f"FW{self.ordered_at:%Y%m%d}{self.pk:06d}" if self.pk else ""

    @property
    def complaint_open(self) -> bool:
        from gongzhi.workorders.models import OPEN_STATES
        return self.complaint_id is not None and self.complaint.state in OPEN_STATES

    @property
    def complainable(self) -> bool:
        """May be complained about now (orders.order_complain decides; this only offers the form): the visit
        happened, or it is MISSED_AFTER late with no check-in, and no complaint about it is still open."""
        if self.state == OrderState.CANCELLED or self.complaint_open:
            return False
        return self.state != OrderState.ORDERED or self.scheduled_for <= timezone.now() - MISSED_AFTER


class StatementKind(models.TextChoices):
    ELDER = "elder", "老人月结单"
    PROVIDER = "provider", "服务机构月结单"


class Statement(models.Model):
    """A month's confirmed orders of one elder or one station, for the paying scheme."""
    kind = models.CharField("类别", max_length=10, choices=StatementKind.choices)
    month = models.DateField("月份")  # first day of the month
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    station = models.ForeignKey(Station, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    orders = models.PositiveIntegerField("服务次数", default=0)
    amount = models.DecimalField("金额(元)", max_digits=12, decimal_places=2, default=0)
    government = models.DecimalField("政府支付(元)", max_digits=12, decimal_places=2, default=0)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "kind", "id"]


class StatementLine(models.Model):
    """One order on one statement; the constraint keeps an order on at most one statement of each kind."""
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=10, choices=StatementKind.choices)
    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "order"], name="care_order_once_per_kind")]


# -- assigned visitors: volunteers and neighbours (结对关爱走访) ---------------------------------
class VisitorKind(models.TextChoices):
    VOLUNTEER = "volunteer", "志愿者"
    NEIGHBOUR = "neighbour", "邻居"


class VisitorPairing(models.Model):
    """结对: a registered volunteer or a neighbour (a resident with an account) assigned by the community
    worker to visit one person on the visit list. The visitor sees only their paired people who are due
    or overdue and records visits for them. Never deleted: a pairing ends with a date and a reason."""
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_pairings",
                                 verbose_name="关爱对象")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("走访人类别", max_length=10, choices=VisitorKind.choices)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_pairings",
                                verbose_name="走访人账号")
    visitor_resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+",
                                         verbose_name="走访人")
    volunteer = models.ForeignKey("volunteers.Volunteer", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name="志愿者")
    starts_on = models.DateField("结对开始日期")
    ended_on = models.DateField("结对结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        ordering = ["ended_on", "-starts_on", "-id"]
        indexes = [models.Index(fields=["visitor", "ended_on"], name="care_pairing_visitor"),
                   models.Index(fields=["resident", "ended_on"], name="care_pairing_person")]
        constraints = [models.UniqueConstraint(fields=["resident", "visitor"], condition=models.Q(ended_on__isnull=True),
                                               name="care_pairing_one_open")]

    def delete(self, *args, **kwargs):
        raise ValueError("结对记录不能删除;结束结对请写明原因")

    @property
    def active(self) -> bool:
        return self.ended_on is None


class AlertStep(models.IntegerChoices):
    REMIND = 0, "提醒走访人和网格员"
    COMMUNITY = 1, "升级至社区"
    STREET = 2, "升级至街道"


class VisitAlert(models.Model):
    """The bookkeeping of overdue visits' reminders and escalation (care/escalation.py): one row per person,
    overdue spell (the date the visit was due) and step, so each step is taken and heard once. Written only
    by the sweep; a visit starts a new spell (a new due date), which escalates afresh if it runs late too."""
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("应访日期")
    step = models.PositiveSmallIntegerField("步骤", choices=AlertStep.choices)
    days_late = models.PositiveIntegerField("逾期天数")
    notified = models.PositiveIntegerField("通知人数", default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "step", "due_on"], name="care_alert_comm")]
        constraints = [models.UniqueConstraint(fields=["resident", "due_on", "step"], name="care_alert_once")]


# -- family accounts outside the household (家属) --------------------------------------------------
class FamilyRelation(models.TextChoices):
    CHILD = "child", "子女"
    CHILD_IN_LAW = "in_law", "儿媳、女婿"
    GRANDCHILD = "grandchild", "孙子女、外孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他亲属"


class FamilyLink(models.Model):
    """家属: a relative who does not live in the elder's household (a child in another city) linked to the elder
    by the community worker, with the elder's consent recorded. The relative's account then sees the elder's
    service orders and visits (date and condition only), orders services for the elder and confirms and rates
    them. Never deleted: unlinked with a date and a reason, the orders and history stay.

    A relative registered here has `relative` and must have a resident account. A relative outside the registry
    (the usual case: a child working in another city) is known only by name, the keyed hash of the ID number and
    of the mobile number: the link waits (`account` empty) until they open a family account on their phone
    (care/family_join.py), which then holds no post and no registry record, only its links."""
    elder = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_family_links",
                              verbose_name="老人")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    relative = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name="家属(本地登记的居民)")
    relative_name = models.CharField("家属姓名", max_length=50, default="")
    relative_id_hash = models.CharField("家属身份号码(密钥散列)", max_length=64, db_index=True, default="")
    # outside the registry only: the mobile the code goes to, as a keyed hash, and its last four digits to show
    relative_phone_hash = models.CharField(max_length=64, blank=True)
    relative_phone_tail = models.CharField("家属手机尾号", max_length=4, blank=True)
    # empty while a relative outside the registry has not opened their family account yet
    account = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="care_family_links", verbose_name="家属账号")
    relation = models.CharField("与老人关系", max_length=12, choices=FamilyRelation.choices)
    consent_on = models.DateField("老人同意日期")
    consent_note = models.CharField("老人同意的方式", max_length=200)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)
    ended_on = models.DateField("解除日期", null=True, blank=True)
    end_reason = models.CharField("解除原因", max_length=200, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        ordering = ["ended_on", "-linked_at", "-id"]
        indexes = [models.Index(fields=["account", "ended_on"], name="care_family_account")]
        constraints = [models.UniqueConstraint(fields=["elder", "account"], condition=models.Q(ended_on__isnull=True),
                                               name="care_family_one_open"),
                       models.UniqueConstraint(fields=["elder", "relative_id_hash"],
                                               condition=models.Q(ended_on__isnull=True),
                                               name="care_family_one_open_person")]

    def delete(self, *args, **kwargs):
        raise ValueError("家属关联记录不能删除;解除关联请写明原因")

    @property
    def waiting_for_account(self) -> bool:
        return self.account_id is None and self.ended_on is None


class FamilySignupCode(CooldownMixin, ThrottlingMixin, SideChannelDevice):
    """The one-time code of a relative outside the registry opening their family account (care/family_join.py),
    one per ID number (keyed hash); like people.SignupCode it is not a sign-in device (no user, never confirmed)."""
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    confirmed = models.BooleanField(default=False)
    id_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    COOLDOWN_SECONDS = 60

    class Meta:
        verbose_name = "家属开户验证码"

    def get_cooldown_duration(self) -> int:
        return self.COOLDOWN_SECONDS

    def get_throttle_factor(self) -> int:
        return 1


# -- 残疾人之家: day care, rehabilitation, job help ---------------------------------------------------
class HomeService(models.TextChoices):
    DAY_CARE = "day_care", "日间照料"
    REHAB = "rehab", "康复训练"


class HomeOffer(models.TextChoices):
    """What a 残疾人之家 offers (004 §4(五): day care, rehabilitation, job help); the first two have places."""
    DAY_CARE = "day_care", "日间照料"
    REHAB = "rehab", "康复训练"
    JOB_HELP = "job_help", "就业帮扶"


class DisabilityHome(models.Model):
    """残疾人之家: a place (in a community, or the street's serving its communities) with places for day care
    and for rehabilitation. Its staff (provider accounts bound with dates: `HomeStaff`, care/staff.py) record the
    day's attendance of those enrolled.
    Set up and edited by the community or street (`manage_disability_homes`, care/homes.py); a home that
    closes keeps its records, with the date and the reason (`active` is False from then on)."""
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name="所在社区或街道")
    name = models.CharField("名称", max_length=80)
    address = models.CharField("地址", max_length=200, blank=True)
    hours = models.CharField("开放时间", max_length=60, blank=True)
    services = models.JSONField("服务", default=list, blank=True)  # HomeOffer values
    day_care_places = models.PositiveIntegerField("日间照料名额", default=0)
    rehab_places = models.PositiveIntegerField("康复训练名额", default=0)
    contact = models.CharField("联系人", max_length=40, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    active = models.BooleanField(default=True)
    closed_on = models.DateField("停办日期", null=True, blank=True)
    close_reason = models.CharField("停办原因", max_length=200, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def delete(self, *args, **kwargs):
        raise ValueError("残疾人之家不能删除;停办请写明日期和原因")

    @property
    def service_labels(self) -> list[str]:
        return [HomeOffer(s).label for s in HomeOffer.values if s in (self.services or [])]

    def places_for(self, service: str) -> int:
        return self.day_care_places if service == HomeService.DAY_CARE else self.rehab_places


class HomeEnrolment(models.Model):
    """A disabled resident enrolled at a home for day care or rehabilitation, from a date; ended with a reason."""
    home = models.ForeignKey(DisabilityHome, on_delete=models.PROTECT, related_name="enrolments")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_home_enrolments")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    service = models.CharField("服务", max_length=10, choices=HomeService.choices)
    starts_on = models.DateField("入托日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ended_on", "-starts_on", "-id"]
        indexes = [models.Index(fields=["home", "service", "ended_on"], name="care_enrol_home")]
        constraints = [models.UniqueConstraint(fields=["resident", "service"], condition=models.Q(ended_on__isnull=True),
                                               name="care_enrol_one_open")]

    def delete(self, *args, **kwargs):
        raise ValueError("入托记录不能删除;结束请写明原因")


class HomeAttendance(AppendOnly):
    """One day's attendance of an enrolled person at the home: one row per person per day."""
    refuse_change = "出勤记录只能追加,不能修改"
    refuse_delete = "出勤记录不能删除"

    enrolment = models.ForeignKey(HomeEnrolment, on_delete=models.PROTECT, related_name="attendance")
    home = models.ForeignKey(DisabilityHome, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    day = models.DateField("日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["community", "day"], name="care_attend_comm")]
        constraints = [models.UniqueConstraint(fields=["resident", "day"], name="care_attend_once_a_day")]


class JobHelpKind(models.TextChoices):
    TRAINING = "training", "职业培训"
    REFERRAL = "referral", "岗位推荐"
    PLACEMENT = "placement", "就业安置"
    SELF_EMPLOYED = "self", "扶持自主创业"


class JobOutcome(models.TextChoices):
    PENDING = "pending", "跟进中"
    EMPLOYED = "employed", "已就业"
    TRAINED = "trained", "已完成培训"
    NOT_EMPLOYED = "not_employed", "未就业"


class JobHelp(models.Model):
    """就业帮扶: help given to a disabled resident (training, referral, placement), with its outcome."""
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_job_help")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    home = models.ForeignKey(DisabilityHome, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("帮扶方式", max_length=10, choices=JobHelpKind.choices)
    given_on = models.DateField("帮扶日期")
    detail = models.CharField("帮扶内容", max_length=300)
    outcome = models.CharField("结果", max_length=14, choices=JobOutcome.choices, default=JobOutcome.PENDING)
    outcome_note = models.CharField("结果说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["community", "given_on"], name="care_job_comm")]


# -- the staff of stations and homes: dated bindings ---------------------------------------------------
def current_binding(today: dt.date | None = None, prefix: str = "") -> models.Q:
    """The bindings in force on `today`: started, and not ended (no end date, or one after `today`: the end
    date is the first day without the binding). `prefix` reads them through a relation (`"care_station_staff__"`)."""
    today = today or timezone.localdate()
    return (models.Q(**{f"{prefix}started_on__lte": today})
            & (models.Q(**{f"{prefix}ended_on__isnull": True}) | models.Q(**{f"{prefix}ended_on__gt": today})))


class StaffBinding(models.Model):
    """A provider account (Role.PROVIDER) working at a station or a home from a date until an end date, bound
    and ended by the community or street that manages the place (care/staff.py). Never deleted: an ended
    binding keeps who bound it, who ended it and when; the account loses the place's pages from its end date.
    `bound_by` is empty only on the rows migration 0014 copied from the former admin-only staff lists."""
    started_on = models.DateField("开始日期", default=timezone.localdate)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    bound_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise ValueError("工作人员账号绑定记录不能删除;不再在此工作请填写结束日期")

    def is_current(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.started_on <= today and (self.ended_on is None or self.ended_on > today)


class StationStaff(StaffBinding):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_station_bindings",
                             verbose_name="服务人员账号")
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="staff_bindings",
                                verbose_name="养老服务站点")

    class Meta:
        verbose_name = "养老服务站点工作人员账号"
        ordering = ["ended_on", "-started_on", "-pk"]
        indexes = [models.Index(fields=["user", "ended_on"], name="care_station_staff_user")]
        constraints = [models.UniqueConstraint(fields=["user", "station"], condition=models.Q(ended_on__isnull=True),
                                               name="care_station_staff_current")]

    def __str__(self):
        return f"{self.station.name}:{self.user.username}"


class HomeStaff(StaffBinding):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_home_bindings",
                             verbose_name="工作人员账号")
    home = models.ForeignKey(DisabilityHome, on_delete=models.PROTECT, related_name="staff_bindings",
                             verbose_name="残疾人之家")

    class Meta:
        verbose_name = "残疾人之家工作人员账号"
        ordering = ["ended_on", "-started_on", "-pk"]
        indexes = [models.Index(fields=["user", "ended_on"], name="care_home_staff_user")]
        constraints = [models.UniqueConstraint(fields=["user", "home"], condition=models.Q(ended_on__isnull=True),
                                               name="care_home_staff_current")]

    def __str__(self):
        return f"{self.home.name}:{self.user.username}"
