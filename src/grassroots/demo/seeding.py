"""``seed``: write the demo city (or prefecture, or province) in one transaction.

Scales:

- ``town``: 西昌市 with one township (礼州镇) and its villages, from the shipped
  ``data/xichang.csv``;
- ``city``: 西昌市, its 25 township-level units and 174 villages and communities
  (``data/xichang.csv``);
- ``prefecture``: 凉山州 (5134) — 17 counties, 304 township-level units, 2,377 villages
  and communities — from the statistics bureau's files in ``divisions_dir``;
- ``province``: 四川省 (51) — 183 counties, 3,111 / 34,412 — likewise.

Below every village, grids of 300–500 households; under every county, eight departments
(``<county>D01`` 住房和城乡建设局 …); the demo logins of :mod:`grassroots.demo.users`; the
event taxonomy (``events.taxonomy.load_taxonomy``) and ``months`` months of event history
(:mod:`grassroots.demo.events`; by default ``DEFAULT_MONTHS`` of the scale: 12 for the
city that ``grassroots demo`` serves, 3 for the town, none for the larger scales), the
year's supervised tasks (:mod:`grassroots.demo.tasks`), with them the year's
assessment up to now (:mod:`grassroots.demo.assessment`), and the cadres of the demo
county with 礼州镇's year of cadre work (:mod:`grassroots.demo.cadres`), 礼州镇's people
and places with their care visits (:mod:`grassroots.demo.residents`), the special
registers (:mod:`grassroots.demo.registers`), and a year of party building — every
township's and village's 党建月会 with attendance and resolutions, venues and inspections,
礼州镇's culture archive, competitions and oversight cases
(:mod:`grassroots.demo.partybuilding`).
The scale's top unit is the root of the tree (a later ``import-divisions`` moves it
under its province). Everything is written in one transaction, so an interrupted seed
leaves nothing behind.
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from django.db import connection, transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from grassroots.demo import geometry
from grassroots.demo.plan import Plan, PlannedUnit, build_plan, build_tree, plan_grids
from grassroots.demo.users import create_demo_users, demo_places
from grassroots.org.divisions import (
    DivisionImportError,
    DivisionRow,
    ProgressCallback,
    default_peer_group,
    read_divisions,
)
from grassroots.org.models import PATH_SEPARATOR, Membership, Unit, UnitKind

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
XICHANG_CSV: Final = DATA_DIR / "xichang.csv"

#: scale → (root code, source, township kept for ``town``)
SCALES: Final = {
    "town": ("513401", "xichang", "513401101"),
    "city": ("513401", "xichang", None),
    "prefecture": ("5134", "divisions", None),
    "province": ("51", "divisions", None),
}
DEMO_TOWNSHIP: Final = "513401101"  # 礼州镇: where the demo logins work
DEMO_DEPARTMENT: Final = "513401D01"  # 西昌市住房和城乡建设局
BATCH: Final = 1000
#: Months of event history a scale gets unless told otherwise.
DEFAULT_MONTHS: Final = {"town": 3, "city": 12, "prefecture": 0, "province": 0}


class SeedError(Exception):
    """The demo cannot be seeded as asked; the message says why and what to do."""


@dataclass(slots=True)
class SeedSummary:
    """What ``seed`` created."""

    scale: str
    seed: int
    root: str
    counts: dict[str, int] = field(default_factory=dict)
    users: int = 0
    memberships: int = 0
    population: int = 0
    households: int = 0
    months: int = 0
    events: int = 0
    tasks: int = 0
    #: Assessment runs computed and publications made (月考季晒年评 up to now).
    assessment_runs: int = 0
    publications: int = 0
    #: Cadre files (干部档案) of the demo county's townships and villages.
    cadres: int = 0
    #: The demo township's residents, people in care and care visits (人地事物, 走访).
    residents: int = 0
    people_in_care: int = 0
    visits: int = 0
    #: The special registers (专项台账): homesteads and 一户一宅 cases, construction and
    #: relocation cases, 天窗 parcels, monitored households.
    homesteads: int = 0
    homestead_cases: int = 0
    construction_cases: int = 0
    windows: int = 0
    monitored: int = 0
    #: Party building and oversight (:mod:`grassroots.demo.partybuilding`): meetings
    #: (党建月会 and others), their resolutions, venues, oversight cases.
    party_meetings: int = 0
    resolutions: int = 0
    venues: int = 0
    oversight_cases: int = 0
    seconds: float = 0.0

    @property
    def units(self) -> int:
        return sum(self.counts.values())


def database_is_empty() -> bool:
    """True when the database holds no unit at all (the demo command then seeds)."""
    return not Unit.objects.exists()


def _xichang_rows() -> Iterator[DivisionRow]:
    with XICHANG_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield DivisionRow(
                row["code"], row["name"], UnitKind(row["kind"]), row["parent_code"] or None
            )


def load_plan(
    scale: str,
    *,
    seed: int,
    divisions_dir: Path | None = None,
    progress: ProgressCallback | None = None,
) -> Plan:
    """The demo tree of ``scale`` with its numbers and shapes, not yet written."""
    if scale not in SCALES:
        raise SeedError(
            _("Unknown scale %(scale)s (choose from %(choices)s).")
            % {"scale": scale, "choices": ", ".join(SCALES)}
        )
    root_code, source, keep = SCALES[scale]
    if source == "xichang":
        rows: Iterator[DivisionRow] = _xichang_rows()
    else:
        if divisions_dir is None:
            raise SeedError(
                _("The %(scale)s scale reads the statistics bureau's files: give --divisions DIR.")
                % {"scale": scale}
            )
        try:
            rows = iter(list(read_divisions(divisions_dir, under=root_code, progress=progress)))
        except DivisionImportError as exc:
            details = "\n".join(str(error) for error in exc.errors[:20])
            raise SeedError(f"{exc}\n{details}") from exc
    tree = build_tree(rows, root_code=root_code)
    return build_plan(tree, seed=seed, keep=keep, progress=progress)


def seed(
    scale: str,
    *,
    seed: int = 2026,
    divisions_dir: Path | None = None,
    progress: ProgressCallback | None = None,
    reset: bool = False,
    months: int | None = None,
) -> SeedSummary:
    """Create the demo tree, grids, departments, logins, event taxonomy and ``months``
    months of events (default: ``DEFAULT_MONTHS[scale]``) of ``scale``; deterministic.

    Refuses (SeedError) when the database already holds units, unless ``reset``: then
    every register and resident record, event, unit and membership is deleted first
    (which fails, changing nothing, when other records still refer to units). One audit
    entry ``demo.city.seeded``.
    """
    started = time.monotonic()
    if not reset:
        _refuse_units()  # early, before minutes of drawing; checked again when writing
    if months is None:
        months = DEFAULT_MONTHS.get(scale, 0)
    if months < 0:
        raise SeedError(_("--months must be 0 or more."))
    plan = load_plan(scale, seed=seed, divisions_dir=divisions_dir, progress=progress)
    summary = SeedSummary(scale=scale, seed=seed, root=plan.root.name, months=months)
    with transaction.atomic():
        if reset:
            _clear_units()
        else:
            _refuse_units()
        _write_units(plan, summary, progress)
        root = Unit.objects.get(code=plan.root.code)
        places = demo_places(root, DEMO_TOWNSHIP, DEMO_DEPARTMENT)
        summary.users, summary.memberships = create_demo_users(places)
        summary.population, summary.households = plan.root.population, plan.root.households
        summary.events = _seed_history(months, seed, progress)
        summary.tasks = _seed_tasks(months, seed, progress)
        _seed_assessment(summary, seed, progress)
        summary.cadres = _seed_cadres(months, seed, progress)
        _seed_residents(summary, seed, progress)
        _seed_registers(summary, seed, progress)
        _seed_partybuilding(summary, seed, progress)
        from grassroots.audit.actions import record

        record(
            "demo.city.seeded",
            None,
            actor=None,
            unit=root,
            after={
                "scale": scale,
                "seed": seed,
                "units": summary.counts,
                "users": summary.users,
                "population": summary.population,
                "households": summary.households,
                "months": months,
                "events": summary.events,
            },
        )
    summary.seconds = time.monotonic() - started
    return summary


def _seed_history(months: int, seed: int, progress: ProgressCallback | None) -> int:
    """The event taxonomy, then ``months`` months of events (the count)."""
    from grassroots.demo.events import seed_events
    from grassroots.events.taxonomy import load_taxonomy

    load_taxonomy()
    if months <= 0:
        return 0
    # A str seed is hashed with SHA-512: the same history for the same seed, on any run.
    rng = random.Random(f"{seed}:events")  # noqa: S311 - synthetic demo data
    return seed_events(months, rng=rng, progress=progress)


def _seed_tasks(months: int, seed: int, progress: ProgressCallback | None) -> int:
    """The year's supervised tasks, replayed through the actions up to now, with the
    history (:mod:`grassroots.demo.tasks`; the count of tasks)."""
    if months <= 0:
        return 0
    from grassroots.demo.tasks import seed_tasks

    rng = random.Random(f"{seed}:tasks")  # noqa: S311 - synthetic demo data
    return seed_tasks(rng=rng, progress=progress).tasks


def _seed_assessment(summary: SeedSummary, seed: int, progress: ProgressCallback | None) -> None:
    """The year's two assessment schemes of 西昌, and their months, quarters (published)
    and year so far, through the assessment's actions (:mod:`grassroots.demo.assessment`);
    only with a history to assess."""
    if summary.months <= 0:
        return
    from grassroots.demo.assessment import seed_assessment

    rng = random.Random(f"{seed}:assessment")  # noqa: S311 - synthetic demo data
    done = seed_assessment(rng=rng, progress=progress)
    summary.assessment_runs = done.runs
    summary.publications = len(done.published)


def _seed_cadres(months: int, seed: int, progress: ProgressCallback | None) -> int:
    """The cadres of the demo county, and 礼州镇's year of cadre work through the cadres'
    actions (:mod:`grassroots.demo.cadres`; the count of files); only with a history."""
    if months <= 0:
        return 0
    from grassroots.demo.cadres import seed_cadres

    rng = random.Random(f"{seed}:cadres")  # noqa: S311 - synthetic demo data
    return seed_cadres(rng=rng, progress=progress).files


def _seed_residents(summary: SeedSummary, seed: int, progress: ProgressCallback | None) -> None:
    """礼州镇's places, households, residents and people in care, with the months' care
    visits (:mod:`grassroots.demo.residents`); only with a history."""
    if summary.months <= 0:
        return
    from grassroots.demo.residents import seed_residents

    rng = random.Random(f"{seed}:residents")  # noqa: S311 - synthetic demo data
    done = seed_residents(months=summary.months, rng=rng, progress=progress)
    summary.residents = done.residents
    summary.people_in_care = done.people_in_care
    summary.visits = done.visits


def _seed_registers(summary: SeedSummary, seed: int, progress: ProgressCallback | None) -> None:
    """The special registers: 礼州镇's homesteads and monitored households, every
    township's construction cases, the lakeside 天窗 parcels, every village's collective
    income (:mod:`grassroots.demo.registers`); only with a history (after the residents)."""
    if summary.months <= 0:
        return
    from grassroots.demo.registers import seed_registers

    rng = random.Random(f"{seed}:registers")  # noqa: S311 - synthetic demo data
    done = seed_registers(rng=rng, progress=progress)
    summary.homesteads = done.homesteads
    summary.homestead_cases = done.homestead_cases
    summary.construction_cases = done.construction_cases
    summary.windows = done.windows
    summary.monitored = done.monitored


def _seed_partybuilding(summary: SeedSummary, seed: int, progress: ProgressCallback | None) -> None:
    """A year of 党建月会 of every township and village with attendance and resolutions,
    venues and inspections, 礼州镇's other meetings, culture archive, competitions and
    oversight cases (:mod:`grassroots.demo.partybuilding`); only with a history (after
    the tasks, whose livelihood projects the decision log links)."""
    if summary.months <= 0:
        return
    from grassroots.demo.partybuilding import seed_partybuilding

    rng = random.Random(f"{seed}:partybuilding")  # noqa: S311 - synthetic demo data
    done = seed_partybuilding(rng=rng, progress=progress)
    summary.party_meetings = done.meetings
    summary.resolutions = done.resolutions
    summary.venues = done.venues
    summary.oversight_cases = done.cases


def _refuse_units() -> None:
    if Unit.objects.exists():
        raise SeedError(
            _(
                "The database already holds units; the demo is only seeded into an "
                "empty database (use --reset to delete every unit first)."
            )
        )


def _clear_units() -> None:
    """Delete every oversight case, party-building record (not the rules and the venue
    checklist), register record, resident record, cadre record, assessment record,
    event, supervised task, membership and unit, deepest first (PROTECT holds parents)."""
    from grassroots.assessment import models as ass
    from grassroots.cadres import models as cad
    from grassroots.events.models import Attachment, Event, EventAction
    from grassroots.oversight import models as ovs
    from grassroots.partybuilding import models as pb
    from grassroots.registers import models as reg
    from grassroots.residents import models as res
    from grassroots.supervision import models as sup

    with connection.cursor() as cursor:
        # Plain deletes: the ORM's cascade would list every id (too many for SQLite).
        # Registers refer to households and events, visits to events: they go first;
        # the party-building rows refer to tasks and users (judges), the cases to units.
        for model in (
            ovs.CaseEvidence,
            ovs.Step,
            ovs.Case,
            pb.JudgeScore,
            pb.CompetitionJudge,
            pb.Entry,
            pb.Round,
            pb.Competition,
            pb.Performer,
            pb.FamilyMotto,
            pb.HistoryPhoto,
            pb.VillageHistory,
            pb.Song,
            pb.InspectionPhoto,
            pb.InspectionItem,
            pb.Inspection,
            pb.Venue,
            pb.DecisionLink,
            pb.ResolutionTask,
            pb.Resolution,
            pb.Attendance,
            pb.Meeting,
            reg.Review,
            reg.Assistance,
            reg.MonitoredHousehold,
            reg.HomesteadCase,
            reg.Homestead,
            reg.CasePhoto,
            reg.ConstructionCase,
            reg.Window,
            reg.CollectiveIncome,
            reg.IncomeTarget,
            reg.Policy,
            res.VisitPhoto,
            res.Visit,
            res.KeyPerson,
            res.Resident,
            res.Household,
            res.Place,
            cad.Candidate,
            cad.Vacancy,
            cad.CorrectiveMeasure,
            cad.Objection,
            cad.ToleranceCase,
            cad.Grade,
            cad.KeyMoment,
            cad.Tempering,
            cad.TrainingRecord,
            cad.Mentorship,
            cad.ReserveEntry,
            cad.KeyPost,
            cad.PostRecord,
            cad.FileView,
            cad.Policy,
            cad.Cadre,
            ass.Bulletin,
            ass.Publication,
            ass.Appeal,
            ass.Rating,
            ass.RatingSheet,
            ass.RatingForm,
            ass.ManualEntry,
            ass.Score,
            ass.Result,
            ass.Run,
            ass.Indicator,
            ass.Scheme,
            Attachment,
            EventAction,
            Event,
            sup.Evidence,
            sup.TaskAction,
            sup.Urge,
            sup.ExtensionRequest,
            sup.ProgressReport,
            sup.Milestone,
            sup.TaskCoUnit,
            sup.Task,
        ):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
    Membership.objects.all().delete()
    deepest = Unit.objects.aggregate(deepest=Max("depth"))["deepest"] or 0
    try:
        for depth in range(deepest, -1, -1):
            Unit.objects.filter(depth=depth).delete()
    except ProtectedError as exc:
        raise SeedError(
            _("Other records still refer to the units; seed into a fresh database instead.")
        ) from exc


class _Writer:
    """Creates units level by level with ``bulk_create``, remembering the ids and paths of
    the units that others hang below."""

    def __init__(self, summary: SeedSummary) -> None:
        self.summary = summary
        self.nodes: dict[str, tuple[int, str, int]] = {}
        self.pending: list[Unit] = []

    def add(
        self,
        code: str,
        name: str,
        kind: str,
        parent_code: str | None,
        *,
        population: int = 0,
        households: int = 0,
        shape: BaseGeometry | None = None,
    ) -> None:
        if parent_code is None:
            parent_id, path, depth = None, code, 0
        else:
            parent_id, parent_path, parent_depth = self.nodes[parent_code]
            path, depth = f"{parent_path}{PATH_SEPARATOR}{code}", parent_depth + 1
        unit = Unit(
            code=code,
            name=name,
            kind=kind,
            parent_id=parent_id,
            path=path,
            depth=depth,
            peer_group=default_peer_group(kind, code),
            population=population,
            households=households,
            geometry=geometry.to_geojson(shape) if shape is not None else None,
        )
        self.pending.append(unit)
        self.summary.counts[kind] = self.summary.counts.get(kind, 0) + 1
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        created = Unit.objects.bulk_create(self.pending)
        for unit in created:
            if unit.kind == UnitKind.GRID:  # nothing hangs below a grid
                continue
            if unit.pk is None:  # a backend that cannot return ids
                unit.pk = Unit.objects.values_list("pk", flat=True).get(code=unit.code)
            self.nodes[unit.code] = (unit.pk, unit.path, unit.depth)
        self.pending = []


def _write_units(plan: Plan, summary: SeedSummary, progress: ProgressCallback | None) -> None:
    writer = _Writer(summary)
    levels: dict[int, list[PlannedUnit]] = {}
    for unit in plan.units():
        levels.setdefault(_depth(unit), []).append(unit)
    phase = _("Writing units")
    villages = list(plan.villages())
    total = sum(len(units) for units in levels.values()) + len(plan.departments)
    done = 0
    for depth in sorted(levels):
        for unit in levels[depth]:
            writer.add(
                unit.code,
                unit.name,
                unit.kind,
                unit.parent.code if unit.parent else None,
                population=unit.population,
                households=unit.households,
                shape=unit.geometry,
            )
        writer.flush()
        done += len(levels[depth])
        if progress is not None:
            progress(phase, done, total)
    for department in plan.departments:
        assert department.parent is not None  # noqa: S101 - departments hang below counties
        writer.add(department.code, department.name, UnitKind.DEPARTMENT, department.parent.code)
    writer.flush()
    grids_phase = _("Drawing grids")
    for n, village in enumerate(villages, start=1):
        for grid in plan_grids(village, plan.seed):
            writer.add(
                grid.code,
                grid.name,
                UnitKind.GRID,
                village.code,
                population=grid.population,
                households=grid.households,
                shape=grid.geometry,
            )
        if progress is not None and (n % 50 == 0 or n == len(villages)):
            progress(grids_phase, n, len(villages))
    writer.flush()


def _depth(unit: PlannedUnit) -> int:
    depth = 0
    while unit.parent is not None:
        unit = unit.parent
        depth += 1
    return depth
