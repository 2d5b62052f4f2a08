"""The demo's illegal construction (乱修滥建) and disorderly relocation (无序搬迁) cases, and
the 邛海天窗 parcels (part of :func:`grassroots.demo.registers.seed_registers`).

- **cases** for every township-level unit of the tree since 2016: the stock built or moved
  in before the baseline (2015-12-31), found by the special inspections of 2016–2019 (a few
  later, from imported ledgers), nearly all dealt with — demolished with the area,
  regularised, moved back, or not a case; and a handful of *new* ones each year since,
  mostly in the peri-urban and lakeside townships (fewer every year), found by patrols
  (those of the event history taken from its 违法建设 reports) or inspections, mostly
  stopped within the policy's days, then demolished or dealt with; the ones found in the
  last weeks still open, and two open past their deadline (one in 礼州镇, one in 安宁镇).
  ``is_new`` is the built-or-moved day after the policy's baseline; ``due_on`` the found
  day plus ``construction_workdays`` working days; numbers ``WJ``/``BQ`` + township +
  year + order, unique;
- **天窗 parcels** in the villages and communities of the townships on 邛海's shore
  (海南街道, 川兴镇, 大兴乡, 新村街道, those in the tree), spread evenly over the
  programme's years (2021–2030 by default): those of past years restored (a few still
  behind), this year's under way about as far as the year, later ones planned (a few
  started early); so the restored area runs about on the programme's straight line.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from django.conf import settings

from grassroots.common.workdays import current_calendar
from grassroots.demo.cadres import DEMO_TOWNSHIP, HAN_SURNAMES, YI_CLANS, YI_MALE
from grassroots.demo.event_world import LAKE_TOWNSHIPS, PERI_URBAN_TOWNSHIPS
from grassroots.demo.registers import area, points_in, square
from grassroots.demo.residents import HAN_MALE_OLD, PHONE_PREFIXES
from grassroots.events.models import Event, EventSource
from grassroots.org.divisions import short_name
from grassroots.org.models import VILLAGE_LEVEL, Unit, UnitKind
from grassroots.registers.models import ConstructionCase, Policy, Window
from grassroots.registers.queries import policies_for
from grassroots.registers.states import (
    CaseSource,
    ConstructionKind,
    ConstructionStatus,
    WindowStatus,
)

CS = ConstructionStatus
BUILDING, RELOCATION = ConstructionKind.ILLEGAL_BUILDING, ConstructionKind.RELOCATION
FIRST_YEAR: Final = 2016
#: New cases found open and past their deadline: township code → days ago found.
OVERDUE: Final = ((DEMO_TOWNSHIP, 50, CS.STOPPED), ("513401102", 75, CS.FOUND))
#: Townships on 邛海's shore whose villages hold the 天窗 parcels (those in the tree).
WINDOW_TOWNSHIPS: Final = ("513401007", "513401103", "513401212", "513401005")

BUILDING_TEXTS: Final = (
    "未经批准新建砖混结构房屋{floors}层",
    "在自家住房上违规加层{floors}层",
    "占用耕地搭建彩钢棚",
    "未批先建养殖圈舍",
    "超出批准面积扩建附属用房",
    "在河道管理范围内搭建临时建筑",
)
RELOCATION_TEXTS: Final = (
    "{people}人从{origin}自行搬迁至此，搭建简易住房居住",
    "{people}人从{origin}迁入，租用他人土地搭建临时住房",
    "{people}人从{origin}投亲靠友迁入，在山坡上私搭乱建",
)
ORIGINS: Final = ("昭觉县", "布拖县", "美姑县", "金阳县", "喜德县", "越西县")
WINDOW_KINDS: Final = (
    "环湖鱼塘退塘还湿",
    "临湖农家乐拆除复绿",
    "湖滨违建拆除还湖",
    "养殖场搬迁复湿",
    "临湖民房腾退复湿",
    "码头整治复绿",
    "退耕还湿",
)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class _Cases:
    """The cases of every township, built in memory."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.calendar = current_calendar()
        self.cases: list[ConstructionCase] = []

    def party(self) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.4:
            name = rng.choice(YI_CLANS) + rng.choice(YI_MALE)
        else:
            name = rng.choice(HAN_SURNAMES) + rng.choice(HAN_MALE_OLD)
        return name, rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"

    def case(
        self,
        township: Unit,
        village: Unit,
        policy: Policy,
        kind: str,
        found: dt.date,
        *,
        new: bool,
        event: tuple[int, dt.date, int, float | None, float | None, str] | None = None,
    ) -> ConstructionCase:
        """One case found on ``found``: built or moved in before the baseline, or just
        before it was found (``new``); its fate by then."""
        rng = self.rng
        baseline = policy.baseline
        if new:
            started = max(found - dt.timedelta(days=rng.randint(0, 12)), baseline + dt.timedelta(1))
        else:
            started = dt.date(rng.randint(1998, baseline.year), rng.randint(1, 12), 1)
            started = min(started + dt.timedelta(days=rng.randint(0, 27)), baseline)
        name, phone = self.party()
        people = rng.randint(2, 9) if kind == RELOCATION else None
        if kind == RELOCATION:
            size = rng.uniform(20, 120)
            text = rng.choice(RELOCATION_TEXTS).format(people=people, origin=rng.choice(ORIGINS))
        else:
            size = rng.uniform(80, 600) if not new else rng.uniform(30, 400)
            text = rng.choice(BUILDING_TEXTS).format(floors=rng.choice("一二三"))
        group = rng.randint(1, 9)
        lon, lat = points_in(village, 1, rng)[0]
        address = f"{township.name}{short_name(village.name)}{group}组"
        case = ConstructionCase(
            unit=village,
            kind=kind,
            source=(
                CaseSource.PATROL
                if event or (new and rng.random() < 0.75)
                else (CaseSource.INSPECTION if rng.random() < 0.7 or new else CaseSource.IMPORT)
            ),
            event_id=event[0] if event else None,
            party_name=name,
            party_phone=phone,
            address=event[5] if event and event[5] else address,
            lat=event[4] if event else (round(lat, 6) if lat is not None else None),
            lon=event[3] if event else (round(lon, 6) if lon is not None else None),
            description=text,
            started_on=started,
            found_on=found,
            is_new=started > baseline,
            area=area(size),
            people=people,
            due_on=self.calendar.add_workdays(found, policy.construction_workdays),
        )
        self.fate(case, policy)
        self.cases.append(case)
        return case

    def fate(self, case: ConstructionCase, policy: Policy) -> None:
        """What became of ``case`` by today."""
        rng = self.rng
        found = case.found_on
        recent = (self.today - found).days <= 25
        if case.is_new:
            stop = (
                rng.randint(0, policy.stop_within_days)
                if rng.random() < 0.85
                else rng.randint(policy.stop_within_days + 1, 12)
            )
            if recent:
                late = found + dt.timedelta(days=stop) > self.today
                case.status = CS.FOUND if late else CS.STOPPED
                case.stopped_on = None if late else found + dt.timedelta(days=stop)
                return
            choices: tuple[tuple[CS, int], ...] = (
                ((CS.DEMOLISHED, 75), (CS.REGULARISED, 12), (CS.DISMISSED, 8))
                if case.kind == BUILDING
                else ((CS.RETURNED, 80), (CS.REGULARISED, 15), (CS.DISMISSED, 5))
            )
        else:
            stop = rng.randint(0, 10)
            choices = (
                ((CS.DEMOLISHED, 42), (CS.REGULARISED, 42), (CS.DISMISSED, 8), (CS.STOPPED, 5))
                if case.kind == BUILDING
                else ((CS.RETURNED, 35), (CS.REGULARISED, 55), (CS.STOPPED, 5))
            )
        status = rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]
        case.status = status
        if status == CS.DISMISSED:
            case.closed_on = min(found + dt.timedelta(days=rng.randint(2, 15)), self.today)
            case.close_note = "经核实，属于依法批准的建设，不属于违法建设。"
            return
        if status != CS.REGULARISED or rng.random() < 0.5:
            case.stopped_on = min(found + dt.timedelta(days=stop), self.today)
        if status == CS.STOPPED:
            return
        start = case.stopped_on or found
        longest = 60 if case.is_new else 500
        case.closed_on = min(start + dt.timedelta(days=rng.randint(3, longest)), self.today)
        if status == CS.DEMOLISHED:
            assert case.area is not None  # noqa: S101 - every case here has its area
            share = 1.0 if rng.random() < 0.85 else rng.uniform(0.5, 0.95)
            case.demolished_area = case.area if share == 1.0 else area(float(case.area) * share)
            case.close_note = "已依法拆除，恢复原状。"
        elif status == CS.RETURNED:
            case.close_note = "经劝导，搬迁人员已返回原籍，简易房已拆除。"
        else:
            case.close_note = (
                "已补办规划建设手续，纳入属地管理。"
                if case.kind == BUILDING
                else "符合条件，已纳入属地管理并就地安置。"
            )


