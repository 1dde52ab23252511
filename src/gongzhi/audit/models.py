"""The audit trail of administrative and security events (MLPS 2.0 level 3, 安全审计).

Append-only: a row is never changed or deleted through the ORM (`save` of an existing row,
`delete`, `QuerySet.update/delete` all refuse), and the database refuses it too: a trigger
(PostgreSQL and SQLite, migration 0002) stops UPDATE always and DELETE of any row younger than
the legal retention (Cybersecurity Law art. 21: six months). The retention purge
(`gongzhi purge_audit_log`) is the one delete, of older rows only.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone

# Cybersecurity Law art. 21: network logs are kept no less than six months (the triggers name it too).
MIN_RETENTION_DAYS = 183
ERR_APPEND_ONLY = "审计日志只能追加,不能修改或删除"


class AuditKind(models.TextChoices):
    SIGN_IN = "signin", "登录"
    ADMIN = "admin", "管理操作"
    ALERT = "alert", "安全告警"


class AuditAction(models.TextChoices):
    # sign-in (kind signin)
    LOGIN = "login", "登录成功"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出登录"
    ACCOUNT_LOCKED = "account_locked", "账号在该来源被锁定"
    LOGIN_THROTTLED = "login_throttled", "来源地址登录失败过多,暂停登录"
    # accounts and posts
    ACCOUNT_CREATE = "account_create", "创建账号"
    ACCOUNT_DEACTIVATE = "account_deactivate", "停用账号"
    ACCOUNT_ACTIVATE = "account_activate", "启用账号"
    ACCOUNT_UNLOCK = "account_unlock", "解除登录锁定"
    PASSWORD_CHANGE = "password_change", "修改本人密码"
    PASSWORD_RESET = "password_reset", "重置他人密码"
    TWO_FACTOR_ON = "two_factor_on", "启用两步验证"
    TWO_FACTOR_OFF = "two_factor_off", "停用或重置两步验证"
    POST_GIVE = "post_give", "授予岗位"
    POST_CHANGE = "post_change", "变更岗位"
    POST_END = "post_end", "撤销岗位"
    # the work-order catalogue and the working-day calendar
    CATEGORY_CREATE = "category_create", "新增工单类别"
    CATEGORY_EDIT = "category_edit", "修改工单类别"
    CALENDAR_SET = "calendar_set", "设置工作日历"
    CALENDAR_REMOVE = "calendar_remove", "删除工作日历设置"
    # the standards engine
    PACK_CHANGE = "pack_change", "政策包内容变更"
    RUN_START = "run_start", "发起评估"
    RUN_PUBLISH = "run_publish", "公示评估结果"
    RUN_UNPUBLISH = "run_unpublish", "撤下评估公示"
    # the places the modules run (care's stations and 残疾人之家): set up, changed, closed, and their staff accounts
    FACILITY_CREATE = "facility_create", "设立服务场所"
    FACILITY_EDIT = "facility_edit", "修改服务场所"
    FACILITY_CLOSE = "facility_close", "停办服务场所"
    STAFF_BIND = "staff_bind", "绑定服务场所工作人员账号"
    STAFF_END = "staff_end", "结束服务场所工作人员账号绑定"
    # keys, backups, logs
    APIKEY_CREATE = "apikey_create", "签发 API 密钥"
    APIKEY_REVOKE = "apikey_revoke", "停用 API 密钥"
    BACKUP = "backup", "备份数据库"
    RESTORE = "restore", "恢复数据库"
    KEY_ROTATE = "key_rotate", "更换加密密钥后重新加密"
    ACCESS_LOG_PURGE = "access_log_purge", "清理访问日志"
    AUDIT_PURGE = "audit_purge", "清理审计日志"
    # alerts (kind alert) and their handling
    ALERT_ACCOUNT = "alert_account", "告警:同一账号连续登录失败"
    ALERT_SOURCE = "alert_source", "告警:同一来源地址连续登录失败"
    ALERT_ACK = "alert_ack", "告警已处理"


SIGN_IN_ACTIONS = {AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.LOGOUT, AuditAction.ACCOUNT_LOCKED,
                   AuditAction.LOGIN_THROTTLED}
ALERT_ACTIONS = {AuditAction.ALERT_ACCOUNT, AuditAction.ALERT_SOURCE}


def kind_of(action: str) -> str:
    if action in ALERT_ACTIONS:
        return AuditKind.ALERT
    return AuditKind.SIGN_IN if action in SIGN_IN_ACTIONS else AuditKind.ADMIN


class Outcome(models.TextChoices):
    OK = "ok", "成功"
    FAILED = "failed", "失败"
    REFUSED = "refused", "被拒绝"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(ERR_APPEND_ONLY)

    def delete(self):
        raise PermissionError(ERR_APPEND_ONLY)

    def bulk_update(self, *args, **kwargs):
        raise PermissionError(ERR_APPEND_ONLY)

    def update_or_create(self, *args, **kwargs):
        raise PermissionError(ERR_APPEND_ONLY)


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # no database constraint: the trail outlives the accounts it names (username and name are kept as they were)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                              db_constraint=False, related_name="+")
    actor_username = models.CharField("账号", max_length=150, blank=True)  # a failed sign-in: the name tried
    actor_name = models.CharField("姓名", max_length=50, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    kind = models.CharField("类别", max_length=10, choices=AuditKind.choices)
    action = models.CharField("操作", max_length=30, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=40, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_label = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices, default=Outcome.OK)
    detail = models.CharField("说明", max_length=500, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计事件"
        indexes = [
            # the throttle and the alerts count recent failures per source and per account
            models.Index(fields=["action", "ip", "at"], name="audit_action_ip_at"),
            models.Index(fields=["action", "actor_username", "at"], name="audit_action_user_at"),
            models.Index(fields=["kind", "at"], name="audit_kind_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise PermissionError(ERR_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(ERR_APPEND_ONLY)

    @property
    def is_alert(self) -> bool:
        return self.kind == AuditKind.ALERT
