"""Pages of the residents app under ``/residents/``: one module of routes per part of the
work."""

from __future__ import annotations

from grassroots.residents import urls_care, urls_places

app_name = "residents"

urlpatterns = [
    *urls_places.urlpatterns,
    *urls_care.urlpatterns,
]