def _patrol_reports() -> dict[int, list[tuple[int, dt.date, int, float | None, float | None, str]]]:
    """The patrols' 违法建设 reports of the event history (township id → (event id, day
    reported, village id, lon, lat, address), oldest first); none are a case yet."""
    zone = ZoneInfo(settings.TIME_ZONE)
    found: dict[int, list[tuple[int, dt.date, int, float | None, float | None, str]]] = defaultdict(
        list
    )
    rows = (
        Event.objects.filter(
            category__code__startswith="WFJS",
            source=EventSource.PATROL,
            village__isnull=False,
            township__isnull=False,
            construction_case__isnull=True,
        )
        .order_by("reported_at", "pk")
        .values_list("pk", "reported_at", "township_id", "village_id", "lon", "lat", "address")
    )
    for pk, reported, township_id, village_id, lon, lat, address in rows:
        day = reported.astimezone(zone).date()
        found[township_id].append((pk, day, village_id, lon, lat, address or ""))
    return found


def seed_construction(rng: random.Random, today: dt.date) -> tuple[int, int]:
    """The cases of every township since 2016 (see the module docstring): counts of
    cases and of new ones."""
    townships = list(
        Unit.objects.filter(kind__in=(UnitKind.TOWNSHIP, UnitKind.STREET), active=True)
        .defer("geometry")
        .order_by("code")
    )
    villages: dict[int, list[Unit]] = defaultdict(list)
    for village in Unit.objects.filter(
        parent__in=townships, kind__in=VILLAGE_LEVEL, active=True
    ).order_by("code"):
        villages[village.parent_id or 0].append(village)
    policies = policies_for(v for vs in villages.values() for v in vs)
    reports = _patrol_reports()
    events_from = min((r[0][1] for r in reports.values() if r), default=today)
    writer = _Cases(rng, today)
    for township in townships:
        own = villages.get(township.pk)
        if not own:
            continue
        busy = township.code in PERI_URBAN_TOWNSHIPS or township.code in LAKE_TOWNSHIPS
        street = township.kind == UnitKind.STREET
        first = len(writer.cases)
        old = rng.randint(25, 60) if busy else rng.randint(8, 20) if street else rng.randint(5, 18)
        for _n in range(old):
            village = rng.choice(own)
            kind = RELOCATION if not street and rng.random() < 0.15 else BUILDING
            if rng.random() < 0.85:
                found = dt.date(FIRST_YEAR, 3, 1) + dt.timedelta(days=rng.randint(0, 1400))
            else:
                found = dt.date(2020, 1, 1) + dt.timedelta(
                    days=rng.randint(0, max((today - dt.date(2020, 1, 1)).days - 30, 1))
                )
            writer.case(township, village, policies[village.pk], kind, found, new=False)
        draws: list[tuple[ConstructionKind, dt.date]] = []
        for year in range(FIRST_YEAR, today.year + 1):
            mean = (4.0 - 0.3 * (year - FIRST_YEAR)) if busy else 0.35
            year_end = min(dt.date(year, 12, 31), today - dt.timedelta(days=1))
            span = (year_end - dt.date(year, 1, 1)).days
            if span < 0:
                continue
            for _n in range(_poisson(rng, max(mean, 0.8 if busy else 0.2) * (span + 1) / 365)):
                day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, span))
                kind = RELOCATION if not street and rng.random() < 0.2 else BUILDING
                draws.append((kind, day))
        patrolled = sum(1 for k, d in draws if k == BUILDING and d >= events_from)
        offered = reports.get(township.pk, [])
        taken = sorted(rng.sample(offered, min(patrolled, len(offered))))
        by_village = {v.pk: v for v in own}
        for kind, day in draws:
            event = None
            if kind == BUILDING and day >= events_from and taken:
                event = taken.pop(0)
                day = event[1]
            village = by_village.get(event[2]) if event else None
            village = village or rng.choice(own)
            writer.case(township, village, policies[village.pk], kind, day, new=True, event=event)
        for code, days, status in OVERDUE:
            if code == township.code:
                day = writer.calendar.add_workdays(today - dt.timedelta(days=days), 0)
                village = rng.choice(own)
                case = writer.case(township, village, policies[village.pk], BUILDING, day, new=True)
                case.status = status
                case.stopped_on = day + dt.timedelta(days=1) if status == CS.STOPPED else None
                case.closed_on = case.demolished_area = None
                case.close_note = ""
        _number(writer.cases[first:], township)
    ConstructionCase.objects.bulk_create(writer.cases, batch_size=2000)
    return len(writer.cases), sum(1 for c in writer.cases if c.is_new)


