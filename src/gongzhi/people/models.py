"""Residents, households, care groups and organisations.

Nothing here is hard-deleted: moving out and death are status changes with an
event, and django-simple-history keeps every version of every row (who, when,
before, after). ID and phone numbers are stored encrypted, with a keyed hash
for exact look-up and a masked copy for lists.
"""
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django_otp.models import CooldownMixin, SideChannelDevice, ThrottlingMixin
from simple_history.models import HistoricalRecords

from gongzhi.core import codes


class ResidenceStatus(models.TextChoices):
    REGISTERED = "registered", "户籍人口"
    RESIDENT = "resident", "常住人口"
    FLOATING = "floating", "流动人口"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    MOVED_OUT = "moved_out", "已迁出"
    DECEASED = "deceased", "已死亡"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class CareTag(models.Model):
    """Care groups (重点人群). Built-in tags plus locality-defined ones."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=20, unique=True)
    builtin = models.BooleanField(default=False)
    sort = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort", "code"]

    def __str__(self):
        return self.name


BUILTIN_CARE_TAGS = [
    ("left_behind_child", "留守儿童"), ("left_behind_woman", "留守妇女"), ("left_behind_elder", "留守老人"),
    ("empty_nest", "空巢老人"), ("living_alone", "独居老人"), ("very_old", "高龄老人"), ("disabled", "残疾人"),
    ("minimum_living", "低保"), ("extreme_poverty", "特困"), ("special_care", "优抚对象"),
]


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    CLOSED = "closed", "已注销"


class Household(models.Model):
    number = models.CharField("户号", max_length=30, unique=True)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="households")
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="grid_households")
    dwelling = models.ForeignKey("places.Dwelling", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="households")
    status = models.CharField("状态", max_length=10, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["community", "status"]), models.Index(fields=["grid", "status"])]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return f"/people/households/{self.pk}/"


class Resident(models.Model):
    name = models.CharField("姓名", max_length=50)
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=50, blank=True, editable=False)
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)
    id_number_masked = models.CharField("公民身份号码", max_length=18, blank=True, editable=False)
    id_tail = models.CharField(max_length=4, blank=True, editable=False)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField("民族", max_length=2, choices=list(codes.ETHNICITIES.items()), default="01")
    phone_enc = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    residence_status = models.CharField("居住状态", max_length=12, choices=ResidenceStatus.choices)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    relation = models.CharField("与户主关系", max_length=2, choices=list(codes.RELATIONS.items()))
    dwelling = models.ForeignKey("places.Dwelling", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="residents")
    # No single-column indexes: the composite indexes below start with these.
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="residents", db_index=False)
    grid = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="grid_residents", db_index=False)
    moved_in_on = models.DateField("迁入日期", null=True, blank=True)
    party_member = models.BooleanField("党员", default=False)
    status = models.CharField("状态", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE)
    status_changed_on = models.DateField("状态变更日期", null=True, blank=True)
    care_tags = models.ManyToManyField(CareTag, blank=True, related_name="residents", verbose_name="人员标签")
    # Optimistic concurrency: an edit names the version it started from.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The history table needs no look-up indexes on the hashes: it is read per
    # resident, and each index there slows a large import by ~7%.
    history = HistoricalRecords(m2m_fields=[care_tags], excluded_fields=["name_pinyin", "name_initials"],
                                no_db_index=["id_number_hash", "phone_hash", "id_tail"])

    class Meta:
        ordering = ["household_id", "relation", "id"]
        indexes = [
            # (scope, status, name, id) serves the list's filter, order and id-only paging.
            models.Index(fields=["community", "status", "name", "id"], name="resident_comm_list"),
            models.Index(fields=["community", "name_initials"]),
            models.Index(fields=["grid", "status", "name", "id"], name="resident_grid_list"),
            models.Index(fields=["grid", "name_initials"]),
            # "last four digits of the ID" searches, always within a scope.
            models.Index(fields=["community", "id_tail"], name="resident_comm_idtail"),
            models.Index(fields=["grid", "id_tail"], name="resident_grid_idtail"),
            # party members per community (standards engine): only party members' rows are in it
            models.Index(fields=["community", "status"], condition=models.Q(party_member=True),
                         name="resident_party"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_head(self) -> bool:
        return self.relation == codes.HEAD_RELATION


class EventKind(models.TextChoices):
    REGISTERED = "registered", "登记"
    IMPORTED = "imported", "导入"
    UPDATED = "updated", "修改"
    MOVED_HOUSEHOLD = "moved_household", "户间迁移"
    MOVED_OUT = "moved_out", "迁出"
    RETURNED = "returned", "迁回"
    DECEASED = "deceased", "死亡"


class ResidentEvent(models.Model):
    """One row per life event of a resident (who, when, what)."""

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField("发生日期")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    # How the detail's keys read on the page (the keys stay short and stable in the database).
    DETAIL_LABELS = {"household": "户号", "file": "导入文件", "row": "行", "fields": "修改项", "from": "原户号",
                     "to": "新户号", "destination": "迁往"}

    def detail_items(self) -> list[tuple[str, str]]:
        """(label, text) for the page: Chinese labels, changed fields by their Chinese names."""
        items = []
        for key, value in (self.detail or {}).items():
            if key == "fields" and isinstance(value, list):
                value = "、".join(_field_label(Resident, name) for name in value)
            items.append((self.DETAIL_LABELS.get(key, "说明"), "" if value is None else str(value)))
        return items


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since renamed or removed: say that something changed, not its code
        return "其他信息"


class OrgKind(models.TextChoices):
    RESIDENT_UNIT = "resident_unit", "驻区单位"
    SOCIAL_ORG = "social_org", "社会组织"
    PROPERTY_FIRM = "property_firm", "物业企业"
    OWNERS_COMMITTEE = "owners_committee", "业主委员会"


class OrgRegistration(models.TextChoices):
    REGISTERED = "registered", "已登记"
    FILED = "filed", "已备案"
    NONE = "none", "未登记"


class Organisation(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="organisations")
    kind = models.CharField("类别", max_length=20, choices=OrgKind.choices)
    name = models.CharField("名称", max_length=100)
    registration = models.CharField("登记状态", max_length=12, choices=OrgRegistration.choices,
                                    default=OrgRegistration.NONE)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    estate = models.ForeignKey("places.Estate", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="organisations")
    volunteer_team = models.BooleanField("志愿服务组织", default=False,
                                         help_text="志愿服务队等以志愿服务为主的社区社会组织(P-VOL-1)")
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["community", "kind", "name"]

    def __str__(self):
        return self.name


class SignupCode(CooldownMixin, ThrottlingMixin, SideChannelDevice):
    """The one-time code of a resident opening their own account (people.resident_accounts):
    django-otp's side-channel device makes a random 6-digit token with an expiry and accepts it
    once; wrong codes slow the next try (1 s, 2 s, 4 s...), a new code waits a minute.
    One per resident; it is not a sign-in device: it has no account yet (`user` stays empty)
    and is never confirmed, so django-otp's lookups of a user's devices never find it."""

    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    confirmed = models.BooleanField(default=False)
    resident = models.OneToOneField(Resident, on_delete=models.CASCADE, related_name="signup_code")
    created_at = models.DateTimeField(auto_now_add=True)

    COOLDOWN_SECONDS = 60

    class Meta:
        verbose_name = "居民开户验证码"

    def get_cooldown_duration(self) -> int:
        return self.COOLDOWN_SECONDS

    def get_throttle_factor(self) -> int:
        return 1


class AbsenceReason(models.TextChoices):
    WORK = "work", "外出务工"
    STUDY = "study", "外出求学"
    CARE = "care", "外出照料家人"
    OTHER = "other", "其他"


class Absence(models.Model):
    """A household member living away (外出): the registry's fact that care's left-behind groups and the
    elections' roll read (recorded on care's pages). Returning ends it (`returned_on`); nothing is deleted.
    The table keeps the name it had when care owned the model."""
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="absences")
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
        db_table = "care_absence"
        ordering = ["-since", "-id"]
        indexes = [models.Index(fields=["household"], condition=models.Q(returned_on__isnull=True),
                                name="care_absence_open")]
