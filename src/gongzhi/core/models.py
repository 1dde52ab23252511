from django.conf import settings
from django.db import models


class AccessAction(models.TextChoices):
    UNMASK = "unmask", "查看完整信息"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    BACKUP = "backup", "备份"
    # someone tried to register a number or household that belongs outside their scope
    PROBE = "probe", "辖区外号码登记尝试"
    LOOKUP = "lookup", "按完整号码查找"


class AccessLog(models.Model):
    """Every unmasked view and every export of personal data (kept ≥ 6 months,
    Cybersecurity Law art. 21). Append-only: no page edits or deletes it."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    username = models.CharField("账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=10, choices=AccessAction.choices)
    target = models.CharField("对象", max_length=200)
    detail = models.CharField("说明", max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("访问日志只能追加,不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("访问日志不能删除")


class AppendOnly(models.Model):
    """A record of what happened (a step of a topic or a project, a line of money): written once,
    never changed or deleted; a correction is a new record. Subclasses name themselves in the messages."""
    refuse_change = "记录不可修改"
    refuse_delete = "记录不可删除"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(self.refuse_change)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(self.refuse_delete)


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class Job(models.Model):
    """Long work (imports, exports, assessments) with progress the browser can poll."""

    kind = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    scope_place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    input_name = models.CharField(max_length=255, blank=True)
    input_path = models.CharField(max_length=500, blank=True)
    result_path = models.CharField(max_length=500, blank=True)
    total = models.PositiveIntegerField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # the queue's task that runs it (django_tasks_db.DBTaskResult id; a retry is a new task), how many
    # times it was started, and whether its owner asked to stop it (core/jobs.py)
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.processed * 100 / self.total))


class WorkerBeat(models.Model):
    """A queue worker that is alive (`gongzhi worker`): it writes `seen_at` every few seconds. A task
    still marked running by a worker whose beat stopped (kill -9, a lost machine) is put back in the
    queue by any other worker (core/jobs.py)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)


class Periodic(models.Model):
    """Work due every N seconds across all nodes (the overdue sweep): the worker that moves `next_at`
    forward with one conditional UPDATE enqueues it, so each period is enqueued once whatever the
    number of workers."""

    name = models.CharField(max_length=100, primary_key=True)
    next_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True, blank=True)


class QueueLock(models.Model):
    """A named lock in the database (works on SQLite and PostgreSQL alike): held by one holder until
    `until`, so a holder killed with kill -9 leaves a lock that expires instead of one that stays."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=100, blank=True)
    until = models.DateTimeField()
