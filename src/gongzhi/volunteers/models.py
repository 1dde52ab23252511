"""Volunteers (P-VOL-1..3): a volunteer is a registered resident; teams; activities with places,
times and skills wanted; sign-ups with check-in/out and hours the organiser confirms; certificates
with a public verification code; the neighbourly time bank (points, double-entry, never negative).

Nothing is deleted: a volunteer leaves (left_on), an activity is cancelled, a sign-up withdrawn,
a certificate voided; time-bank entries are append-only."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from gongzhi.core.models import AppendOnly


class Availability(models.TextChoices):
    WEEKDAY = "weekday", "工作日"
    WEEKEND = "weekend", "周末"
    EVENING = "evening", "晚间"
    ANY = "any", "时间灵活"


# the skills an activity may ask for and a volunteer may offer (code, label)
SKILLS = (
    ("care", "助老助残"), ("medical", "医疗健康"), ("law", "法律咨询"), ("teach", "教育辅导"),
    ("culture", "文体活动"), ("clean", "环境清洁"), ("safety", "治安巡逻"), ("repair", "家电维修"),
    ("it", "信息技术"), ("driving", "驾驶"), ("psych", "心理疏导"), ("publicity", "宣传摄影"),
)
SKILL_LABELS = dict(SKILLS)


class Team(models.Model):
    """A volunteer team (志愿服务队) of one community."""
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="volunteer_teams")
    name = models.CharField("队伍名称", max_length=60)
    field = models.CharField("服务领域", max_length=60, blank=True)
    created_on = models.DateField("成立日期")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["community_id", "name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="volunteer_team_name")]

    def __str__(self):
        return self.name


class Volunteer(models.Model):
    """A registered resident who volunteers. `hours` is the cumulative confirmed hours, kept in the
    same transaction as each confirmation (the sum of the sign-ups' confirmed hours; a test checks)."""
    resident = models.OneToOneField("people.Resident", on_delete=models.PROTECT, related_name="volunteer_profile")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="volunteer_profiles")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members",
                             verbose_name="所在队伍")
    skills = models.JSONField("技能特长", default=list, blank=True)
    availability = models.CharField("可服务时间", max_length=10, choices=Availability.choices, default=Availability.ANY)
    self_signed = models.BooleanField("本人报名", default=False)
    registered_on = models.DateField("注册日期")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")
    left_on = models.DateField("退出日期", null=True, blank=True)
    hours = models.DecimalField("累计服务时长", max_digits=9, decimal_places=1, default=0)

    class Meta:
        ordering = ["community_id", "-hours", "id"]
        indexes = [models.Index(fields=["community", "left_on"], name="vol_profile_community"),
                   models.Index(fields=["team"], name="vol_profile_team")]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="vol_hours_not_negative")]

    def __str__(self):
        return self.resident.name

    @property
    def skill_labels(self) -> list[str]:
        return [SKILL_LABELS.get(s, s) for s in self.skills]


class ActivityState(models.TextChoices):
    PUBLISHED = "published", "报名中"
    CANCELLED = "cancelled", "已取消"


class Activity(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="volunteer_activities")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="activities",
                             verbose_name="主办队伍")
    title = models.CharField("活动名称", max_length=100)
    description = models.TextField("活动内容", blank=True)
    location = models.CharField("地点", max_length=100)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    places = models.PositiveIntegerField("招募人数")
    taken = models.PositiveIntegerField("已报名", default=0)
    skills = models.JSONField("需要的技能", default=list, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="组织者")
    state = models.CharField("状态", max_length=10, choices=ActivityState.choices, default=ActivityState.PUBLISHED)
    # the secret in the check-in QR code shown on the organiser's phone
    token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "starts_at"], name="vol_activity_community")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="vol_activity_ends_after_start"),
            models.CheckConstraint(condition=Q(taken__lte=F("places")), name="vol_activity_not_overbooked"),
        ]

    def __str__(self):
        return self.title

    @property
    def places_left(self) -> int:
        return max(self.places - self.taken, 0)

    @property
    def session_hours(self):
        from decimal import ROUND_DOWN, Decimal
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)

    @property
    def skill_labels(self) -> list[str]:
        return [SKILL_LABELS.get(s, s) for s in self.skills]


class SignUpState(models.TextChoices):
    SIGNED = "signed", "已报名"
    WITHDRAWN = "withdrawn", "已取消报名"


class SignUp(models.Model):
    """One volunteer at one activity: the service record (志愿服务记录)."""
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    # copied from the activity so that the yearly report and the volunteer's page read one table
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    served_on = models.DateField("服务日期")
    state = models.CharField("状态", max_length=10, choices=SignUpState.choices, default=SignUpState.SIGNED)
    signed_at = models.DateTimeField("报名时间", auto_now_add=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    hours = models.DecimalField("确认时长", max_digits=5, decimal_places=1, null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-served_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="vol_one_signup_per_activity"),
            models.CheckConstraint(condition=Q(hours__isnull=True) | Q(hours__gte=0), name="vol_signup_hours"),
        ]
        indexes = [models.Index(fields=["volunteer", "served_on"], name="vol_signup_volunteer"),
                   models.Index(fields=["community", "served_on"], name="vol_signup_community",
                                condition=Q(hours__isnull=False))]

    @property
    def confirmed(self) -> bool:
        return self.hours is not None


