"""Routes of the culture pages (村歌, 村史, 家训家风, 乡土文艺骨干, a village's archive)."""

from __future__ import annotations

from django.urls import URLPattern, path

from grassroots.partybuilding.views import culture, culture_files, culture_records

urlpatterns: list[URLPattern] = [
    path("culture/songs/", culture.song_list, name="songs"),
    path("culture/songs/new/", culture.song_new, name="song_new"),
    path("culture/songs/<int:pk>/", culture.song_detail, name="song_detail"),
    path("culture/songs/<int:pk>/edit/", culture.song_edit, name="song_edit"),
    path("culture/songs/<int:pk>/audio/", culture_files.song_audio, name="song_audio"),
    path("culture/history/", culture.history_list, name="histories"),
    path("culture/history/new/", culture.history_new, name="history_new"),
    path("culture/history/<int:pk>/", culture.history_detail, name="history_detail"),
    path("culture/history/<int:pk>/edit/", culture.history_edit, name="history_edit"),
    path(
        "culture/history/<int:pk>/photos/<int:photo>/",
        culture_files.history_photo,
        name="history_photo",
    ),
    path("culture/mottos/", culture_records.motto_list, name="mottos"),
    path("culture/mottos/new/", culture_records.motto_new, name="motto_new"),
    path("culture/mottos/<int:pk>/edit/", culture_records.motto_edit, name="motto_edit"),
    path("culture/mottos/import/", culture_records.mottos_import, name="mottos_import"),
    path("culture/performers/", culture_records.performer_list, name="performers"),
    path("culture/performers/new/", culture_records.performer_new, name="performer_new"),
    path(
        "culture/performers/<int:pk>/edit/",
        culture_records.performer_edit,
        name="performer_edit",
    ),
    path(
        "culture/performers/import/",
        culture_records.performers_import,
        name="performers_import",
    ),
    path("culture/villages/<str:code>/", culture.village_archive, name="village_archive"),
]
