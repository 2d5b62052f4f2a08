from __future__ import annotations

from django.urls import path

from grassroots.dashboards.views import board, maps

app_name = "dashboards"
urlpatterns = [
    path("", board.mine, name="mine"),
    path("<slug:code>/", board.unit, name="unit"),
    path("<slug:code>/map/", maps.unit_map, name="map"),
]
