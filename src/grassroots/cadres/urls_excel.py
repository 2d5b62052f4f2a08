"""Routes of the roster import and the exports (roster, reserve pool, training hours)."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.cadres.views import excel

urlpatterns: list[URLPattern] = [
    path("import/", excel.import_page, name="import"),
    path("import/template/", excel.import_template, name="import_template"),
    path("export/", excel.export_page, name="export"),
    path("export/roster/", excel.export_roster, name="export_roster"),
    path("export/pool/", excel.export_pool, name="export_pool"),
    path("export/training/", excel.export_training, name="export_training"),
]
