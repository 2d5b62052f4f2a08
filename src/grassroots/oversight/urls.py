"""Pages of the oversight committees under ``/oversight/``."""

from __future__ import annotations

from grassroots.oversight import urls_cases, urls_flags

app_name = "oversight"

urlpatterns = [
    *urls_cases.urlpatterns,
    *urls_flags.urlpatterns,
]
