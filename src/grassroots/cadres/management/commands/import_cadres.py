"""``grassroots import-cadres FILE.xlsx|csv --user NAME``: load a cadre roster (干部花名册),
all or nothing (see ``grassroots.cadres.importing``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from grassroots.cadres.importing import CadreImportError, ImportSummary, import_cadres
from grassroots.org.divisions import TerminalProgress
from grassroots.org.models import User


class Command(BaseCommand):
    help = (
        "Import a cadre roster (CSV or Excel) as an organisation department officer. Every "
        "row is checked first and every problem is listed by line and column; any problem "
        "and nothing is imported. A row whose ID number has a file updates that file. "
        "Columns: see grassroots/cadres/importing/__init__.py."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the .csv or .xlsx file")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            required=True,
            help="who imports (cadres.manage over every row's unit; recorded in the audit log)",
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
                summary = import_cadres(
                    options["file"],
                    actor=actor,
                    encoding=options["encoding"],
                    sheet=options["sheet"],
                    dry_run=options["dry_run"],
                    progress=bar.callback,
                )
            except CadreImportError as exc:
                for error in exc.errors:
                    self.stderr.write(str(error))
                raise CommandError(str(exc)) from exc
            except PermissionDenied as exc:
                raise CommandError(
                    _("%(username)s may not manage cadres.") % {"username": actor.username}
                ) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(render_summary(summary))


def render_summary(summary: ImportSummary) -> str:
    """The counts, as one line."""
    values = {
        "file": summary.file,
        "rows": summary.rows,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "seconds": summary.seconds,
    }
    if summary.dry_run:
        return (
            _(
                "%(file)s: %(rows)d rows without problems; would create %(created)d files, "
                "update %(updated)d, leave %(unchanged)d unchanged. Nothing was written."
            )
            % values
        )
    return (
        _(
            "%(file)s: %(rows)d rows imported in %(seconds).1f s: %(created)d new files, "
            "%(updated)d updated, %(unchanged)d unchanged."
        )
        % values
    )
