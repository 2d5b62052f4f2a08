"""``grassroots load-categories [FILE] [--keep-existing]``: load the event taxonomy."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.events.taxonomy import DEFAULT_PATH, TaxonomyError, load_taxonomy


class Command(BaseCommand):
    help = "Create or update the event categories from a taxonomy file (default: the 西昌 one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(DEFAULT_PATH))
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="only add missing categories; leave existing ones as they are",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = load_taxonomy(path=options["file"], update=not options["keep_existing"])
        except (OSError, ValueError, TaxonomyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{count} categories created or changed")
