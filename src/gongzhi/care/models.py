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
