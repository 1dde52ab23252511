"""Care for key groups: what the registry does not hold and the worker adds.

The care groups themselves are not stored: `care.groups` derives them from the registry
(households, relations, ages, care tags) and from the two facts kept here, absences (a
member living away) and disability grades. A worker confirms a derived membership or corrects
it (adds a person the registry misses, takes out one it wrongly includes) with a reason: one
append-only `GroupReview` row per decision, the latest one counting.
"""
from django.conf import settings
from django.db import models

from gongzhi.core.models import AppendOnly


class Group(models.TextChoices):
    LIVING_ALONE = "living_alone", "独居老人"
    ELDERS_ONLY = "elders_only", "空巢老人"
    VERY_OLD = "very_old", "高龄老人"
    LEFT_BEHIND_ELDER = "left_behind_elder", "留守老人"
    DISABLED = "disabled", "残疾人"
    LEFT_BEHIND_CHILD = "left_behind_child", "留守儿童"


class AbsenceReason(models.TextChoices):
    WORK = "work", "外出务工"
    STUDY = "study", "外出求学"
    CARE = "care", "外出照料家人"
    OTHER = "other", "其他"


class Absence(models.Model):
    """A household member living away (外出): the fact the left-behind groups read. Returning ends it
    (`returned_on`); nothing is deleted."""
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="care_absences")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("外出原因", max_length=8, choices=AbsenceReason.choices)
    destination = models.CharField("外出地点", max_length=60, blank=True)
    since = models.DateField("外出日期")
    returned_on = models.DateField("返回日期", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-since", "-id"]
        indexes = [models.Index(fields=["household"], condition=models.Q(returned_on__isnull=True),
                                name="care_absence_open")]


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
    check = models.JSONField("政策比对", default=list, blank=True)
    office = models.CharField("承办单位", max_length=60, blank=True)
    due_on = models.DateField("办理时限", null=True, blank=True)
    outcome = models.TextField("办理结果", blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["community", "state"], name="care_hardship_comm")]
