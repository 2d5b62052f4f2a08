from __future__ import annotations

from django.urls import path

from grassroots.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.new_task, name="new"),
    path("board/", views.board, name="board"),
    path("projects/", views.projects, name="projects"),
    path("help/", views.help_page, name="help"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/thumb/", views.evidence_thumbnail, name="evidence_thumb"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/<slug:verb>/", views.act, name="act"),
]
