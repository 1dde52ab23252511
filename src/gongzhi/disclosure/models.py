"""The disclosure board (居务公开, P-GOV-4; seed 002(2) 二(三)2): what a community publishes
under the four categories, each refreshed within its period (a quarter unless set otherwise).

An item is published once and never edited or deleted: a wrong one is withdrawn (撤下) with a
reason, and stays in the record with who and when. Every item writes its row of the community's
ledger (`ledgers.Disclosure`, source ``disclosure.item``) through `ledgers.services.write_from`, so
the book is never typed twice; a withdrawal voids that row."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from gongzhi.ledgers.models import DisclosureKind

TITLE_MAX = 60
BODY_MAX = 5000
REASON_MAX = 100
DEFAULT_REFRESH_MONTHS = 3
REFRESH_CHOICES = ((1, "每月"), (3, "每季度"), (6, "每半年"), (12, "每年"))
LEDGER_SOURCE = "disclosure.item"

# the P-GOV-4 categories are the ledger's: one list, the book and the board agree
Category = DisclosureKind


class CategoryRule(models.Model):
    """How often a category must be refreshed. A category without a row is refreshed quarterly
    (P-GOV-4); the district's administrator may set another period in the admin."""
    category = models.CharField("公开类别", max_length=12, choices=Category.choices, unique=True)
    refresh_months = models.PositiveSmallIntegerField("更新周期", choices=REFRESH_CHOICES,
                                                      default=DEFAULT_REFRESH_MONTHS)

    class Meta:
        verbose_name = "公开类别更新周期"
        verbose_name_plural = verbose_name
        constraints = [models.CheckConstraint(condition=Q(refresh_months__in=(1, 3, 6, 12)),
                                              name="disclosure_refresh_months")]

    def __str__(self):
        return f"{self.get_category_display()}({self.get_refresh_months_display()})"


class ItemQuerySet(models.QuerySet):
    def live(self):
        return self.filter(withdrawn_at__isnull=True)


class Item(models.Model):
    """One posting on a community's board."""
    community = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    category = models.CharField("公开类别", max_length=12, choices=Category.choices)
    title = models.CharField("标题", max_length=TITLE_MAX)
    body = models.TextField("内容")
    period_start = models.DateField("公开期间自")
    period_end = models.DateField("公开期间至")
    attachment = models.FileField("附件", upload_to="disclosure/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=120, blank=True)
    attachment_type = models.CharField(max_length=60, blank=True)
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="发布人")
    # an item another module published: which module's record (e.g. "governance.topic", 42)
    source = models.CharField("来源", max_length=40, blank=True)
    source_pk = models.PositiveBigIntegerField(null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="撤下人")
    withdraw_reason = models.CharField("撤下原因", max_length=REASON_MAX, blank=True)
    history = HistoricalRecords()

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = "居务公开事项"
        verbose_name_plural = verbose_name
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["community", "category", "-published_at"], name="disclosure_item_board")]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="disclosure_item_period"),
            # a record of another module is on the board at most once at a time
            models.UniqueConstraint(fields=["source", "source_pk"], name="disclosure_item_one_per_source",
                                    condition=~Q(source="") & Q(withdrawn_at__isnull=True)),
        ]

    def __str__(self):
        return self.title

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def delete(self, *args, **kwargs):
        raise ValueError("居务公开事项不可删除,只能撤下")
