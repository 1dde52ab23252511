from django.urls import path

from gongzhi.places import views

app_name = "places"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("map/", views.grid_map, name="map"),
    path("map/grids.geojson", views.grid_geojson, name="geojson"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/facility/", views.facility_edit, name="facility_edit"),
    path("<str:code>/zone/", views.city_zone_edit, name="city_zone_edit"),
    path("<str:code>/founded/", views.founded_edit, name="founded_edit"),
    path("<str:code>/staff/new/", views.staff_add, name="staff_add"),
    path("<str:code>/staff/<int:staff_id>/remove/", views.staff_remove, name="staff_remove"),
]
