"""``grassroots audit verify`` and ``grassroots audit seal``."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from grassroots.audit.actions import seal_all
from grassroots.audit.verify import VerifyResult, verify


class Command(BaseCommand):
    help = "Verify or seal the tamper-evident audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,seal}")
        check = sub.add_parser(
            "verify",
            help="Check every hash link; print OK or the first broken link (exit status 1).",
        )
        check.add_argument(
            "--grace",
            type=int,
            default=None,
            metavar="SECONDS",
            help="How long an entry may stay unsealed after a seal (default: the setting).",
        )
        sub.add_parser("seal", help="Seal the committed entries now; print how many.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "seal":
            count = seal_all()
            self.stdout.write(f"Sealed {count} entries.")
            return
        grace = dt.timedelta(seconds=options["grace"]) if options["grace"] is not None else None
        result = self._verify(grace)
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if result.late_entries > len(result.warnings):
            self.stderr.write(
                f"warning: {result.late_entries - len(result.warnings)} more late entries"
            )
        if not result.ok:
            self.stderr.write(result.summary())
            # An exit status that scripts and monitoring can test; CommandError would
            # prefix the message with its class name.
            sys.exit(1)
        self.stdout.write(result.summary())
        if result.unsealed:
            self.stdout.write(f"{result.unsealed} entries await sealing.")

    def _verify(self, grace: dt.timedelta | None) -> VerifyResult:
        if not sys.stdout.isatty():
            return verify(grace=grace)
        from rich.progress import Progress, SpinnerColumn, TextColumn

        with Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True) as bar:
            task = bar.add_task("verifying", total=None)
            return verify(
                grace=grace,
                progress=lambda n: bar.update(task, description=f"{n} entries verified"),
            )
