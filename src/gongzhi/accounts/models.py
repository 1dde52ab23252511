"""Users and their role assignments. A role at a place is the data scope."""
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    ADMIN = "admin", "市/区管理员"
    STREET = "street", "街道干部"
    COMMUNITY = "community", "社区工作者"
    GRID = "grid", "网格员"
    DEPARTMENT = "department", "职能部门"
    RESIDENT = "resident", "居民"
    # 三员分立 (MLPS level 3): reads the audit trail and the access log, nothing else
    AUDITOR = "auditor", "审计员"
    # 三员分立: the accounts' security state (unlocks, deactivations) and the security alerts
    SECURITY = "security", "安全管理员"
    # staff of a social organisation, care station or property firm working in the community: each module
    # binds the account to its organisation and shows only that organisation's records
    PROVIDER = "provider", "服务机构人员"


# Where in the territory each role may be assigned.
ROLE_LEVELS = {
    Role.ADMIN: {"district"},
    Role.STREET: {"street"},
    Role.COMMUNITY: {"community"},
    Role.GRID: {"grid"},
    Role.DEPARTMENT: {"district", "street"},
    Role.RESIDENT: {"community", "grid"},
    Role.AUDITOR: {"district"},
    Role.SECURITY: {"district"},
    Role.PROVIDER: {"street", "community"},
}


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    # A resident account is bound to the person it represents.
    resident = models.OneToOneField("people.Resident", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="account")
    # Set when an administrator gives the password (a new account, a reset): the owner must choose their own
    # before anything else (accounts.middleware.SignInSecurityMiddleware). Demo accounts leave it off.
    must_change_password = models.BooleanField("须修改初始密码", default=False)
    # For the expiry rule (GONGZHI_PASSWORD_MAX_AGE_DAYS); every set_password moves it.
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    def __str__(self):
        return self.display_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class PasswordHistory(models.Model):
    """The hashes of a user's last passwords (accounts.passwords.PasswordHistoryValidator keeps
    GONGZHI_PASSWORD_HISTORY of them): a new password may not repeat one."""
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField("角色", max_length=12, choices=Role.choices)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="assignments")
    department = models.CharField("部门", max_length=50, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role", "place"], name="assignment_unique")]

    def __str__(self):
        return f"{self.get_role_display()}@{self.place}"

