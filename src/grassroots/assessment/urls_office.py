"""The /assessment/ pages of this part (included by ``assessment.urls``): the office's
overview, catalogue, schemes and runs, a run's ranking, one unit's breakdown, the records
behind a score, the user's own results and the Excel export."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.assessment.views import office, office_results

urlpatterns: list[URLPattern] = [
    path("", office.home, name="home"),
    path("catalogue/", office.catalogue, name="catalogue"),
    path("schemes/", office.schemes, name="schemes"),
    path("schemes/<int:pk>/", office.scheme_detail, name="scheme"),
    path("runs/", office.runs, name="runs"),
    path("runs/<int:pk>/", office_results.run_detail, name="run"),
    path("runs/<int:pk>/export.xlsx", office_results.run_export, name="run_export"),
    path("runs/<int:pk>/units/<int:unit_pk>/", office_results.result_detail, name="result"),
    path("scores/<int:pk>/evidence/", office_results.evidence, name="evidence"),
    path("mine/", office_results.mine, name="mine"),
]
