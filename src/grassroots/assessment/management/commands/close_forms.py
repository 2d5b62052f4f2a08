"""``grassroots close-forms``: run the closing job of the rating forms once, now.

Closes (as the system) every open rating form whose closing day has passed, reminds the
raters of pending sheets on forms closing today or tomorrow, and prints what it did. Safe
to run twice: what was closed or reminded today is not done again.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from grassroots.assessment.actions.rating_sweep import SweepReport, sweep_rating_forms
from grassroots.assessment.models import SheetState


class Command(BaseCommand):
    help = (
        "Close the rating forms whose closing day has passed and remind the raters of "
        "sheets not yet submitted on forms closing today or tomorrow (once a day). Safe to "
        "run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweep_rating_forms()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self._print(report)
        if report.failed:
            raise CommandError(
                _("Rating forms that could not be closed (see the log): %(ids)s")
                % {"ids": ", ".join(str(pk) for pk in report.failed)}
            )

    def _print(self, report: SweepReport) -> None:
        day = report.day.isoformat()
        if not report.closed:
            self.stdout.write(_("%(day)s: no rating form to close.") % {"day": day})
        for closed in report.closed:
            sheets = closed.sheets
            self.stdout.write(
                _(
                    "Closed “%(title)s” (%(period)s, closing day %(date)s): %(counted)d "
                    "counted, %(flagged)d flagged, %(pending)d not submitted, %(excluded)d "
                    "excluded."
                )
                % {
                    "title": closed.title,
                    "period": closed.period,
                    "date": closed.closes_on.isoformat(),
                    "counted": sheets[SheetState.SUBMITTED] + sheets[SheetState.JUSTIFIED],
                    "flagged": sheets[SheetState.FLAGGED],
                    "pending": sheets[SheetState.PENDING],
                    "excluded": sheets[SheetState.EXCLUDED],
                }
            )
        self.stdout.write(
            _(
                "%(day)s: raters reminded of a sheet not yet submitted: %(sheets)d (rating "
                "forms: %(forms)d)."
            )
            % {"day": day, "sheets": report.reminded, "forms": report.forms_reminded}
        )
