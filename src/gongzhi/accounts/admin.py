from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from gongzhi.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("place",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (("共治", {"fields": ("display_name", "resident")}),
                                           ("登录安全", {"fields": ("must_change_password", "password_changed_at")}))
    readonly_fields = ("password_changed_at",)
    raw_id_fields = ("resident",)
    list_display = ("username", "display_name", "is_active", "last_login", "must_change_password")
    inlines = [RoleAssignmentInline]
