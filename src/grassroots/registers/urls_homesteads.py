"""Routes of the homestead register (宅基地, 一户一宅) and of the registers' policy page."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.registers.views import homesteads, homesteads_cases, homesteads_excel, policy

urlpatterns: list[URLPattern] = [
    path("homesteads/", homesteads.homestead_list, name="homesteads"),
    path("homesteads/new/", homesteads.homestead_new, name="homestead_new"),
    path("homesteads/<int:pk>/", homesteads.homestead_detail, name="homestead_detail"),
    path("homesteads/<int:pk>/edit/", homesteads.homestead_edit, name="homestead_edit"),
    path("homesteads/<int:pk>/retire/", homesteads.homestead_retire, name="homestead_retire"),
    path("homesteads/check/", homesteads.homestead_check, name="homestead_check"),
    path("homesteads/cases/", homesteads_cases.case_list, name="homestead_cases"),
    path("homesteads/cases/<int:pk>/", homesteads_cases.case_detail, name="homestead_case"),
    path("homesteads/cases/<int:pk>/move/", homesteads_cases.case_move, name="homestead_case_move"),
    path("homesteads/import/", homesteads_excel.import_page, name="homestead_import"),
    path(
        "homesteads/import/template/",
        homesteads_excel.import_template,
        name="homestead_template",
    ),
    path("homesteads/export/", homesteads_excel.export, name="homestead_export"),
    path("policy/", policy.policy, name="policy"),
]
