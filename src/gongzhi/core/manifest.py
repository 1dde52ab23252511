"""The kernel's own entry: the home page and the access log."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import Module, NavEntry, capability, register

# the auditor (三员分立) reads it beside the audit trail (gongzhi.audit)
VIEW_ACCESS_LOG = capability("view_access_log", "查看访问日志", Role.ADMIN, Role.AUDITOR)
# the JSON API's reference (/api/docs, /api/openapi.json): every staff role, no resident
# the staff who use the platform's data (not residents, nor the auditor and security administrator,
# who read logs and account states only: 三员分立)
VIEW_API_DOCS = capability("view_api_docs", "查看接口文档",
                           *(r for r in Role if r not in (Role.RESIDENT, Role.AUDITOR, Role.SECURITY)))

MODULE = register(Module(
    name="core", label="共治核心",
    capabilities=(VIEW_ACCESS_LOG, VIEW_API_DOCS),
    urls=(("", "gongzhi.core.urls"),),
    nav=(NavEntry("首页", "core:home", order=0),
         NavEntry("访问日志", "core:access_log", order=95, capability=VIEW_ACCESS_LOG)),
))
