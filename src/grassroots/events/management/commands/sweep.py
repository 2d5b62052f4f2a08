"""``grassroots sweep``: remind, lapse and escalate what fell due since the last sweep."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from grassroots.events.sweep import BATCH, sweep


class Command(BaseCommand):
    help = (
        "Sweep the event deadlines once: reminders before the handling deadline, lapses, "
        "and automatic escalation of events overdue by the configured margin. Acts only "
        "on what fell due since the last sweep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=BATCH, help="events per batch (default %(default)s)"
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        report = sweep(batch_size=options["batch_size"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        if report.since is None or report.until is None:
            self.stdout.write("Nothing new to sweep.")
            return
        since, until = timezone.localtime(report.since), timezone.localtime(report.until)
        self.stdout.write(
            f"Swept {since:%Y-%m-%d %H:%M:%S} → {until:%Y-%m-%d %H:%M:%S} "
            f"({report.slices} slice(s)): {report.reminded} reminded, {report.lapsed} lapsed, "
            f"{report.response_lapsed} past the response deadline, {report.escalated} "
            f"escalated, {report.messages} messages."
        )
        for error in report.errors:
            self.stderr.write(f"not escalated: {error}")
