from django.contrib import admin

from gongzhi.disclosure.models import CategoryRule


@admin.register(CategoryRule)
class CategoryRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "refresh_months")
