"""The demo's venues (标准化活动阵地: 党群服务中心, 文化院坝) and their inspections.

Every township has its 党群服务中心, most villages one too (a few planned or being built),
some villages a 文化院坝 (some being built). A venue in use was inspected 1–3 times in the
last year against the active checklist as it stood (each item's points and required flag
copied): score = met points ÷ all points × 100, meeting the standard when every required
item is met and the score reaches the pass mark (``GRASSROOTS_VENUE_PASS_SCORE``, 80); weak
venues improve after each visit. The venue carries its latest inspection's score, verdict
and day.

Deterministic for a given ``rng`` seed and "now".
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Final

from django.conf import settings

from grassroots.demo import partybuilding_texts as texts
from grassroots.org.divisions import short_name
from grassroots.org.models import TOWNSHIP_LEVEL, Unit, User
from grassroots.partybuilding.models import ChecklistItem, Inspection, InspectionItem, Venue
from grassroots.partybuilding.states import VenueKind, VenueStatus

if TYPE_CHECKING:
    from grassroots.demo.partybuilding import Member

BATCH: Final = 2000
CENT: Final = Decimal("0.01")


def _pass_score() -> Decimal:
    return Decimal(str(getattr(settings, "GRASSROOTS_VENUE_PASS_SCORE", 80)))


def score_of(items: list[InspectionItem]) -> tuple[Decimal, bool]:
    """Met points ÷ all points × 100, and whether every required item is met with the
    score at the pass mark."""
    total = sum(i.points for i in items)
    met = sum(i.points for i in items if i.met)
    score = (
        (Decimal(100 * met) / Decimal(total)).quantize(CENT, ROUND_HALF_UP) if total else Decimal(0)
    )
    return score, all(i.met for i in items if i.required) and score >= _pass_score()


def seed_venues(
    rng: random.Random,
    today: dt.date,
    units: list[Unit],
    rosters: dict[int, list[Member]],
    inspectors: dict[int, User | None],
) -> tuple[int, int]:
    """Venues of every township and most villages, inspected 1–3 times when in use."""
    from grassroots.demo.registers import points_in

    checklist = list(ChecklistItem.objects.filter(active=True).order_by("order", "pk"))
    venues: list[Venue] = []
    for unit in units:
        township = unit.kind in TOWNSHIP_LEVEL
        place = unit.name if township else short_name(unit.name)
        kinds: list[str] = []
        if township or rng.random() < 0.88:
            kinds.append(VenueKind.ACTIVITY)
        if not township and rng.random() < 0.4:
            kinds.append(VenueKind.CULTURE_YARD)
        spots = points_in(unit, len(kinds), rng)
        for kind, (lon, lat) in zip(kinds, spots, strict=True):
            roll = rng.random()
            if kind == VenueKind.CULTURE_YARD:
                status = VenueStatus.BUILDING if roll < 0.3 else VenueStatus.IN_USE
            else:
                status = (
                    VenueStatus.PLANNED
                    if roll < 0.03
                    else VenueStatus.BUILDING
                    if roll < 0.08
                    else VenueStatus.IN_USE
                )
            name = f"{place}党群服务中心" if kind == VenueKind.ACTIVITY else f"{place}文化院坝"
            venues.append(
                Venue(
                    unit=unit,
                    unit_path=unit.path,
                    kind=kind,
                    name=name,
                    address=f"{unit.name}{rng.randint(1, 9)}组",
                    lat=None if lat is None else Decimal(f"{lat:.6f}"),
                    lng=None if lon is None else Decimal(f"{lon:.6f}"),
                    area_m2=Decimal(
                        rng.randint(200, 650)
                        if kind == VenueKind.ACTIVITY
                        else rng.randint(300, 1200)
                    ),
                    open_hours=rng.choice(texts.OPEN_HOURS) if status == VenueStatus.IN_USE else "",
                    manager=rosters[unit.pk][0].name if rosters.get(unit.pk) else "",
                    status=status,
                    built_on=(
                        dt.date(rng.randint(2012, today.year - 1), rng.randint(1, 12), 1)
                        if status == VenueStatus.IN_USE
                        else None
                    ),
                )
            )
    Venue.objects.bulk_create(venues, batch_size=BATCH)
    if not checklist:
        return len(venues), 0
    inspections: list[Inspection] = []
    items: list[InspectionItem] = []
    window = 360
    for venue in venues:
        if venue.status != VenueStatus.IN_USE:
            continue
        quality = 0.62 if rng.random() < 0.15 else rng.uniform(0.82, 0.98)
        days = sorted(rng.sample(range(5, window), rng.randint(1, 3)), reverse=True)
        latest: Inspection | None = None
        for day in days:
            inspection = Inspection(
                venue=venue,
                inspected_on=today - dt.timedelta(days=day),
                inspector=inspectors.get(venue.unit.parent_id or 0)
                or inspectors.get(venue.unit.pk),
            )
            rows = []
            for item in checklist:
                chance = min(0.99, quality + 0.08) if item.required else quality
                rows.append(
                    InspectionItem(
                        inspection=inspection,
                        item=item,
                        met=rng.random() < chance,
                        points=item.points,
                        required=item.required,
                    )
                )
            inspection.score, inspection.meets_standard = score_of(rows)
            inspection.note = (
                texts.INSPECTION_NOTES[0]
                if inspection.meets_standard
                else rng.choice(texts.INSPECTION_NOTES[1:])
            )
            inspections.append(inspection)
            items.extend(rows)
            latest = inspection
            quality = min(0.98, quality + 0.06)  # improved after each visit
        assert latest is not None  # noqa: S101 - one inspection at least
        venue.last_score = latest.score
        venue.meets_standard = latest.meets_standard
        venue.last_inspected_on = latest.inspected_on
    Inspection.objects.bulk_create(inspections, batch_size=BATCH)
    for row in items:
        row.inspection_id = row.inspection.pk
    InspectionItem.objects.bulk_create(items, batch_size=BATCH)
    Venue.objects.bulk_update(
        [v for v in venues if v.last_inspected_on is not None],
        ["last_score", "meets_standard", "last_inspected_on"],
        batch_size=500,
    )
    return len(venues), len(inspections)
