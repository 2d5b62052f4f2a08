"""Routes of the competitions pages."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.partybuilding.views import competition_excel, judging
from grassroots.partybuilding.views import competitions as views

urlpatterns: list[URLPattern] = [
    path("competitions/", views.competition_list, name="competitions"),
    path("competitions/new/", views.competition_new, name="competition_new"),
    path("competitions/<int:pk>/", views.competition_detail, name="competition_detail"),
    path("competitions/<int:pk>/edit/", views.competition_edit, name="competition_edit"),
    path("competitions/<int:pk>/rounds/", views.competition_rounds, name="competition_rounds"),
    path("competitions/<int:pk>/entries/", views.competition_entries, name="competition_entries"),
    path(
        "competitions/<int:pk>/entries/import/",
        competition_excel.entries_import,
        name="entries_import",
    ),
    path(
        "competitions/<int:pk>/entries/template.xlsx",
        competition_excel.entries_template_download,
        name="entries_template",
    ),
    path("competitions/<int:pk>/judges/", views.competition_judges, name="competition_judges"),
    path(
        "competitions/<int:pk>/move/",
        views.competition_transition,
        name="competition_transition",
    ),
    path(
        "competitions/<int:pk>/export.xlsx",
        competition_excel.competition_export,
        name="competition_export",
    ),
    path("judging/", judging.judging, name="judging"),
    path("judging/<int:pk>/", judging.judge_sheet, name="judge_sheet"),
]
