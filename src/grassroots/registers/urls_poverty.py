"""Routes of poverty-relapse monitoring (防返贫监测)."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.registers.views import poverty

urlpatterns: list[URLPattern] = [
    path("monitoring/", poverty.monitor_list, name="monitoring"),
    path("monitoring/new/", poverty.monitor_new, name="monitor_new"),
    path("monitoring/late/", poverty.monitor_late, name="monitor_late"),
    path("monitoring/import/", poverty.monitor_import, name="monitor_import"),
    path("monitoring/template/", poverty.monitor_template_download, name="monitor_template"),
    path("monitoring/export/", poverty.monitor_export, name="monitor_export"),
    path("monitoring/<int:pk>/", poverty.monitor_detail, name="monitor_detail"),
    path("monitoring/<int:pk>/review/", poverty.monitor_review, name="monitor_review"),
    path("monitoring/<int:pk>/assist/", poverty.monitor_assist, name="monitor_assist"),
]
