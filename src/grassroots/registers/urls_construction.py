"""Routes of the illegal construction (乱修滥建) and disorderly relocation (无序搬迁)
register and of the zero-new-cases line, under ``/registers/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.registers.views import construction as views

urlpatterns: list[URLPattern] = [
    path("construction/", views.case_list, name="construction"),
    path("construction/new/", views.case_new, name="construction_new"),
    path("construction/<int:pk>/", views.case_detail, name="construction_detail"),
    path("construction/<int:pk>/edit/", views.case_edit, name="construction_edit"),
    path("construction/<int:pk>/move/<slug:verb>/", views.case_move, name="construction_move"),
    path("construction/<int:pk>/photos/", views.case_photos_upload, name="construction_photos"),
    path("construction/photos/<int:pk>/", views.case_photo, name="construction_photo"),
    path("construction/import/", views.ledger_import, name="construction_import"),
    path("construction/template/", views.template, name="construction_template"),
    path("construction/export/", views.export, name="construction_export"),
    path("zero-line/", views.zero_line_page, name="zero_line"),
]
