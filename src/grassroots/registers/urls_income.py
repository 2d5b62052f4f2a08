"""Routes of the village collective economy (村集体经济)."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.registers.views import income

urlpatterns: list[URLPattern] = [
    path("income/", income.income_list, name="income"),
    path("income/target/", income.income_target, name="income_target"),
    path("income/import/", income.income_import, name="income_import"),
    path("income/template/", income.income_template_download, name="income_template"),
    path("income/export/", income.income_export, name="income_export"),
    path("income/<str:code>/<int:year>/", income.income_edit, name="income_edit"),
]
