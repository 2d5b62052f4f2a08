"""The /assessment/ pages: the office's (catalogue, schemes, runs, explanations, export),
the rating forms and manual entries, and appeals and publications."""

from __future__ import annotations

from grassroots.assessment import urls_office, urls_publishing, urls_ratings

app_name = "assessment"
urlpatterns = [*urls_office.urlpatterns, *urls_ratings.urlpatterns, *urls_publishing.urlpatterns]
