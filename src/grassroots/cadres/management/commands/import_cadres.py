"""``grassroots import-cadres FILE.xlsx|csv --user NAME``: load a cadre roster (干部花名册),
all or nothing (see ``grassroots.cadres.importing``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from grassroots.cadres.importing import CadreImportError, ImportSummary, import_cadres
from grassroots.common.management.imports import FileImportCommand

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User


class Command(FileImportCommand):
    help = (
        "Import a cadre roster (CSV or Excel) as an organisation department officer. Every "
        "row is checked first and every problem is listed by line and column; any problem "
        "and nothing is imported. A row whose ID number has a file updates that file. "
        "Columns: see grassroots/cadres/importing/__init__.py."
    )
    refused = CadreImportError
    user_help = "who imports (cadres.manage over every row's unit; recorded in the audit log)"
    summary_ending = "\n"

    def run_import(
        self, options: dict[str, Any], actor: User, progress: ProgressCallback | None
    ) -> ImportSummary:
        try:
            return import_cadres(
                options["file"],
                actor=actor,
                encoding=options["encoding"],
                sheet=options["sheet"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except PermissionDenied as exc:
            raise CommandError(
                _("%(username)s may not manage cadres.") % {"username": actor.username}
            ) from exc

    def render_summary(self, summary: ImportSummary) -> str:
        return render_summary(summary)


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
