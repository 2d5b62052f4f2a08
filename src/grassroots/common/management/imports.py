"""The frame of the commands that import a checked file (``grassroots import-events``,
``import-tasks``, ``import-cadres``): the file and the options every one takes (``--user``,
``--encoding``, ``--sheet``, ``--dry-run``, ``--quiet``), the progress bar on a terminal,
every problem of a refused file on standard error before the command fails, and the
summary on standard output.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from grassroots.common.tabular import ImportRefused

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User


class FileImportCommand(BaseCommand):
    """A command importing one file, all or nothing. A subclass names its refusal
    (``refused``), runs the import (``run_import``) and tells its summary
    (``render_summary``); it may add arguments (``add_import_arguments``, before
    ``--user``)."""

    #: What the import raises when the file has problems.
    refused: type[ImportRefused] = ImportRefused
    #: The help of ``--user``.
    user_help = "who imports (recorded in the audit log)"
    #: Whether ``--user`` must be given.
    user_required = True
    #: What follows the summary on standard output.
    summary_ending = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the .csv or .xlsx file")
        self.add_import_arguments(parser)
        parser.add_argument(
            "--user", metavar="USERNAME", required=self.user_required, help=self.user_help
        )
        parser.add_argument(
            "--encoding", default="auto", help="CSV encoding (default: UTF-8, else GB18030)"
        )
        parser.add_argument("--sheet", help="the workbook's sheet (default: the first)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file only, write nothing"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def add_import_arguments(self, parser: CommandParser) -> None:
        """This import's own arguments (none)."""

    def find_actor(self, username: str | None) -> User | None:
        """The active user named ``--user``; CommandError when there is none."""
        from grassroots.org.models import User

        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(_("No user %(username)s.") % {"username": username})
        return actor

    def run_import(
        self, options: dict[str, Any], actor: Any, progress: ProgressCallback | None
    ) -> Any:
        """Import ``options["file"]`` as ``actor`` (``find_actor``'s); its summary."""
        raise NotImplementedError

    def render_summary(self, summary: Any) -> str:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        from grassroots.org.divisions import TerminalProgress

        actor = self.find_actor(options["user"])
        quiet = options["quiet"] or options["verbosity"] < 1
        with TerminalProgress(enabled=not quiet and sys.stderr.isatty()) as bar:
            try:
                summary = self.run_import(options, actor, bar.callback)
            except self.refused as exc:
                for error in exc.errors:
                    self.stderr.write(str(error))
                raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(self.render_summary(summary), ending=self.summary_ending)
