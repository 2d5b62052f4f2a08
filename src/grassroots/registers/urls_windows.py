"""Routes of the 邛海天窗 register."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.registers.views import windows

urlpatterns: list[URLPattern] = [
    path("windows/", windows.window_list, name="windows"),
    path("windows/new/", windows.window_new, name="window_new"),
    path("windows/map/", windows.window_map, name="window_map"),
    path("windows/import/", windows.window_import, name="window_import"),
    path("windows/template/", windows.window_template_download, name="window_template"),
    path("windows/export/", windows.window_export, name="window_export"),
    path("windows/<int:pk>/", windows.window_detail, name="window_detail"),
    path("windows/<int:pk>/edit/", windows.window_edit, name="window_edit"),
    path("windows/<int:pk>/restore/", windows.window_restore, name="window_restore"),
]
