"""Pages of the registers under ``/registers/``: one module of routes per register."""

from __future__ import annotations

from grassroots.registers import (
    urls_construction,
    urls_home,
    urls_homesteads,
    urls_income,
    urls_poverty,
    urls_windows,
)

app_name = "registers"

urlpatterns = [
    *urls_home.urlpatterns,
    *urls_homesteads.urlpatterns,
    *urls_construction.urlpatterns,
    *urls_windows.urlpatterns,
    *urls_poverty.urlpatterns,
    *urls_income.urlpatterns,
]
