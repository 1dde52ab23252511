from gongzhi.accounts.models import Capability, Role


def scope(request):
    s = getattr(request, "scope", None)
    if s is None or not request.user.is_authenticated:
        return {"scope": s}
    return {
        "scope": s,
        "role_label": Role(s.primary_role).label if s.primary_role else "未分配角色",
        "perms_view_people": s.can(Capability.VIEW_PEOPLE),
        "perms_import": s.can(Capability.IMPORT),
        "perms_export": s.can(Capability.EXPORT),
        "perms_unmask": s.can(Capability.UNMASK),
        "perms_edit": s.can(Capability.EDIT_PEOPLE),
        "perms_access_log": s.can(Capability.VIEW_ACCESS_LOG),
        "perms_accounts": s.can(Capability.MANAGE_ACCOUNTS),
        "perms_catalogue": s.can(Capability.EDIT_CATALOGUE),
        # the unified assessment belongs to the civil-affairs line, not to departments (P-DUTY-4)
        "perms_standards": bool(s.roles - {Role.DEPARTMENT, Role.RESIDENT}),
    }
