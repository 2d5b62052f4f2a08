"""Pages of party building and culture under ``/partybuilding/``: one module of routes per
area."""

from __future__ import annotations

from grassroots.partybuilding import (
    urls_competitions,
    urls_culture,
    urls_decisions,
    urls_home,
    urls_meetings,
    urls_venues,
)

app_name = "partybuilding"

urlpatterns = [
    *urls_home.urlpatterns,
    *urls_meetings.urlpatterns,
    *urls_decisions.urlpatterns,
    *urls_venues.urlpatterns,
    *urls_culture.urlpatterns,
    *urls_competitions.urlpatterns,
]
