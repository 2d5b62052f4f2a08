"""``grassroots worker``: the background-job consumer (Huey), as a process of its own.

Several workers may run on one queue (``GRASSROOTS_QUEUE_URL`` on Redis); exactly one of them
keeps the clock of the periodic jobs (the nightly sweeps, the monthly planning): start the
others with ``--no-periodic``, or each periodic job would be queued once a worker.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background worker (periodic jobs, reminders, imports) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker threads (default GRASSROOTS_WORKER_THREADS, 2)",
        )
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="do not schedule the periodic jobs (every worker but one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        extra: dict[str, Any] = {}
        if options["no_periodic"]:
            extra["periodic"] = False
        workers = options["workers"] or settings.HUEY["consumer"]["workers"]
        call_command("run_huey", workers=workers, worker_type="thread", **extra)
