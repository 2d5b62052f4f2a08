"""``grassroots import-divisions DIR [--under CODE]``: load the statistics bureau's divisions."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from grassroots.org.divisions import (
    DivisionImportError,
    ImportSummary,
    TerminalProgress,
    import_divisions,
)


class Command(BaseCommand):
    help = (
        "Import the National Bureau of Statistics division files (provinces.csv, cities.csv, "
        "areas.csv, streets.csv, villages.csv) from DIR into the unit tree. Idempotent; all "
        "rows are checked first and any error imports nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="directory holding the CSV files")
        parser.add_argument(
            "--under",
            metavar="CODE",
            help="import only this unit's subtree and its ancestors (e.g. 5134 for 凉山州)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"] or options["verbosity"] < 1
        with TerminalProgress(enabled=not quiet and sys.stderr.isatty()) as bar:
            try:
                summary = import_divisions(
                    options["directory"], under=options["under"], progress=bar.callback
                )
            except DivisionImportError as exc:
                for error in exc.errors:
                    self.stderr.write(str(error))
                if exc.total > len(exc.errors):
                    self.stderr.write(
                        _("… and %(count)d more errors") % {"count": exc.total - len(exc.errors)}
                    )
                raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(render_summary(summary), ending="")


def render_summary(summary: ImportSummary) -> str:
    """The summary table and the one-line totals, as text."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=_("Divisions imported"))
    for column in (_("level"), _("created"), _("updated"), _("unchanged"), _("moved")):
        table.add_column(column, justify="left" if column == _("level") else "right")
    for level in summary.levels:
        if level.present:
            table.add_row(
                level.label,
                f"{level.created:,}",
                f"{level.updated:,}",
                f"{level.unchanged:,}",
                f"{level.moved:,}",
            )
        else:
            table.add_row(level.label, "—", "—", "—", "—")
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, no_color=True, highlight=False)
    console.print(table)
    console.print(
        _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged in %(seconds).1f s")
        % {
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "seconds": summary.seconds,
        }
    )
    return buffer.getvalue()
