"""Village cadre supervision (P-GOV-10, P-GOV-11; seed 002(4) 四2–3, 五1).

The cadres are the village's “两委” members as the community's books know them (`ledgers.Worker` with a
committee or party post, written by the elections' results or by hand): this module keeps no second list.

- `ReviewRound`: the town's half-yearly democratic review (民主评议) of one village: a window (opens/closes),
  the line from the policy pack kept with the round, the roll of raters (`Rater`: the village's cadres,
  party members and villagers' representatives in the registry on the opening day), the cadres reviewed
  (`Subject`, a snapshot of name and posts) and one `Rating` per rater and cadre. Closing the round fixes
  each cadre's result (counts, approval, flagged when the approval is at or under the line).
- `Oversight`: the half-yearly audit by the 经管站 and the quarterly talk by the town's principal leaders, each
  scheduled with a due date, then recorded as held with findings and the follow-up (整改).
- `Pledge`: a cadre's public pledge of the year and how it was kept (shown on the disclosure board).
- `ActivistReview`: the branch's democratic review of a party-activist candidate (“一评”): approval at or
  under the pack's line (60 %, “不超过60%”) refuses the candidate.

Nothing is deleted: rounds, checks and pledges are voided with a reason; ratings and pledges keep history.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

COMMENT_MAX = 200
TEXT_MAX = 2000
REASON_MAX = 100


class Verdict(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class RaterBasis(models.TextChoices):
    CADRE = "cadre", "村干部"
    PARTY = "party", "党员"
    REPRESENTATIVE = "representative", "村民代表"


class RoundState(models.TextChoices):
    OPEN = "open", "评议中"
    CLOSED = "closed", "已结束"
    VOIDED = "voided", "已作废"


class ReviewRound(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="村")
    year = models.PositiveSmallIntegerField("年度")
    half = models.PositiveSmallIntegerField("半年", choices=[(1, "上半年"), (2, "下半年")])
    opens_on = models.DateField("评议开始")
    closes_on = models.DateField("评议截止")
    note = models.CharField("述职与评议说明", max_length=200, blank=True)
    # the line in force when the round opened, with the pack it came from (a later pack edit changes no round)
    approval_line = models.DecimalField("标记线(%)", max_digits=5, decimal_places=1)
    counts_basic = models.BooleanField("基本满意计入满意率", default=True)
    pack_id = models.CharField("政策包", max_length=100, blank=True)
    pack_title = models.CharField("政策包名称", max_length=200, blank=True)
    state = models.CharField("状态", max_length=8, choices=RoundState.choices, default=RoundState.OPEN)
    raters = models.PositiveIntegerField("参评人数", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField("作废原因", max_length=REASON_MAX, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "村干部民主评议"
        ordering = ["-year", "-half", "community_id"]
        constraints = [models.UniqueConstraint(fields=["community", "year", "half"], condition=~Q(state="voided"),
                                               name="cadre_round_once_per_half")]

    def __str__(self):
        return f"{self.year}年{self.get_half_display()}民主评议"

    @property
    def label(self) -> str:
        return f"{self.year}年{self.get_half_display()}"

    def window_open(self, day) -> bool:
        return self.state == RoundState.OPEN and self.opens_on <= day <= self.closes_on


class Subject(models.Model):
    """A cadre reviewed in a round: the ledger's worker, the name and posts as they were, and the cadre's
    registry record when there is one (so that nobody rates themselves)."""
    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="subjects")
    worker = models.ForeignKey("ledgers.Worker", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=50)
    posts = models.CharField("职务", max_length=60)
    # fixed when the round closes
    satisfied = models.PositiveIntegerField("满意", default=0)
    basic = models.PositiveIntegerField("基本满意", default=0)
    unsatisfied = models.PositiveIntegerField("不满意", default=0)
    approval = models.DecimalField("满意率(%)", max_digits=5, decimal_places=1, null=True, blank=True)
    flagged = models.BooleanField("低于标记线", default=False)

    class Meta:
        ordering = ["round", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "worker"], name="cadre_subject_once")]

    def __str__(self):
        return self.name

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied


class Rater(models.Model):
    """One entry of a round's roll: a registered resident of the village, and why they may rate."""
    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="roll")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    basis = models.CharField("参评身份", max_length=40)  # comma-joined RaterBasis values

    class Meta:
        ordering = ["round", "pk"]
        constraints = [models.UniqueConstraint(fields=["round", "resident"], name="cadre_rater_once")]

    def basis_labels(self) -> str:
        labels = dict(RaterBasis.choices)
        return "、".join(labels.get(b, b) for b in self.basis.split(",") if b)


