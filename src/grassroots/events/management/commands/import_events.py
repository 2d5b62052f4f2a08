"""``grassroots import-events FILE.xlsx|csv``: load historical events, all or nothing."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from grassroots.common.management.imports import FileImportCommand
from grassroots.events.importing import EventImportError, ImportSummary, import_events
from grassroots.events.models import EventSource
from grassroots.events.states import EventStatus
from grassroots.org.models import User

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback


class Command(FileImportCommand):
    help = (
        "Import historical events (e.g. a 12345 hotline export) from a CSV or Excel file. "
        "Every row is checked first and every problem is listed by line; any problem and "
        "nothing is imported. Columns: see grassroots/events/importing/__init__.py."
    )
    refused = EventImportError
    user_help = "the person recorded on the timeline and audit"
    user_required = False

    def add_import_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-existing",
            action="store_true",
            help="skip rows whose event number already exists (default: an error)",
        )
        parser.add_argument(
            "--source",
            default=EventSource.IMPORT,
            help="source of rows that name none: patrol, resident, hotline, open311 or "
            "import (default)",
        )

    def find_actor(self, username: str | None) -> User | None:
        """The user named ``--user`` (active or not), or nobody without one."""
        if not username:
            return None
        actor = User.objects.filter(username=username).first()
        if actor is None:
            raise CommandError(_("No user %(username)s.") % {"username": username})
        return actor

    def run_import(
        self, options: dict[str, Any], actor: User | None, progress: ProgressCallback | None
    ) -> ImportSummary:
        return import_events(
            options["file"],
            skip_existing=options["skip_existing"],
            source=options["source"],
            actor=actor,
            encoding=options["encoding"],
            sheet=options["sheet"],
            dry_run=options["dry_run"],
            progress=progress,
        )

    def render_summary(self, summary: ImportSummary) -> str:
        return render_summary(summary)


def render_summary(summary: ImportSummary) -> str:
    """The counts by status and source, and the totals, as text."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=_("Events imported from %(file)s") % {"file": summary.file})
    table.add_column(_("status"))
    table.add_column(_("events"), justify="right")
    for status, count in sorted(summary.by_status.items(), key=lambda item: -item[1]):
        table.add_row(str(EventStatus(status).label), f"{count:,}")
    sources = Table(title=_("by source"))
    sources.add_column(_("source"))
    sources.add_column(_("events"), justify="right")
    for source, count in sorted(summary.by_source.items(), key=lambda item: -item[1]):
        sources.add_row(str(EventSource(source).label), f"{count:,}")
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, no_color=True, highlight=False)
    if summary.dry_run:
        console.print(
            _("Checked %(rows)d rows: no problem; %(new)d would be imported, %(skipped)d skipped.")
            % {"rows": summary.rows, "new": summary.imported, "skipped": summary.skipped}
        )
        return buffer.getvalue()
    console.print(table)
    console.print(sources)
    if summary.ignored_columns:
        console.print(
            _("Columns ignored: %(columns)s") % {"columns": ", ".join(summary.ignored_columns)}
        )
    console.print(
        _(
            "%(rows)d rows: %(imported)d imported, %(skipped)d skipped (number already "
            "there) in %(seconds).1f s (%(rate)d events/s)"
        )
        % {
            "rows": summary.rows,
            "imported": summary.imported,
            "skipped": summary.skipped,
            "seconds": summary.seconds,
            "rate": int(summary.per_second),
        }
    )
    return buffer.getvalue()
