"""Assessment runs and their results, kept per period; satisfaction and
sense-of-security surveys with one response per resident."""
from __future__ import annotations

import datetime as dt

from django.db import models


class RunStatus(models.TextChoices):
    RUNNING = "running", "正在评估"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


STALE_AFTER = dt.timedelta(minutes=30)


class AssessmentRun(models.Model):
    """One assessment of every community under `scope` against one pack for one year."""

    pack_id = models.CharField("政策包", max_length=40)
    pack_title = models.CharField(max_length=200)
    # the exact pack the run was computed with: its pages render these rules, thresholds and
    # texts, whatever happens to the pack file afterwards
    pack_text = models.TextField("所用政策包", blank=True)
    pack_sha256 = models.CharField(max_length=64, blank=True)
    period = models.PositiveSmallIntegerField("年度")
    scope = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField("数据截至")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)  # grades, targets, timings
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # P-EVAL-2: results are published; scores and grades only, on a public page
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["pack_id", "period", "status"], name="run_pack_period")]

    @property
    def stale(self) -> bool:
        """Still 'running' long after any district-wide run ends: its process was stopped."""
        from django.utils import timezone
        return self.status == RunStatus.RUNNING and timezone.now() - self.started_at > STALE_AFTER


class Result(models.Model):
    """One indicator for one place (a community, or a street for street-level indicators)."""

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="results")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    indicator = models.CharField(max_length=60)
    value = models.FloatField(null=True)
    threshold = models.CharField(max_length=60)
    passed = models.BooleanField()
    points = models.FloatField(default=0)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "place", "indicator"], name="result_unique")]


class Grade(models.TextChoices):
    MODEL = "示范", "示范"
    QUALIFIED = "合格", "合格"
    FAILED = "不合格", "不合格"


class CommunityScore(models.Model):
    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="scores")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    grade = models.CharField(max_length=4, choices=Grade.choices)
    passed = models.PositiveSmallIntegerField(default=0)
    applicable = models.PositiveSmallIntegerField(default=0)
    missing = models.JSONField(default=list, blank=True)  # required indicators not met

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "community"], name="score_unique")]
        indexes = [models.Index(fields=["community", "run"], name="score_community")]


class SurveyKind(models.TextChoices):
    SATISFACTION = "satisfaction", "居民满意度"
    SECURITY = "security", "群众安全感"
    PROPERTY = "property", "物业服务满意度"


class SurveyState(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


# The five-point scale every question uses; 3 (基本) and above count as positive.
SCALE = {
    SurveyKind.SATISFACTION: ["非常不满意", "不满意", "基本满意", "满意", "非常满意"],
    SurveyKind.SECURITY: ["很不安全", "不安全", "基本安全", "安全", "很安全"],
    SurveyKind.PROPERTY: ["非常不满意", "不满意", "基本满意", "满意", "非常满意"],
}


class Survey(models.Model):
    title = models.CharField("标题", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=SurveyKind.choices)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="surveys",
                              verbose_name="发布范围")
    questions = models.JSONField("问题", default=list)  # ["您对社区服务总体是否满意?", ...]
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    state = models.CharField(max_length=8, choices=SurveyState.choices, default=SurveyState.DRAFT)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opens_on", "-id"]

    @property
    def scale(self) -> list[str]:
        return SCALE[self.kind]


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()  # one 1–5 per question
    score = models.FloatField()  # mean of the answers
    positive = models.BooleanField()  # score ≥ 3: 基本满意/基本安全 or better
    submitted_at = models.DateTimeField()
    entered_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text="代录纸质问卷的工作人员;居民自己填写时为空")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "resident"], name="one_response_per_resident")]
        indexes = [models.Index(fields=["community", "submitted_at"], name="response_community")]


# -- the community-worker yearly review (P-EVAL-3) ------------------------------------------
class ReviewState(models.TextChoices):
    DRAFT = "draft", "草稿"
    FINAL = "final", "已定稿"


