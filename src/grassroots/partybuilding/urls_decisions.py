"""Routes of the decision log pages (决策在先)."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.partybuilding.views import decisions

urlpatterns: list[URLPattern] = [
    path("decisions/", decisions.decision_log_page, name="decisions"),
    path("decisions/export.xlsx", decisions.decision_log_export, name="decisions_export"),
    path("decisions/rules/", decisions.decision_rules, name="decision_rules"),
    path("decisions/<str:reference>/", decisions.decision_link, name="decision_link"),
    path("decisions/<str:reference>/unlink/", decisions.decision_unlink, name="decision_unlink"),
]
