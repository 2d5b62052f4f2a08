"""``grassroots open311-key create NAME`` (prints the new key once), ``list``, ``revoke``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.open311.actions import ApiKeyError, issue_api_key, revoke_api_key
from grassroots.open311.models import ApiKey


class Command(BaseCommand):
    help = "Issue, list or revoke the API keys of Open311 partners."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{create,list,revoke}"
        )
        create = sub.add_parser("create", help="Issue a key for a partner and print it (once).")
        create.add_argument("name", help="the partner or application using the key")
        sub.add_parser("list", help="List the keys (prefix, name, state, last use).")
        revoke = sub.add_parser("revoke", help="Revoke a key, given its prefix.")
        revoke.add_argument("prefix", help="the first characters of the key, as list shows")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "create":
            try:
                issued = issue_api_key(name=options["name"], actor=None)
            except ApiKeyError as exc:
                raise CommandError(exc.message) from None
            self.stderr.write(f"Key of “{issued.api_key.name}” (shown only now, store it safely):")
            self.stdout.write(issued.key)
        elif command == "list":
            for api_key in ApiKey.objects.all():
                state = "active" if api_key.active else "revoked"
                used = api_key.last_used_at.isoformat() if api_key.last_used_at else "never"
                self.stdout.write(f"{api_key.prefix}…\t{state}\t{used}\t{api_key.name}")
        else:
            prefix = options["prefix"].rstrip("…")
            matches = list(ApiKey.objects.filter(prefix__startswith=prefix)[:2])
            if len(matches) != 1 or len(prefix) < 8:
                raise CommandError(f"No single key has the prefix {prefix!r}.")
            revoke_api_key(matches[0].pk, actor=None)
            self.stdout.write(f"Revoked {matches[0]}.")
