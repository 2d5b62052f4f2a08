"""``grassroots backup``: a consistent snapshot of the database and the attachments
(``common.backup``), while the site runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from grassroots.common import backup


class Progress:
    """Prints "what done/total" at most every two seconds, and the last count."""

    def __init__(self, command: BaseCommand, quiet: bool) -> None:
        self.command = command
        self.quiet = quiet
        self.last = 0.0

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self.quiet or (done < total and now - self.last < 2):
            return
        self.last = now
        labels = {
            "database": _("database"),
            "files": _("attachments"),
            "verify": _("checked files"),
        }
        self.command.stdout.write(f"  {labels.get(what, what)}: {done}/{total}")


class Command(BaseCommand):
    help = (
        "Write a snapshot of the database and the attachments with a manifest of checksums "
        "(default DATA_DIR/backups/grassroots-<time>). The field keys are not included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="the snapshot directory to create (must not exist)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] < 1
        started = time.monotonic()
        try:
            path, manifest = backup.create_snapshot(
                options["output"], progress=Progress(self, quiet)
            )
        except backup.SnapshotError as exc:
            raise CommandError(str(exc)) from exc
        if quiet:
            self.stdout.write(str(path))
            return
        self.stdout.write(
            _("Snapshot written to %(path)s in %(seconds).1f s: %(what)s")
            % {
                "path": path,
                "seconds": time.monotonic() - started,
                "what": backup.describe(manifest),
            }
        )
        self.stderr.write(
            _(
                "Warning: the snapshot does not hold the field keys that encrypt personal data "
                "(GRASSROOTS_FIELD_KEYS or DATA_DIR/field_key). Keep them separately and safely: "
                "without them the restored ID numbers and phones cannot be read."
            )
        )
