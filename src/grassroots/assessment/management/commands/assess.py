"""``grassroots assess --scheme CODE --period 2026-10 [--publish]``: compute a run, print its
ranking, and optionally publish it.

A progress bar follows the phases (checking the scheme and period, computing the run —
metrics, scores, ranks, lists, grades, rewards —, publishing, the table). ``--publish``
publishes the new run (季晒: a quarter; 年评: the year; a month may be published too) and
prints the SHA-256 of its snapshot, which the public portal shows; a refusal (e.g. a
minimum-spread rule of the scheme) names the rule and exits with a non-zero status.
``--all-months`` computes every month of the year from January up to the month given.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from grassroots.assessment.actions import compute_run
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import Result, Run, Scheme, period_kind

WIDTH = 120


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


class Command(BaseCommand):
    help = (
        "Compute an assessment run of a scheme for a period (2026-10, 2026-Q3 or 2026), "
        "print the ranking table, and with --publish publish it and print its SHA-256."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scheme", required=True, help="scheme code (xc-village-2026)")
        parser.add_argument(
            "--period", required=True, help="2026-10 (month), 2026-Q3 (quarter) or 2026 (year)"
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the new run and print the SHA-256 of its snapshot",
        )
        parser.add_argument(
            "--all-months",
            action="store_true",
            help="compute every month of the year from January up to --period (a month)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        scheme = Scheme.objects.select_related("root").filter(code=options["scheme"]).first()
        if scheme is None:
            raise CommandError(_("No scheme with code %(code)s.") % {"code": options["scheme"]})
        label = self._period(scheme, options["period"])
        periods = [label]
        if options["all_months"]:
            if period_kind(label) != "monthly":
                raise CommandError(
                    _("--all-months needs a month as the period, such as %(year)d-10.")
                    % {"year": scheme.year}
                )
            periods = [f"{label[:4]}-{m:02d}" for m in range(1, int(label[5:7]) + 1)]
        quiet = options["quiet"] or options["verbosity"] < 1
        steps = 1 + len(periods) + (1 if options["publish"] else 0) + 1
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            disable=quiet or not sys.stderr.isatty(),
            transient=True,
        )
        with progress:
            bar = progress.add_task(_("Checking the scheme and the period"), total=steps)
            progress.advance(bar)
            run: Run | None = None
            for period in periods:
                progress.update(
                    bar,
                    description=_(
                        "Computing %(period)s: metrics, scores, ranks, lists, grades, rewards"
                    )
                    % {"period": period},
                )
                try:
                    run = compute_run(scheme, period, actor=None)
                except AssessmentError as exc:
                    raise CommandError(exc.message) from exc
                progress.advance(bar)
            assert run is not None  # noqa: S101 - at least one period
            sha256 = ""
            if options["publish"]:
                publishing = _("Publishing %(period)s") % {"period": run.period}
                progress.update(bar, description=publishing)
                sha256 = self._publish(run)
                progress.advance(bar)
            progress.update(bar, description=_("Ranking table"))
            text = render_ranking(run)
            progress.advance(bar)
        self.stdout.write(text, ending="")
        self.stdout.write(f"fingerprint {run.fingerprint}")  # of the inputs, as the run stores it
        if len(periods) > 1:
            self.stdout.write(
                _("Computed %(n)d months: %(first)s to %(last)s.")
                % {"n": len(periods), "first": periods[0], "last": periods[-1]}
            )
        if sha256:
            self.stdout.write(
                _("Published %(scheme)s %(period)s v%(version)d. SHA-256: %(sha)s")
                % {
                    "scheme": scheme.code,
                    "period": run.period,
                    "version": run.version,
                    "sha": sha256,
                }
            )

    @staticmethod
    def _period(scheme: Scheme, period: str) -> str:
        """The period's label, when it is a month, quarter or the year of the scheme."""
        from grassroots.assessment.actions.ratings import check_period

        try:
            return check_period(scheme, period)
        except AssessmentError as exc:
            raise CommandError(exc.message) from exc

    @staticmethod
    def _publish(run: Run) -> str:
        from grassroots.assessment.actions.publishing import publish_run

        try:
            publication = publish_run(run, actor=None)
        except (AssessmentError, PermissionDenied) as exc:
            message = exc.message if isinstance(exc, AssessmentError) else str(exc)
            raise CommandError(
                _("Run %(period)s v%(version)d was computed but not published: %(reason)s")
                % {"period": run.period, "version": run.version, "reason": message}
            ) from exc
        return publication.sha256


def peer_label(group: str) -> str:
    """``513401:street`` → 街道 (the kind's name); any other group as it is."""
    from grassroots.org.models import UnitKind

    kind = group.rpartition(":")[2]
    return str(UnitKind(kind).label) if kind in UnitKind.values else group


def render_ranking(run: Run) -> str:
    """The run's ranking, peer group by peer group, as a text table."""
    table = Table(title=f"{run.scheme.name} {run.period} v{run.version}")
    for header, justify in (
        (_("Peer group"), "left"),
        (_("Rank"), "right"),
        (_("Unit"), "left"),
        (_("Total"), "right"),
        (_("Grade"), "left"),
        (_("List"), "left"),
        (_("Reward (yuan)"), "right"),
        (_("Training places"), "right"),
    ):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    results = Result.objects.filter(run=run).select_related("unit")
    previous = ""
    for r in results.order_by("peer_group", "rank", "unit__code"):
        group = peer_label(r.peer_group) if r.peer_group != previous else ""
        previous = r.peer_group
        table.add_row(
            group,
            f"{r.rank}/{r.group_size}",
            r.unit.name,
            str(r.total),
            str(r.get_grade_display()) + (" " + _("(vetoed)") if r.vetoed else ""),
            str(r.get_list_status_display()) if r.list_status else "-",
            _yuan(r.reward_fen),
            str(r.training_places or ""),
        )
    buffer = io.StringIO()
    Console(file=buffer, width=WIDTH, no_color=True, highlight=False).print(table)
    return buffer.getvalue()
