from __future__ import annotations

from django.urls import path

from grassroots.supervision import views
from grassroots.supervision.views import excel

app_name = "supervision"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.new_task, name="new"),
    path("board/", views.board, name="board"),
    path("projects/", views.projects, name="projects"),
    path("help/", views.help_page, name="help"),
    path("export/", excel.export_list, name="export_list"),
    path("import/", excel.import_page, name="import"),
    path("import/template/", excel.import_template, name="import_template"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/thumb/", views.evidence_thumbnail, name="evidence_thumb"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/export/", excel.export_task, name="export"),
    path("<int:pk>/<slug:verb>/", views.act, name="act"),
]
