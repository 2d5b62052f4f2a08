"""``grassroots import-tasks FILE.xlsx|csv``: load a task list with its cascade, all or
nothing (see ``grassroots.supervision.importing``)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from grassroots.common.management.imports import FileImportCommand
from grassroots.supervision.importing import ImportSummary, TaskImportError, import_tasks
from grassroots.supervision.models import TaskKind

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User


class Command(FileImportCommand):
    help = (
        "Import supervised tasks and their cascade from the supervision office's CSV or "
        "Excel sheet. Every row is checked first and every problem is listed by line and "
        "column; any problem and nothing is imported. Columns: see "
        "grassroots/supervision/importing/columns.py."
    )
    refused = TaskImportError
    user_help = "who deploys the tasks (recorded on the timeline and audit)"

    def run_import(
        self, options: dict[str, Any], actor: User, progress: ProgressCallback | None
    ) -> ImportSummary:
        return import_tasks(
            options["file"],
            actor=actor,
            encoding=options["encoding"],
            sheet=options["sheet"],
            dry_run=options["dry_run"],
            progress=progress,
        )

    def render_summary(self, summary: ImportSummary) -> str:
        return render_summary(summary)


def render_summary(summary: ImportSummary) -> str:
    """The root tasks by type and the totals, as text."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=100, no_color=True, highlight=False)
    if summary.dry_run:
        console.print(
            _("Checked %(rows)d rows: no problem; nothing was written.") % {"rows": summary.rows}
        )
        return buffer.getvalue()
    table = Table(title=_("Tasks imported from %(file)s") % {"file": summary.file})
    table.add_column(_("type"))
    table.add_column(_("tasks deployed"), justify="right")
    for kind, count in sorted(summary.by_kind.items(), key=lambda item: -item[1]):
        table.add_row(str(TaskKind(kind).label), f"{count:,}")
    console.print(table)
    if summary.ignored_columns:
        console.print(
            _("Columns ignored: %(columns)s") % {"columns": ", ".join(summary.ignored_columns)}
        )
    console.print(
        _("%(rows)d rows: %(roots)d tasks deployed, %(tasks)d tasks in all, in %(seconds).1f s")
        % {
            "rows": summary.rows,
            "roots": summary.roots,
            "tasks": summary.tasks,
            "seconds": summary.seconds,
        }
    )
    return buffer.getvalue()
