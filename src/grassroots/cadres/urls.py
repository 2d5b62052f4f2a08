"""Cadres pages under ``/cadres/``: one module of routes per part of the work."""

from __future__ import annotations

from grassroots.cadres import (
    urls_excel,
    urls_files,
    urls_pool,
    urls_selection,
    urls_tolerance,
)

app_name = "cadres"

urlpatterns = [
    *urls_files.urlpatterns,
    *urls_pool.urlpatterns,
    *urls_selection.urlpatterns,
    *urls_tolerance.urlpatterns,
    *urls_excel.urlpatterns,
]
