"""``grassroots import-tasks FILE.xlsx|csv``: load a task list with its cascade, all or
nothing (see ``grassroots.supervision.importing``)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from grassroots.org.divisions import TerminalProgress
from grassroots.org.models import User
from grassroots.supervision.importing import ImportSummary, TaskImportError, import_tasks
from grassroots.supervision.models import TaskKind


class Command(BaseCommand):
    help = (
        "Import supervised tasks and their cascade from the supervision office's CSV or "
        "Excel sheet. Every row is checked first and every problem is listed by line and "
        "column; any problem and nothing is imported. Columns: see "
        "grassroots/supervision/importing/columns.py."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the .csv or .xlsx file")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            required=True,
            help="who deploys the tasks (recorded on the timeline and audit)",
        )
        parser.add_argument(
            "--encoding", default="auto", help="CSV encoding (default: UTF-8, else GB18030)"
        )
        parser.add_argument("--sheet", help="the workbook's sheet (default: the first)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file only, write nothing"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(_("No user %(username)s.") % {"username": options["user"]})
        quiet = options["quiet"] or options["verbosity"] < 1
        with TerminalProgress(enabled=not quiet and sys.stderr.isatty()) as bar:
            try:
                summary = import_tasks(
                    options["file"],
                    actor=actor,
                    encoding=options["encoding"],
                    sheet=options["sheet"],
                    dry_run=options["dry_run"],
                    progress=bar.callback,
                )
            except TaskImportError as exc:
                for error in exc.errors:
                    self.stderr.write(str(error))
                raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(render_summary(summary), ending="")


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
