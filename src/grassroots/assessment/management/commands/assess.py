"""``grassroots assess --scheme CODE --period 2026-10``: compute a run and print its ranking."""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.table import Table

from grassroots.assessment.actions import compute_run
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import Result, Scheme


class Command(BaseCommand):
    help = "Compute an assessment run and print the ranking table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scheme", required=True, help="scheme code")
        parser.add_argument("--period", required=True, help="2026-10, 2026-Q3 or 2026")

    def handle(self, *args: Any, **options: Any) -> None:
        scheme = Scheme.objects.filter(code=options["scheme"]).first()
        if scheme is None:
            raise CommandError(_("No scheme with code %(code)s.") % {"code": options["scheme"]})
        try:
            run = compute_run(scheme, options["period"], actor=None)
        except AssessmentError as exc:
            raise CommandError(str(exc)) from exc
        table = Table(title=f"{scheme.name} {run.period} v{run.version}")
        for header in (
            _("Peer group"),
            _("Rank"),
            _("Unit"),
            _("Total"),
            _("Grade"),
            _("List"),
            _("Reward (yuan)"),
        ):
            table.add_column(header)
        results = Result.objects.filter(run=run).select_related("unit")
        for r in results.order_by("peer_group", "rank", "unit__code"):
            table.add_row(
                r.peer_group,
                str(r.rank),
                r.unit.name,
                str(r.total),
                r.get_grade_display() + (" ✗" if r.vetoed else ""),
                r.list_status or "-",
                f"{r.reward_fen // 100}.{r.reward_fen % 100:02d}",
            )
        buffer = io.StringIO()
        Console(file=buffer, width=120, no_color=True, highlight=False).print(table)
        self.stdout.write(buffer.getvalue())
        self.stdout.write(f"fingerprint {run.fingerprint}")
