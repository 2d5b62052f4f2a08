"""``grassroots restore SNAPSHOT``: put a snapshot of ``grassroots backup`` back
(``common.backup``). Every checksum is verified before anything is touched; the current
database is replaced, so the command asks for the database's name (or ``--yes``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from grassroots.common import backup
from grassroots.common.management.commands.backup import Progress


class Command(BaseCommand):
    help = (
        "Restore a snapshot made by `grassroots backup`: verify every checksum, then replace "
        "the database and add the attachments back. Stop the site and the worker first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("snapshot", type=Path, help="the snapshot directory")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="do not ask: replace the configured database without a confirmation",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only verify the snapshot and whether it fits this site; change nothing",
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="do not run the migrations after restoring a snapshot of an older schema",
        )
        parser.add_argument(
            "--skip-key-check",
            action="store_true",
            help="restore even when the snapshot's field keys are not among the current ones",
        )

    def _database_name(self) -> str:
        return str(connections["default"].settings_dict.get("NAME") or "")

    def _confirm(self, manifest: dict[str, Any]) -> bool:
        name = self._database_name()
        self.stdout.write(
            _(
                "This replaces ALL the data of the database %(name)s with the snapshot "
                "(%(what)s). Make a backup of the current data first if it may be needed."
            )
            % {"name": name, "what": backup.describe(manifest)}
        )
        if not sys.stdin.isatty():
            raise CommandError(
                _("No terminal to confirm on: pass --yes to restore without a question.")
            )
        answer = input(_("Type the database name to go on: "))
        return answer.strip() == name

    def handle(self, *args: Any, **options: Any) -> None:
        progress = Progress(self, options["verbosity"] < 1)
        snapshot: Path = options["snapshot"]
        try:
            if options["check"]:
                manifest = backup.verify_snapshot(snapshot, progress=progress)
                for warning in backup.check_restorable(
                    manifest, check_keys=not options["skip_key_check"]
                ):
                    self.stderr.write(_("Warning: %(text)s") % {"text": warning})
                self.stdout.write(
                    _("The snapshot is complete and fits this site: %(what)s")
                    % {"what": backup.describe(manifest)}
                )
                return
            result = backup.restore_snapshot(
                snapshot,
                progress=progress,
                migrate=not options["no_migrate"],
                check_keys=not options["skip_key_check"],
                confirm=None if options["yes"] else self._confirm,
            )
        except backup.SnapshotError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(_("Warning: %(text)s") % {"text": warning})
        self.stdout.write(
            _(
                "Restored %(what)s: %(written)d attachments written, %(migrated)d migrations "
                "applied."
            )
            % {
                "what": backup.describe(result.manifest),
                "written": result.files_written,
                "migrated": len(result.migrated),
            }
        )