class VolunteerYear(models.Model):
    """The rollup of confirmed service per volunteer, community and year: `hours` and `records` are
    the SUM and COUNT of the sign-ups' confirmed hours of that year at that community, kept in the
    same transaction as each confirmation (services.hours_confirm), so the yearly report and the
    hours page read a few rows instead of every record. `selectors.rollup_drift` compares it with
    the plain sums over the records (the tests, under concurrency)."""
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="years")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    hours = models.DecimalField("确认时长", max_digits=9, decimal_places=1, default=0)
    records = models.PositiveIntegerField("服务次数", default=0)

    class Meta:
        ordering = ["-year", "community_id"]
        constraints = [models.UniqueConstraint(fields=["volunteer", "community", "year"], name="vol_year_one_row")]
        indexes = [models.Index(fields=["community", "year"], name="vol_year_community")]


class Certificate(models.Model):
    """志愿服务证明: the confirmed hours of the records it lists, with a public verification code."""
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("编号", max_length=40, unique=True)
    code = models.CharField("核验码", max_length=16, unique=True)
    hours = models.DecimalField("证明时长", max_digits=9, decimal_places=1)
    records = models.PositiveIntegerField("服务次数")
    first_on = models.DateField("起始日期")
    last_on = models.DateField("截止日期")
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signups = models.ManyToManyField(SignUp, related_name="certificates")
    voided = models.CharField("作废原因", max_length=100, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]


# -- the time bank (邻里互助 / 道德银行) -------------------------------------------------------------
class AccountKind(models.TextChoices):
    PERSON = "person", "个人积分账户"
    ISSUE = "issue", "社区积分发放"
    REDEEM = "redeem", "社区兑换"


class PointAccount(models.Model):
    """A points account: one per volunteer, and per community one that issues points (its balance
    is the negative of all points in circulation) and one that takes points back on redemption.
    The sum of all balances is always zero; a person's balance is never negative."""
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    volunteer = models.OneToOneField(Volunteer, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="points")
    balance = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(kind="person") | Q(balance__gte=0), name="vol_points_not_negative"),
            models.UniqueConstraint(fields=["community", "kind"], condition=~Q(kind="person"),
                                    name="vol_points_one_community_account"),
        ]


class EntryKind(models.TextChoices):
    EARN = "earn", "服务获得"
    SPEND = "spend", "兑换"


class PointEntry(AppendOnly):
    """One movement of points: `amount` leaves `debit` and reaches `credit` (double entry in one row).
    Never changed or deleted; a correction is a new entry."""
    refuse_change = "积分流水不可修改"
    refuse_delete = "积分流水不可删除"

    debit = models.ForeignKey(PointAccount, on_delete=models.PROTECT, related_name="debits")
    credit = models.ForeignKey(PointAccount, on_delete=models.PROTECT, related_name="credits")
    amount = models.PositiveIntegerField("积分")
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    memo = models.CharField("摘要", max_length=100)
    signup = models.OneToOneField(SignUp, null=True, blank=True, on_delete=models.PROTECT, related_name="points")
    offer = models.ForeignKey("Offer", null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    # the spender's key for this redemption: a second submit of the same form is the same entry
    request_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="vol_entry_positive"),
                       models.CheckConstraint(condition=~Q(debit=F("credit")), name="vol_entry_two_accounts")]


class Offer(models.Model):
    """What a community offers for points (a service or goods)."""
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("兑换项目", max_length=60)
    points = models.PositiveIntegerField("所需积分")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["community_id", "points", "id"]


# -- training, evaluations and commendations (P-VOL-2: 培训、评价和激励) ----------------------------------
class Training(models.Model):
    """A training session of one community's volunteers: course, date, length and trainer. Training
    hours are recorded on the attendance; they are not service hours (never in `Volunteer.hours`,
    the rollup, the star level, points or certificates)."""
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    course = models.CharField("培训课程", max_length=100)
    held_on = models.DateField("培训日期")
    hours = models.DecimalField("培训学时", max_digits=4, decimal_places=1)
    trainer = models.CharField("授课人", max_length=60)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    attendees = models.ManyToManyField(Volunteer, through="TrainingAttendance", related_name="trainings")

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["community", "held_on"], name="vol_training_community")]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="vol_training_hours")]

    def __str__(self):
        return self.course


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.PROTECT, related_name="attendance")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="training_attendance")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["training", "volunteer"], name="vol_training_once")]


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "称职"
    BASIC = "basic", "基本称职"
    POOR = "poor", "不称职"


class Evaluation(models.Model):
    """The yearly evaluation of a volunteer by the community (one per volunteer and year: a second
    one is refused, never written over)."""
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="evaluations")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("等次", max_length=10, choices=Grade.choices)
    reason = models.CharField("评价理由", max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["volunteer", "year"], name="vol_evaluation_once_a_year")]


class HonourLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县(区)级"
    STREET = "street", "街道(镇)级"
    COMMUNITY = "community", "社区级"


class Commendation(models.Model):
    """表彰: a title given to a volunteer, its level, date and issuing body."""
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="commendations")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("表彰名称", max_length=100)
    level = models.CharField("级别", max_length=10, choices=HonourLevel.choices)
    awarded_on = models.DateField("表彰日期")
    issuer = models.CharField("授予单位", max_length=100)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-awarded_on", "-id"]
        indexes = [models.Index(fields=["community", "awarded_on"], name="vol_commendation_community")]
