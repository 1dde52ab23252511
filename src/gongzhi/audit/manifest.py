"""The audit trail, the auditor and the security administrator (三员分立, MLPS 2.0 level 3)."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import Module, NavEntry, Panel, capability, register

# 三员分立: the auditor reads the trail (and the access log, core's view_access_log); nobody else does,
# so the system administrator whose actions it records cannot read or weed it.
VIEW_AUDIT = capability("view_audit", "查看审计日志", Role.AUDITOR)
VIEW_ALERTS = capability("view_security_alerts", "查看安全告警", Role.ADMIN, Role.SECURITY, Role.AUDITOR)
HANDLE_ALERTS = capability("handle_security_alerts", "处理安全告警", Role.ADMIN, Role.SECURITY)
# the accounts' security state: lifting sign-in locks, deactivating and reactivating accounts
MANAGE_ACCOUNT_SECURITY = capability("manage_account_security", "管理账号安全状态(解锁、停用)", Role.SECURITY)

MODULE = register(Module(
    name="audit", label="安全审计",
    capabilities=(VIEW_AUDIT, VIEW_ALERTS, HANDLE_ALERTS, MANAGE_ACCOUNT_SECURITY),
    urls=(("audit/", "gongzhi.audit.urls"),),
    nav=(NavEntry("账号安全", "audit:accounts", order=81, capability=MANAGE_ACCOUNT_SECURITY),
         NavEntry("审计日志", "audit:events", order=94, capability=VIEW_AUDIT)),
    home_panels=(Panel("audit/panel_alerts.html", "gongzhi.audit.panels.alerts", order=1,
                       capability=VIEW_ALERTS),),
))
