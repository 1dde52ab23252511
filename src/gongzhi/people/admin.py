"""Django admin is the platform operator's tool (superusers only). Sensitive
fields are never shown here; residents are changed through the services."""
from django.contrib import admin

from gongzhi.people.models import CareTag, Organisation


@admin.register(CareTag)
class CareTagAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "builtin", "sort")

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.builtin


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "registration", "community", "active")
    list_filter = ("kind", "registration")
    search_fields = ("name", "credit_code")
    raw_id_fields = ("community", "estate")
