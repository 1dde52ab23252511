from django.contrib import admin

from gongzhi.places.models import Building, Dwelling, Estate, Facility, GridStaff, Place


class GridStaffInline(admin.TabularInline):
    model = GridStaff
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "area_kind", "community_type", "grid_kind")
    list_filter = ("level", "area_kind", "community_type", "grid_kind")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("path",)
    inlines = [GridStaffInline]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("community", "service_area_m2", "station_area_m2", "publicity_boards", "disclosure_boards")
    raw_id_fields = ("community",)


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "grid")
    search_fields = ("name",)
    raw_id_fields = ("community", "grid")


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ("estate", "number", "grid")
    raw_id_fields = ("estate", "community", "grid")


@admin.register(Dwelling)
class DwellingAdmin(admin.ModelAdmin):
    list_display = ("code", "address", "grid")
    search_fields = ("code", "address")
    raw_id_fields = ("building", "community", "grid")
