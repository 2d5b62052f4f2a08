"""Routes of the error-tolerance pages (容错纠错)."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.cadres.views import tolerance

urlpatterns: list[URLPattern] = [
    path("tolerance/", tolerance.tolerance_list, name="tolerance"),
    path("tolerance/new/", tolerance.tolerance_new, name="tolerance_new"),
    path("tolerance/<int:pk>/", tolerance.tolerance_case, name="tolerance_case"),
    path("tolerance/<int:pk>/<slug:verb>/", tolerance.tolerance_act, name="tolerance_act"),
]
