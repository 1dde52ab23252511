from django.urls import path

from gongzhi.places import views

app_name = "places"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("map/", views.grid_map, name="map"),
    path("map/grids.geojson", views.grid_geojson, name="geojson"),
    path("<str:code>/", views.detail, name="detail"),
]
