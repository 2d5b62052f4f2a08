"""Routes of the selection pages: vacancies, their ranking and decision, and the policy."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.cadres.views import policy, selection

urlpatterns: list[URLPattern] = [
    path("vacancies/", selection.vacancy_list, name="vacancies"),
    path("vacancies/new/", selection.vacancy_new, name="vacancy_new"),
    path("vacancies/<int:pk>/", selection.vacancy_detail, name="vacancy"),
    path("vacancies/<int:pk>/sync/", selection.vacancy_sync, name="vacancy_sync"),
    path("vacancies/<int:pk>/rank/", selection.vacancy_rank, name="vacancy_rank"),
    path("vacancies/<int:pk>/decide/", selection.vacancy_decide, name="vacancy_decide"),
    path("vacancies/<int:pk>/cancel/", selection.vacancy_cancel, name="vacancy_cancel"),
    path("policy/", policy.policy, name="policy"),
]