class WorkerReview(models.Model):
    """One worker's review for one year at one post (a community or a grid): the street's score and,
    once the street finalises it, the residents' score, its sample and the weights used, kept as they
    were then so the result never changes afterwards (standards/worker_review.py)."""

    year = models.PositiveSmallIntegerField("年度")
    worker = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="社区工作者")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="岗位所在")
    street_score = models.DecimalField("街道评分", max_digits=4, decimal_places=1, null=True, blank=True)
    street_comment = models.TextField("街道评语", blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # stored when finalised; residents_score is empty when the sample was too small (样本不足)
    residents_score = models.DecimalField("群众满意度得分", max_digits=4, decimal_places=1, null=True, blank=True)
    residents_n = models.PositiveIntegerField("群众评价份数", null=True, blank=True)
    weights = models.JSONField("所用权重", default=dict, blank=True)
    combined_score = models.DecimalField("综合得分", max_digits=4, decimal_places=1, null=True, blank=True)
    state = models.CharField(max_length=8, choices=ReviewState.choices, default=ReviewState.DRAFT)
    finalised_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-year", "place__code", "worker_id"]
        constraints = [models.UniqueConstraint(fields=["year", "worker", "place"], name="worker_review_unique")]
        indexes = [models.Index(fields=["place", "year"], name="worker_review_place")]


# -- case collection (P-EVAL-8) ---------------------------------------------------------
class CallState(models.TextChoices):
    OPEN = "open", "征集中"
    REVIEWING = "reviewing", "评审中"  # not stored: an open call past its deadline (CaseCall.phase)
    CLOSED = "closed", "已汇编"


class CaseCall(models.Model):
    """A call for case studies with a deadline, e.g. 徐民基〔2015〕6号."""

    title = models.CharField("标题", max_length=100)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="征集单位")
    notice = models.TextField("通知正文", blank=True)
    topics = models.JSONField("案例内容方向", default=list)
    deadline = models.DateField("截止日期")
    words = models.PositiveIntegerField("建议字数", default=2000)
    experts = models.ManyToManyField("accounts.User", related_name="case_calls", blank=True, verbose_name="评审专家")
    state = models.CharField(max_length=10, choices=CallState.choices, default=CallState.OPEN)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deadline", "-id"]

    @property
    def phase(self) -> str:
        """征集中 until the deadline, then 评审中 until the organiser closes it as 已汇编."""
        from django.utils import timezone
        if self.state == CallState.OPEN and timezone.localdate() > self.deadline:
            return CallState.REVIEWING.label
        return self.get_state_display()


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", "已报送"
    SHORTLISTED = "shortlisted", "入围实地察看"
    SELECTED = "selected", "入选汇编"
    REJECTED = "rejected", "未入选"


class CaseSubmission(models.Model):
    call = models.ForeignKey(CaseCall, on_delete=models.PROTECT, related_name="submissions")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="案例单位")
    title = models.CharField("案例标题", max_length=100)
    topic = models.CharField("内容方向", max_length=60)
    text = models.TextField("案例正文")
    words = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=12, choices=CaseState.choices, default=CaseState.SUBMITTED)
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["call", "place__code", "id"]


class CaseAttachment(models.Model):
    submission = models.ForeignKey(CaseSubmission, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="cases/%Y/")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()


class ExpertScore(models.Model):
    """One expert's review on the notice's three criteria, 0–10 each."""

    submission = models.ForeignKey(CaseSubmission, on_delete=models.PROTECT, related_name="scores")
    expert = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    scientific = models.PositiveSmallIntegerField("科学性")
    innovative = models.PositiveSmallIntegerField("创新性")
    practical = models.PositiveSmallIntegerField("实践性")
    comment = models.TextField("评审意见", blank=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "expert"], name="one_score_per_expert")]

    @property
    def total(self) -> int:
        return self.scientific + self.innovative + self.practical


class Authenticity(models.TextChoices):
    TRUE = "true", "属实"
    MOSTLY = "mostly", "基本属实"
    FALSE = "false", "不属实"


class SiteVisit(models.Model):
    """What the working group found on site: authenticity, effect, residents' satisfaction."""

    submission = models.ForeignKey(CaseSubmission, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("察看日期")
    authenticity = models.CharField("真实性", max_length=8, choices=Authenticity.choices)
    effect = models.PositiveSmallIntegerField("实施成效(0—10)")
    satisfaction = models.PositiveSmallIntegerField("群众满意度(%)")
    findings = models.TextField("察看情况")
    visited_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")



class RegistrySnapshot(models.Model):
    """The registry's figures kept at the end of `day`, the last day of a period, for that period's runs (issue 16,
    "a snapshot taken when the period closes"): standards/closing.py takes it once, just after the period's end,
    and the runs read its figures instead of the history (standards/snapshots.py). Written once, never changed."""

    day = models.DateField("截至日期", unique=True)
    taken_at = models.DateTimeField("留存时间")
    on_time = models.BooleanField(default=False)  # taken within a day of the day's end (closing.ON_TIME)
    figures = models.PositiveIntegerField(default=0)  # the metrics kept
    left_out = models.JSONField(default=list, blank=True)  # the metrics not kept: read from today's registry, late

    class Meta:
        ordering = ["-day"]


class SnapshotFigure(models.Model):
    """One kept figure (a metric that reads the registry, not a period's count) of one community."""

    snapshot = models.ForeignKey(RegistrySnapshot, on_delete=models.PROTECT, related_name="values")
    metric = models.CharField(max_length=60)
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+")
    value = models.JSONField(null=True)  # as computed: a count stays an int (12, not 12.0), a share a float
    # how it was read when kept: "history" (as of the day) or "today" (the registry as it stood, on time only)
    source = models.CharField(max_length=10)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "metric", "community"], name="snapshot_figure_one")]
