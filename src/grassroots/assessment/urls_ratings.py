"""The /assessment/ pages of this part (included by ``assessment.urls``): rating forms and
sheets (民主测评, 领导评价) and manual entries with evidence."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.assessment.views import entries, ratings

urlpatterns: list[URLPattern] = [
    path("forms/", ratings.form_list, name="forms"),
    path("forms/new/", ratings.form_new, name="form_new"),
    path("forms/<int:pk>/", ratings.form_detail, name="form"),
    path("forms/<int:pk>/sheet/", ratings.sheet_page, name="sheet"),
    path("entries/", entries.entries, name="entries"),
    path("entries/<int:pk>/evidence/", entries.entry_evidence, name="entry_evidence"),
]
