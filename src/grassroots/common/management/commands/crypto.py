"""``grassroots crypto status`` and ``grassroots crypto reencrypt``: personal data at rest
after a key rotation or a switch of ``GRASSROOTS_CRYPTO`` (see ``common.crypto``)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from grassroots.common import crypto


class Command(BaseCommand):
    help = "Show or bring the encrypted personal data to the current suite and first key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{status,reencrypt}")
        sub.add_parser(
            "status",
            help="Count the tokens and blind indexes not made by the current suite and "
            "first key (exit status 1 when there are any).",
        )
        sub.add_parser(
            "reencrypt",
            help="Re-encrypt every encrypted field under the current suite and first key and "
            "recompute the blind indexes, one transaction per table.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"suite: {crypto.suite()}, tokens start {crypto.current_prefix()!r}")
        if options["subcommand"] == "reencrypt":
            for model, fields in crypto.encrypted_models():
                count = crypto.rotate_keys(model, *fields)
                self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
            return
        stale = 0
        for model, fields in crypto.encrypted_models():
            counts = {name: crypto.stale_tokens(model, name) for name in fields}
            digests = crypto.stale_digests(model)
            stale += sum(counts.values()) + digests
            detail = ", ".join(f"{name} {n}" for name, n in counts.items())
            self.stdout.write(
                f"{model._meta.label}: stale tokens: {detail}; stale digests: {digests}"
            )
        if stale:
            self.stderr.write(f"{stale} stale values: run `grassroots crypto reencrypt`.")
            sys.exit(1)
        self.stdout.write("OK: every value is in the current suite.")
