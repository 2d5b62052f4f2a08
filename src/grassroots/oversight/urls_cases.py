"""Routes of the oversight cases and the committee's audit trail."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.oversight.views import cases, trail

urlpatterns: list[URLPattern] = [
    path("", cases.case_list, name="home"),
    path("export.xlsx", cases.export, name="export"),
    path("cases/new/", cases.case_new, name="case_new"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/request/", cases.case_request, name="case_request"),
    path("cases/<int:pk>/respond/", cases.case_respond, name="case_respond"),
    path("cases/<int:pk>/return/", cases.case_return, name="case_return"),
    path("cases/<int:pk>/close/", cases.case_close, name="case_close"),
    path("cases/<int:pk>/dismiss/", cases.case_dismiss, name="case_dismiss"),
    path("files/<int:pk>/", cases.evidence_file, name="evidence_file"),
    path("audit/", trail.audit_trail, name="audit_trail"),
]