def _number(cases: list[ConstructionCase], township: Unit) -> None:
    """Numbers by kind, year and order found: ``WJ5134011012016001``."""
    seen: dict[tuple[str, int], int] = {}
    for case in sorted(cases, key=lambda c: (c.found_on, c.kind)):
        key = (case.kind, case.found_on.year)
        seen[key] = seen.get(key, 0) + 1
        prefix = "WJ" if case.kind == BUILDING else "BQ"
        case.number = f"{prefix}{township.code}{case.found_on.year}{seen[key]:03d}"


# --- 邛海天窗 ----------------------------------------------------------------------------------


def seed_windows(rng: random.Random, today: dt.date) -> int:
    """The 天窗 parcels of the lakeside townships' villages (see the module docstring);
    how many."""
    units = list(
        Unit.objects.filter(
            parent__code__in=WINDOW_TOWNSHIPS, kind__in=VILLAGE_LEVEL, active=True
        ).order_by("code")
    )
    if not units:
        return 0
    policies = policies_for(units)
    order = list(units)
    rng.shuffle(order)
    count = 7 * 10
    per_unit: dict[int, int] = {}
    per_year: dict[int, int] = {}
    windows: list[Window] = []
    elapsed = (today - dt.date(today.year, 1, 1)).days / 365.0
    for i in range(count):
        unit = order[i % len(order)]
        policy = policies[unit.pk]
        length = policy.window_last_year - policy.window_first_year + 1
        year = policy.window_first_year + i % length
        per_unit[unit.pk] = per_unit.get(unit.pk, 0) + 1
        per_year[year] = per_year.get(year, 0) + 1
        size = area(min(rng.lognormvariate(math.log(9000), 0.7), 60000) + 500)
        if year < today.year:
            progress = 1.0 if rng.random() < 0.85 else rng.uniform(0.4, 0.9)
        elif year == today.year:
            progress = min(1.0, elapsed * rng.uniform(0.5, 1.4))
        elif year == today.year + 1 and rng.random() < 0.15:
            progress = rng.uniform(0.05, 0.3)
        else:
            progress = 0.0
        if progress >= 0.98:
            status, restored = WindowStatus.RESTORED, size
            day = dt.date(year, rng.randint(3, 12), rng.randint(1, 28))
            restored_on: dt.date | None = min(day, today - dt.timedelta(days=rng.randint(1, 20)))
        elif progress > 0.02:
            status, restored, restored_on = (
                WindowStatus.UNDERWAY,
                area(float(size) * progress),
                None,
            )
        else:
            status, restored, restored_on = WindowStatus.PLANNED, Decimal(0), None
        lon, lat = points_in(unit, 1, rng)[0]
        kind = rng.choice(WINDOW_KINDS)
        windows.append(
            Window(
                unit=unit,
                code=f"QHTC{year}{per_year[year]:03d}",
                name=f"{short_name(unit.name)}{kind}{per_unit[unit.pk]}号地块",
                area=size,
                plan_year=year,
                status=status,
                restored_area=restored,
                restored_on=restored_on,
                lat=round(lat, 6) if lat is not None else None,
                lon=round(lon, 6) if lon is not None else None,
                geometry=square(lon, lat, float(size))
                if lon is not None and lat is not None
                else None,
                note=f"邛海天窗补齐{year}年度计划",
            )
        )
    Window.objects.bulk_create(windows, batch_size=2000)
    return len(windows)
