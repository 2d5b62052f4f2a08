"""Staff pages of target supervision: a unit's tasks, a task's page with its forms, the
new-task form, the weekly board, livelihood projects, the evidence files, the help page."""

from __future__ import annotations

from grassroots.supervision.views.create import new_task
from grassroots.supervision.views.detail import act, task_detail
from grassroots.supervision.views.evidence import evidence_file, evidence_thumbnail
from grassroots.supervision.views.lists import board, help_page, projects, task_list

__all__ = [
    "act",
    "board",
    "evidence_file",
    "evidence_thumbnail",
    "help_page",
    "new_task",
    "projects",
    "task_detail",
    "task_list",
]
