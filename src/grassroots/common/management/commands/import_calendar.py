"""``grassroots import-calendar FILE --year 2027 [--complete]``: one year of the official
calendar (holidays and make-up workdays) from the State Council notice, typed as CSV or
.xlsx (see ``grassroots.common.calendar_io`` for the format).

All or nothing: a file with any problem lists every problem with its line and column,
writes nothing and exits non-zero. Importing again replaces that year's days.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from grassroots.common.actions import import_calendar_year
from grassroots.common.calendar_io import CalendarImportError, RowError, read_calendar_file


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("--published must be a date like 2026-11-20.")) from exc


class Command(BaseCommand):
    help = (
        "Import one year of China's official calendar (holidays 休 and make-up workdays 班) "
        "from a CSV or .xlsx file with the header date,kind,name."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the .csv (UTF-8) or .xlsx file")
        parser.add_argument("--year", type=int, required=True, help="the notice's year")
        parser.add_argument(
            "--complete",
            action="store_true",
            help="the file holds the whole notice: the year counts as covered",
        )
        parser.add_argument(
            "--source",
            default="",
            help="where the dates come from, e.g. 国办发明电〔2026〕x号 (default: file name)",
        )
        parser.add_argument("--published", default="", help="the notice's date, YYYY-MM-DD")
        parser.add_argument("--actor", default="", help="username recorded in the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        year: int = options["year"]
        published = _date(options["published"]) if options["published"] else None
        actor = None
        if options["actor"]:
            from django.contrib.auth import get_user_model

            user_model = get_user_model()
            actor = user_model.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(_("No user %(name)s.") % {"name": options["actor"]})
        try:
            rows = read_calendar_file(path, year=year)
            result = import_calendar_year(
                rows,
                year=year,
                complete=options["complete"],
                actor=actor,
                source=options["source"] or _("file %(name)s") % {"name": path.name},
                published=published,
            )
        except CalendarImportError as exc:
            self._report(exc.errors)
            raise CommandError(
                _("Nothing was imported: %(count)d problem(s) in %(file)s.")
                % {"count": len(exc.errors), "file": path}
            ) from exc
        message = _(
            "Imported %(year)d: %(holidays)d day(s) off, %(workdays)d make-up workday(s); "
            "%(replaced)d earlier day(s) replaced."
        ) % {
            "year": result.year,
            "holidays": result.holidays,
            "workdays": result.workdays,
            "replaced": result.replaced,
        }
        self.stdout.write(self.style.SUCCESS(message))
        if result.complete:
            self.stdout.write(_("%(year)d is marked complete.") % {"year": result.year})
        else:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "%(year)d is not marked complete (use --complete once the file holds "
                        "the whole notice)."
                    )
                    % {"year": result.year}
                )
            )

    def _report(self, errors: list[RowError]) -> None:
        for error in errors:
            self.stderr.write(str(error))
