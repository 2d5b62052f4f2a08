"""The /assessment/ pages of publication and appeals (included by ``assessment.urls``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.assessment.views import bulletins
from grassroots.assessment.views import publishing as views

urlpatterns: list[URLPattern] = [
    path("runs/<int:pk>/publish/", views.publish, name="publish"),
    path("runs/<int:pk>/freeze/", views.freeze, name="freeze"),
    path("runs/<int:pk>/appeal/", views.appeal_new, name="appeal_new"),
    path("runs/<int:pk>/diff/<int:other>/", views.diff, name="diff"),
    # the same page against the version it recomputed: ``{% url 'assessment:diff' run.pk %}``
    path("runs/<int:pk>/diff/", views.diff_parent, name="diff"),
    path("publications/", views.publications, name="publications"),
    path("publications/<int:pk>/bulletin/", bulletins.bulletin, name="bulletin"),
    path(
        "publications/<int:pk>/bulletin.<slug:fmt>", bulletins.bulletin_file, name="bulletin_file"
    ),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/", views.appeal, name="appeal"),
    path("appeals/<int:pk>/evidence/", views.appeal_evidence, name="appeal_evidence"),
]
