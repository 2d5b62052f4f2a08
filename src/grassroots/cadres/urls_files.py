"""Routes of the files pages: the overview, files, development and use, yearly grades."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.cadres.views import development, files

urlpatterns: list[URLPattern] = [
    path("", files.home, name="home"),
    path("files/", files.cadre_list, name="list"),
    path("files/new/", files.cadre_new, name="new"),
    path("files/<int:pk>/", files.cadre_detail, name="detail"),
    path("files/<int:pk>/print/", files.cadre_print, name="print"),
    path("files/<int:pk>/edit/", files.cadre_edit, name="edit"),
    path("files/<int:pk>/leave/", files.cadre_status, name="status"),
    path("files/<int:pk>/grade/", files.grade_form, name="grade"),
    path("files/<int:pk>/training/", development.training_add, name="training_add"),
    path("files/<int:pk>/mentor/", development.mentor_add, name="mentor_add"),
    path("mentorships/<int:pk>/end/", development.mentor_end, name="mentor_end"),
    path("files/<int:pk>/tempering/", development.tempering_add, name="tempering_add"),
    path("tempering/<int:pk>/evaluate/", development.tempering_evaluate, name="tempering_evaluate"),
    path("tempering/<int:pk>/cancel/", development.tempering_cancel, name="tempering_cancel"),
    path("files/<int:pk>/moment/", development.moment_add, name="moment_add"),
    path("training/short/", development.training_short, name="training_short"),
    path("grades/", files.grades, name="grades"),
]
