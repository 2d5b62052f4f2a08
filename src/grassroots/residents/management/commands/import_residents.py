"""``grassroots import_residents FILE.xlsx|csv --user NAME``: load a household register
(户籍人口台账), all or nothing (see ``grassroots.residents.importing.households``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from grassroots.common.management.imports import FileImportCommand
from grassroots.residents.importing.households import (
    HouseholdImportError,
    ImportSummary,
    import_households,
)

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User


class Command(FileImportCommand):
    help = (
        "Import a household register (CSV or Excel, one row per person). Every row is "
        "checked first and every problem is listed by line and column; any problem and "
        "nothing is imported. Households are matched by village and number, people by ID "
        "number. Columns: see grassroots/residents/importing/households.py."
    )
    refused = HouseholdImportError
    user_help = "who imports (residents.import over every row's grid; recorded in the audit log)"
    summary_ending = "\n"

    def run_import(
        self, options: dict[str, Any], actor: User, progress: ProgressCallback | None
    ) -> ImportSummary:
        try:
            return import_households(
                options["file"],
                actor=actor,
                encoding=options["encoding"],
                sheet=options["sheet"],
                dry_run=options["dry_run"],
                progress=progress,
            )
        except PermissionDenied as exc:
            raise CommandError(
                _("%(username)s may not import household registers.") % {"username": actor.username}
            ) from exc

    def render_summary(self, summary: ImportSummary) -> str:
        values = {
            "file": summary.file,
            "rows": summary.rows,
            "h_new": summary.households_created,
            "h_updated": summary.households_updated,
            "new": summary.residents_created,
            "updated": summary.residents_updated,
            "unchanged": summary.residents_unchanged,
            "seconds": summary.seconds,
        }
        if summary.dry_run:
            return (
                _(
                    "%(file)s: %(rows)d rows without problems; would create %(h_new)d "
                    "households and update %(h_updated)d; people: %(new)d new, %(updated)d "
                    "updated, %(unchanged)d unchanged. Nothing was written."
                )
                % values
            )
        return (
            _(
                "%(file)s: %(rows)d rows imported in %(seconds).1f s: households %(h_new)d "
                "new, %(h_updated)d updated; people %(new)d new, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
            % values
        )