class Rating(models.Model):
    """Who rated whom: one per rater and cadre in a round (a second is refused; the rater may change
    theirs while the window is open, an explicit edit naming its version, kept in the history)."""
    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="ratings")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="ratings")
    rater = models.ForeignKey(Rater, on_delete=models.PROTECT, related_name="ratings")
    verdict = models.CharField("评议意见", max_length=12, choices=Verdict.choices)
    comment = models.CharField("意见建议", max_length=COMMENT_MAX, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["subject", "pk"]
        constraints = [models.UniqueConstraint(fields=["subject", "rater"], name="cadre_rating_once")]
        indexes = [models.Index(fields=["round", "subject"], name="cadre_rating_round")]


class CadreLink(models.Model):
    """Which registered resident a ledger worker is, where the name alone does not say (two villagers of
    one name): set by the town; a unique name match needs no link."""
    worker = models.OneToOneField("ledgers.Worker", on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()


# -- audits and talks --------------------------------------------------------------------------------
class CheckKind(models.TextChoices):
    AUDIT = "audit", "经管站审计"
    TALK = "talk", "镇主要负责人谈话"


class CheckForm(models.TextChoices):
    ROUTINE_AUDIT = "routine", "定期审计"
    PRE_AUDIT = "pre", "任前审计"
    LEAVING_AUDIT = "leaving", "离任审计"
    REGULAR_TALK = "regular", "定期谈话"
    ADHOC_TALK = "adhoc", "随时谈话"
    ADMONITION = "admonition", "诫勉谈话"


AUDIT_FORMS = (CheckForm.ROUTINE_AUDIT, CheckForm.PRE_AUDIT, CheckForm.LEAVING_AUDIT)
TALK_FORMS = (CheckForm.REGULAR_TALK, CheckForm.ADHOC_TALK, CheckForm.ADMONITION)


class FollowUp(models.TextChoices):
    NONE = "", "无需整改"
    PENDING = "pending", "整改中"
    DONE = "done", "已整改"


class Oversight(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="村")
    kind = models.CharField("类别", max_length=8, choices=CheckKind.choices)
    form = models.CharField("形式", max_length=12, choices=CheckForm.choices)
    due_on = models.DateField("应于")
    held_on = models.DateField("实际日期", null=True, blank=True)
    by_whom = models.CharField("审计单位/谈话人", max_length=60, blank=True)
    cadres = models.ManyToManyField("ledgers.Worker", blank=True, related_name="+", verbose_name="对象")
    findings = models.TextField("发现的问题", blank=True)
    conclusion = models.CharField("结论(公开)", max_length=200, blank=True)
    follow_up = models.CharField("整改", max_length=8, choices=FollowUp.choices, blank=True)
    follow_up_note = models.TextField("整改要求与情况", blank=True)
    follow_up_due = models.DateField("整改期限", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    void_reason = models.CharField("作废原因", max_length=REASON_MAX, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(m2m_fields=[cadres])

    class Meta:
        verbose_name = "审计与谈话"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["community", "kind", "held_on"], name="cadre_check_held"),
                   models.Index(fields=["due_on"], condition=Q(held_on__isnull=True, void_reason=""),
                                name="cadre_check_waiting")]

    def __str__(self):
        return f"{self.get_kind_display()}({self.due_on:%Y-%m-%d})"

    def overdue(self, day) -> bool:
        return not self.void_reason and self.held_on is None and self.due_on < day


# -- public pledges ----------------------------------------------------------------------------------
class PledgeState(models.TextChoices):
    IN_PROGRESS = "in_progress", "推进中"
    KEPT = "kept", "已兑现"
    NOT_KEPT = "not_kept", "未兑现"


class Pledge(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="村")
    worker = models.ForeignKey("ledgers.Worker", on_delete=models.PROTECT, related_name="+", verbose_name="干部")
    name = models.CharField("姓名", max_length=50)
    posts = models.CharField("职务", max_length=60)
    year = models.PositiveSmallIntegerField("年度")
    made_on = models.DateField("承诺日期")
    to_whom = models.CharField("承诺对象", max_length=60)
    text = models.CharField("承诺内容", max_length=500)
    state = models.CharField("兑现情况", max_length=12, choices=PledgeState.choices, default=PledgeState.IN_PROGRESS)
    note = models.CharField("兑现说明", max_length=500, blank=True)
    checked_on = models.DateField("核实日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    void_reason = models.CharField("作废原因", max_length=REASON_MAX, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "公开承诺"
        ordering = ["-year", "community_id", "pk"]


# -- party activists (P-GOV-10) ----------------------------------------------------------------------
class Recommendation(models.TextChoices):
    PARTY = "party", "党员推荐"
    REPRESENTATIVES = "representatives", "村民代表推荐"
    BOTH = "both", "党员、村民代表推荐"


class ActivistOutcome(models.TextChoices):
    CONFIRMED = "confirmed", "确定为入党积极分子"
    REFUSED = "refused", "不能确定为入党积极分子"


class ActivistReview(models.Model):
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="村")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+", verbose_name="人选")
    name = models.CharField("姓名", max_length=50)
    recommended_by = models.CharField("推荐方式", max_length=16, choices=Recommendation.choices)
    held_on = models.DateField("评议会日期")
    attendees = models.PositiveIntegerField("参会人数")
    votes_for = models.PositiveIntegerField("赞成票")
    votes_against = models.PositiveIntegerField("反对票")
    abstentions = models.PositiveIntegerField("弃权票")
    approval = models.DecimalField("赞成票比例(%)", max_digits=5, decimal_places=1)
    line = models.DecimalField("线(%)", max_digits=5, decimal_places=1)
    pack_id = models.CharField("政策包", max_length=100, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=ActivistOutcome.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "入党积极分子民主评议"
        ordering = ["-held_on", "-pk"]
