"""``grassroots seed --scale town|city|prefecture|province``: create the demo city."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from grassroots.demo.seeding import SCALES, SeedError, SeedSummary, seed
from grassroots.demo.users import DEMO_PASSWORD, demo_logins
from grassroots.org.divisions import TerminalProgress
from grassroots.org.models import UnitKind


class Command(BaseCommand):
    help = (
        "Create the demo city in an empty database: the real units of 西昌 (or 凉山州, or "
        "四川省) down to villages and communities, generated grids, boundaries, population, "
        "departments and one login per role. Deterministic for a given --seed; written in one "
        "transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="city",
            help="town: one township of 西昌; city: 西昌市 (default); prefecture: 凉山州; "
            "province: 四川省 (the last two need --divisions)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--divisions",
            type=Path,
            metavar="DIR",
            help="the statistics bureau's division files (provinces.csv … villages.csv), "
            "read for the prefecture and province scales",
        )
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help="months of event history to generate, ending now (default: 12 for the "
            "city, 3 for the town, 0 for the prefecture and the province)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete every unit and membership first (refused when other records still "
            "refer to units)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"] or options["verbosity"] < 1
        with TerminalProgress(enabled=not quiet and sys.stderr.isatty()) as bar:
            try:
                summary = seed(
                    options["scale"],
                    seed=options["seed"],
                    divisions_dir=options["divisions"],
                    progress=bar.callback,
                    reset=options["reset"],
                    months=options["months"],
                )
            except SeedError as exc:
                raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(render_summary(summary), ending="")


def render_summary(summary: SeedSummary) -> str:
    """What was created, and the demo logins, as text tables."""
    from rich.console import Console
    from rich.table import Table

    units = Table(
        title=_("Demo %(scale)s: %(root)s") % {"scale": summary.scale, "root": summary.root}
    )
    units.add_column(_("kind"))
    units.add_column(_("units"), justify="right")
    for kind, count in summary.counts.items():
        label = UnitKind(kind).label if kind in UnitKind.values else kind
        units.add_row(str(label), f"{count:,}")
    logins = Table(title=_("Demo logins (password: %(password)s)") % {"password": DEMO_PASSWORD})
    for column in (_("username"), _("role"), _("unit")):
        logins.add_column(column)
    for row in demo_logins():
        logins.add_row(row["username"], row["role"], row["unit"])
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, no_color=True, highlight=False)
    console.print(units)
    console.print(logins)
    console.print(
        _(
            "%(units)d units, %(population)d people, %(households)d households, "
            "%(users)d logins, %(events)d events over %(months)d months in %(seconds).1f s "
            "(seed %(seed)d)"
        )
        % {
            "events": summary.events,
            "months": summary.months,
            "units": summary.units,
            "population": summary.population,
            "households": summary.households,
            "users": summary.users,
            "seconds": summary.seconds,
            "seed": summary.seed,
        }
    )
    if summary.tasks:
        console.print(
            _("%(tasks)d supervised tasks (目督) with a year of progress, urging and extensions")
            % {"tasks": summary.tasks}
        )
    if summary.residents:
        console.print(
            _(
                "%(residents)d residents of the demo township, %(care)d people in care, "
                "%(visits)d care visits"
            )
            % {
                "residents": summary.residents,
                "care": summary.people_in_care,
                "visits": summary.visits,
            }
        )
    if summary.homesteads or summary.construction_cases:
        console.print(
            _(
                "Registers: %(homesteads)d homesteads (%(cases)d 一户一宅 cases), "
                "%(construction)d construction and relocation cases, %(windows)d 天窗 "
                "parcels, %(monitored)d monitored households"
            )
            % {
                "homesteads": summary.homesteads,
                "cases": summary.homestead_cases,
                "construction": summary.construction_cases,
                "windows": summary.windows,
                "monitored": summary.monitored,
            }
        )
    if summary.party_meetings:
        console.print(
            _(
                "Party building: %(meetings)d meetings with %(resolutions)d resolutions, "
                "%(venues)d venues; %(cases)d oversight cases"
            )
            % {
                "meetings": summary.party_meetings,
                "resolutions": summary.resolutions,
                "venues": summary.venues,
                "cases": summary.oversight_cases,
            }
        )
    return buffer.getvalue()
