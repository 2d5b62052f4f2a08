"""``grassroots remind``: send the supervision reminders due today, once."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.supervision.actions import send_reminders


class Command(BaseCommand):
    help = (
        "Send the target-supervision reminders due today: before the deadline, after it, "
        "and the escalation of tasks late by the configured margin. Safe to run twice: "
        "what was sent is not sent again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to act for (YYYY-MM-DD; default today)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from exc
        report = send_reminders(day)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        if not report.workday:
            self.stdout.write(f"{report.day}: not a working day, nothing sent.")
            return
        self.stdout.write(
            f"{report.day}: {report.reminded} reminded before the deadline, {report.lapsed} "
            f"reminded after it, {report.escalated} escalated, {report.messages} messages."
        )
