"""The demo's special registers (专项台账) of 西昌.

``seed_registers(rng=…)`` writes directly through the models, in bulk (the registers'
actions serve clerks one record at a time; the demo keeps the invariants they keep):

- **homesteads** (宅基地) of the registered households of 礼州镇's villages (made by
  :mod:`grassroots.demo.residents`): most hold one parcel, about 3 % two (an old house
  beside the new one), about 2 % a parcel above the area standard of their village's
  policy; parcel codes (宗地编码) unique per village, approval documents for most, a point
  and a small boundary inside the household's grid. And the 一户一宅 rectification cases
  the check would have opened — one per household holding more than one parcel, one per
  parcel above the standard —, found by the village's check about a year ago or in the
  last weeks, due ``rectify_workdays`` working days later: many rectified already (the
  extra parcel given back, the excess area handed back), some being rectified, the
  rest open (the older ones overdue). Every finding that still holds has its open case;
- **poverty-relapse monitoring** (防返贫监测): the households whose members the residents'
  seed put in the 防返贫监测户 group, with their kind, risks, income, assistance
  measures and reviews (回访) every ``review_every_days`` days since they were taken in,
  most on time, some late; those whose care ended had their risk removed on that day;
- **collective income** (村集体经济) of every village and community of the tree for the
  last two years and this year so far, by source, with this year's target;
- the illegal construction and relocation cases and the 邛海天窗 parcels:
  :mod:`grassroots.demo.registers_cases`.

Deterministic for a given ``rng`` seed and "now".
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any, Final

from django.db.models import Count
from django.utils import timezone

from grassroots.common.workdays import current_calendar
from grassroots.demo.cadres import DEMO_TOWNSHIP
from grassroots.demo.geometry import from_geojson, sample_points
from grassroots.org.divisions import short_name
from grassroots.org.models import VILLAGE_LEVEL, Membership, Role, Unit, UnitKind, User
from grassroots.registers.models import (
    Assistance,
    CollectiveIncome,
    Homestead,
    HomesteadCase,
    IncomeTarget,
    MonitoredHousehold,
    Review,
)
from grassroots.registers.queries import policies_for
from grassroots.registers.states import (
    AssistanceKind,
    HomesteadCaseKind,
    HomesteadCaseStatus,
    IncomeSource,
    MonitorKind,
    MonitorStatus,
    Risk,
)
from grassroots.residents.models import Household, KeyPerson, Resident
from grassroots.residents.states import PersonStatus, Relationship, Residence

ProgressCallback = Callable[[str, int, int | None], None]

BATCH: Final = 2000
CENT: Final = Decimal("0.01")
METRES_PER_DEGREE: Final = 111_320.0


@dataclass(slots=True)
class RegisterSummary:
    """What ``seed_registers`` wrote."""

    homesteads: int = 0
    homestead_cases: int = 0
    construction_cases: int = 0
    new_construction_cases: int = 0
    windows: int = 0
    monitored: int = 0
    reviews: int = 0
    income_rows: int = 0
    income_targets: int = 0


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def area(value: float) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_DOWN)


def square(lon: float, lat: float, square_metres: float) -> dict[str, Any]:
    """A GeoJSON square of about ``square_metres`` centred on (lon, lat)."""
    half = math.sqrt(square_metres) / 2
    dlat = half / METRES_PER_DEGREE
    dlon = half / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    ring = [
        [round(lon - dlon, 7), round(lat - dlat, 7)],
        [round(lon + dlon, 7), round(lat - dlat, 7)],
        [round(lon + dlon, 7), round(lat + dlat, 7)],
        [round(lon - dlon, 7), round(lat + dlat, 7)],
        [round(lon - dlon, 7), round(lat - dlat, 7)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def points_in(
    unit: Unit, count: int, rng: random.Random
) -> list[tuple[float | None, float | None]]:
    """``count`` (lon, lat) points inside ``unit``'s boundary (None, None without one)."""
    if not unit.geometry or count <= 0:
        return [(None, None)] * count
    return [(lon, lat) for lon, lat in sample_points(from_geojson(unit.geometry), count, rng)]


def village_cadres() -> dict[int, User]:
    """The demo village cadre login of each village that has one (village id → user)."""
    found: dict[int, User] = {}
    for membership in (
        Membership.objects.filter(role=Role.VILLAGE_CADRE).select_related("user").order_by("pk")
    ):
        found.setdefault(membership.unit_id, membership.user)
    return found


def _workday_near(day: dt.date) -> dt.date:
    return current_calendar().add_workdays(day, 0)


# --- 一户一宅 ------------------------------------------------------------------------------

APPROVERS: Final = ("西府宅批", "西国土宅字", "礼州镇宅审")


class _Homesteads:
    """The parcels of the demo township's village households, and the check's cases."""

    def __init__(self, rng: random.Random, today: dt.date, township: Unit) -> None:
        self.rng = rng
        self.today = today
        self.township = township
        self.parcels: list[Homestead] = []
        #: The parcels of each household (in the order made).
        self.held: dict[int, list[Homestead]] = defaultdict(list)
        self.numbers: dict[int, int] = {}

    def parcel_number(self, village: Unit) -> str:
        n = self.numbers.get(village.pk, 0) + 1
        self.numbers[village.pk] = n
        return f"{village.code}JC{n:05d}"

    def build(self, limits: dict[int, Decimal]) -> None:
        rng = self.rng
        households = list(
            Household.objects.filter(
                village__parent=self.township,
                village__kind=UnitKind.VILLAGE,
                members__relationship=Relationship.HEAD,
                members__residence=Residence.REGISTERED,
            )
            .select_related("grid", "village")
            .order_by("grid__path", "number")
        )
        by_grid: dict[int, list[Household]] = defaultdict(list)
        for household in households:
            by_grid[household.grid_id].append(household)
        for grid_households in by_grid.values():
            grid = grid_households[0].grid
            counts = [2 if rng.random() < 0.03 else 1 for _h in grid_households]
            spots = iter(points_in(grid, sum(counts), rng))
            for household, count in zip(grid_households, counts, strict=True):
                limit = float(limits[household.village_id])
                for n in range(count):
                    if n == 0 and rng.random() < 0.02:
                        size = rng.uniform(limit + 1, limit + 110)
                    elif n == 0:
                        size = min(limit, max(45.0, rng.gauss(limit * 0.72, limit * 0.16)))
                    else:
                        size = rng.uniform(55, limit * 0.95)
                    self.parcel(household, area(size), next(spots), second=n > 0)

    def parcel(
        self,
        household: Household,
        size: Decimal,
        spot: tuple[float | None, float | None],
        *,
        second: bool,
    ) -> None:
        rng = self.rng
        village = household.village
        approved = rng.random() < (0.55 if second else 0.8)
        year = rng.randint(1986, 2008) if second else rng.randint(1988, 2022)
        approved_on = dt.date(year, rng.randint(1, 12), rng.randint(1, 28)) if approved else None
        lon, lat = spot
        address = household.address
        if second:
            group = rng.randint(1, 9)
            address = f"{self.township.name}{short_name(village.name)}{group}组（老宅）"
        homestead = Homestead(
            unit=village,
            household=household,
            parcel_number=self.parcel_number(village),
            area=size,
            approval_document=(
                f"{rng.choice(APPROVERS)}〔{year}〕{rng.randint(1, 300)}号" if approved else ""
            ),
            approved_on=approved_on,
            address=address,
            lat=round(lat, 6) if lat is not None else None,
            lon=round(lon, 6) if lon is not None else None,
            geometry=square(lon, lat, float(size)) if lon is not None and lat is not None else None,
            note="" if approved else "历史形成，未办理审批手续",
        )
        self.parcels.append(homestead)
        self.held[household.pk].append(homestead)

    def cases(self, limits: dict[int, Decimal], workdays: dict[int, int]) -> list[HomesteadCase]:
        """The check's cases: found at the village's first check (about a year ago) or its
        latest (the last weeks); rectified ones changed their parcels accordingly."""
        rng = self.rng
        today = self.today
        checks: dict[int, tuple[dt.date, dt.date]] = {}
        calendar = current_calendar()
        made: list[HomesteadCase] = []
        for parcels in self.held.values():
            household = parcels[0].household
            village = household.village
            if village.pk not in checks:
                first = _workday_near(today - dt.timedelta(days=rng.randint(300, 420)))
                latest = _workday_near(today - dt.timedelta(days=rng.randint(7, 45)))
                checks[village.pk] = (first, min(latest, today))
            limit = limits[village.pk]
            findings: list[tuple[str, Homestead | None]] = []
            if len(parcels) > 1:
                findings.append((HomesteadCaseKind.MULTIPLE, None))
            findings += [(HomesteadCaseKind.OVERSIZE, p) for p in parcels if p.area > limit]
            for kind, parcel in findings:
                early = rng.random() < 0.6
                found = checks[village.pk][0 if early else 1]
                status = rng.choices(
                    (HomesteadCaseStatus.RECTIFIED, HomesteadCaseStatus.RECTIFYING,
                     HomesteadCaseStatus.OPEN),
                    weights=(55, 20, 25) if early else (5, 25, 70),
                )[0]  # fmt: skip
                case = HomesteadCase(
                    unit=village,
                    kind=kind,
                    household=household,
                    homestead=parcel,
                    finding=self.finding(kind, parcels, parcel, limit),
                    found_on=found,
                    due_on=calendar.add_workdays(found, workdays[village.pk]),
                    status=status,
                )
                if status != HomesteadCaseStatus.OPEN:
                    case.measures = (
                        "已与户主签订退出协议，拆除旧房后由村集体收回。"
                        if kind == HomesteadCaseKind.MULTIPLE
                        else "已下达整改通知书，户主承诺拆除超占部分的附属用房。"
                    )
                if status == HomesteadCaseStatus.RECTIFIED:
                    self.rectify(case, parcels, parcel, limit)
                made.append(case)
        return made

    @staticmethod
    def finding(
        kind: str, parcels: list[Homestead], parcel: Homestead | None, limit: Decimal
    ) -> str:
        if kind == HomesteadCaseKind.MULTIPLE:
            listed = "、".join(f"{p.parcel_number}（{p.area} m²）" for p in parcels)
            return f"一户持有{len(parcels)}处宅基地：{listed}。"
        assert parcel is not None  # noqa: S101 - an oversize finding names its parcel
        return f"宗地{parcel.parcel_number}面积{parcel.area} m²，超过{limit} m²的标准。"

    def rectify(
        self,
        case: HomesteadCase,
        parcels: list[Homestead],
        parcel: Homestead | None,
        limit: Decimal,
    ) -> None:
        rng = self.rng
        closed = case.found_on + dt.timedelta(days=rng.randint(20, 200))
        case.closed_on = min(closed, self.today)
        if case.kind == HomesteadCaseKind.MULTIPLE:
            given_back = parcels[-1]
            given_back.active = False
            given_back.note = f"一户多宅整改：{case.closed_on:%Y年%m月}退出，由村集体收回"
            case.close_note = "多余宅基地已退出，由村集体收回。"
        else:
            assert parcel is not None  # noqa: S101 - an oversize case names its parcel
            parcel.note = f"原面积{parcel.area} m²，超占部分已于{case.closed_on:%Y年%m月}退还村集体"
            parcel.area = area(rng.uniform(float(limit) - 12, float(limit)))
            case.close_note = "超占部分已拆除退还，面积已核减。"


def seed_homesteads(rng: random.Random, today: dt.date, township: Unit) -> tuple[int, int]:
    """The homesteads of the demo township's village households and the check's cases
    (counts of both)."""
    villages = list(Unit.objects.filter(parent=township, kind=UnitKind.VILLAGE).defer("geometry"))
    policies = policies_for(villages)
    limits = {pk: Decimal(p.homestead_area_limit) for pk, p in policies.items()}
    workdays = {pk: p.rectify_workdays for pk, p in policies.items()}
    register = _Homesteads(rng, today, township)
    register.build(limits)
    cases = register.cases(limits, workdays)
    Homestead.objects.bulk_create(register.parcels, batch_size=BATCH)
    HomesteadCase.objects.bulk_create(cases, batch_size=BATCH)
    return len(register.parcels), len(cases)


# --- 防返贫监测 --------------------------------------------------------------------------------

ASSISTANCE: Final[dict[str, tuple[tuple[str, int, int], ...]]] = {
    # kind: (description, lowest amount, highest amount; 0: no amount)
    AssistanceKind.INDUSTRY: (("发放脐橙苗木及肥料，发展庭院经济", 2000, 8000),
                              ("扶持养殖西门塔尔牛2头", 6000, 12000)),
    AssistanceKind.EMPLOYMENT: (("推荐至西昌钒钛产业园区务工", 0, 0),
                                ("安排村级公益性岗位（护林员）", 6000, 9600)),
    AssistanceKind.HEALTH: (("落实医疗救助和大病保险倾斜支付", 1500, 20000),),
    AssistanceKind.EDUCATION: (("落实雨露计划职业教育补助", 3000, 3000),
                               ("发放义务教育阶段学生生活补助", 1000, 1250)),
    AssistanceKind.HOUSING: (("实施农村危房改造", 15000, 35000),),
    AssistanceKind.SAFETY_NET: (("纳入农村低保兜底保障", 0, 0),),
    AssistanceKind.CREDIT: (("发放脱贫人口小额信贷", 30000, 50000),),
}  # fmt: skip
RISK_ASSISTANCE: Final = {
    Risk.ILLNESS: AssistanceKind.HEALTH,
    Risk.DISABILITY: AssistanceKind.SAFETY_NET,
    Risk.SCHOOLING: AssistanceKind.EDUCATION,
    Risk.DISASTER: AssistanceKind.HOUSING,
    Risk.ACCIDENT: AssistanceKind.HEALTH,
    Risk.LABOUR: AssistanceKind.SAFETY_NET,
    Risk.JOBS: AssistanceKind.EMPLOYMENT,
    Risk.INDUSTRY: AssistanceKind.INDUSTRY,
}
REVIEW_NOTES: Final = (
    "入户核实家庭收支情况，帮扶措施落实到位。",
    "务工收入较上季度有所增加，继续跟踪监测。",
    "医疗费用已按政策报销，家庭负担减轻。",
    "产业收益稳定，暂无新增风险。",
)


def seed_monitoring(rng: random.Random, today: dt.date, township: Unit) -> tuple[int, int]:
    """The monitored households of the demo township (those whose members are in the
    防返贫监测户 key group), with assistance and reviews (counts of households and
    reviews)."""
    people = list(
        KeyPerson.objects.filter(
            group__code="relapse_monitor", grid__path__startswith=township.path
        )
        .select_related("resident__household__village")
        .order_by("resident__household__village__code", "resident__household__number", "pk")
    )
    households: dict[int, tuple[Household, dt.date, dt.date | None]] = {}
    for person in people:
        household = person.resident.household
        known = households.get(household.pk)
        since = person.since if known is None else min(known[1], person.since)
        households[household.pk] = (household, since, person.ended_on)
    if not households:
        return 0, 0
    members = dict(
        Resident.objects.filter(household_id__in=list(households), status=PersonStatus.PRESENT)
        .order_by()
        .values("household_id")
        .annotate(n=Count("pk"))
        .values_list("household_id", "n")
    )
    villages = Unit.objects.filter(pk__in={h.village_id for h, _s, _e in households.values()})
    every = {pk: p.review_every_days for pk, p in policies_for(villages).items()}
    cadres = village_cadres()
    monitored: list[MonitoredHousehold] = []
    reviews: list[Review] = []
    measures: list[Assistance] = []
    for household, since, ended in households.values():
        cadre = cadres.get(household.village_id)
        risks = rng.sample([r for r in Risk if r != Risk.OTHER], rng.choice((1, 1, 2)))
        income = rng.uniform(5200, 8200)
        record = MonitoredHousehold(
            unit=household.village,
            household=household,
            kind=rng.choices(list(MonitorKind), weights=(40, 40, 20))[0],
            risks=[str(r) for r in risks],
            since=since,
            members=max(members.get(household.pk, 1), 1),
            income_per_capita=money(income),
        )
        days = review_days(
            rng, since, every[household.village_id], ended or today, removed=ended is not None
        )
        last = days[-1] if days else None
        for n, day in enumerate(days):
            income *= rng.uniform(1.0, 1.06)
            removed = ended is not None and n == len(days) - 1
            reviews.append(
                Review(
                    monitored=record,
                    reviewed_on=day,
                    income_per_capita=money(income),
                    risk_removed=removed,
                    note="家庭收入稳定超过监测范围，风险已消除。"
                    if removed
                    else rng.choice(REVIEW_NOTES),
                    reviewer=cadre,
                )
            )
        record.income_per_capita = money(income)
        record.last_reviewed_on = last
        record.review_due_on = (last or since) + dt.timedelta(days=every[household.village_id])
        if ended is not None:
            record.status = MonitorStatus.REMOVED
            record.removed_on = ended
        monitored.append(record)
        kinds = [RISK_ASSISTANCE[r] for r in risks]
        if rng.random() < 0.6:
            kinds.append(rng.choice((AssistanceKind.INDUSTRY, AssistanceKind.EMPLOYMENT)))
        for kind in dict.fromkeys(kinds):  # each kind once, in order
            text, low, high = rng.choice(ASSISTANCE[kind])
            started = min(since + dt.timedelta(days=rng.randint(3, 60)), ended or today, today)
            measures.append(
                Assistance(
                    monitored=record,
                    kind=kind,
                    started_on=started,
                    description=text,
                    amount=money(rng.randint(low // 100, high // 100) * 100) if high else None,
                    created_by=cadre,
                )
            )
    MonitoredHousehold.objects.bulk_create(monitored, batch_size=BATCH)
    Review.objects.bulk_create(reviews, batch_size=BATCH)
    Assistance.objects.bulk_create(measures, batch_size=BATCH)
    return len(monitored), len(reviews)


def review_days(
    rng: random.Random, since: dt.date, every: int, end: dt.date, *, removed: bool
) -> list[dt.date]:
    """The review days of a household monitored since ``since`` up to ``end`` (today, or
    the day its risk was removed, which has the last review): each mostly a little before
    it is due, sometimes late (15 %), now and then much later (5 %)."""
    days: list[dt.date] = []
    day = since + dt.timedelta(days=rng.randint(20, every))
    while day < end or (day == end and not removed):
        days.append(day)
        due = day + dt.timedelta(days=every)
        roll = rng.random()
        if roll < 0.8:
            day = due - dt.timedelta(days=rng.randint(0, every // 5))
        elif roll < 0.95:
            day = due + dt.timedelta(days=rng.randint(1, 30))
        else:
            day = due + dt.timedelta(days=rng.randint(31, every))
    if removed:
        days.append(end)
    return days


# --- 村集体经济 --------------------------------------------------------------------------------

#: Typical shares of each source (villages; communities rent out more).
SOURCE_SHARES: Final = {
    UnitKind.VILLAGE: {
        IncomeSource.OPERATING: 0.25,
        IncomeSource.CONTRACTING: 0.35,
        IncomeSource.INVESTMENT: 0.1,
        IncomeSource.SUBSIDY: 0.2,
        IncomeSource.OTHER: 0.1,
    },
    UnitKind.COMMUNITY: {
        IncomeSource.OPERATING: 0.2,
        IncomeSource.CONTRACTING: 0.5,
        IncomeSource.INVESTMENT: 0.1,
        IncomeSource.SUBSIDY: 0.12,
        IncomeSource.OTHER: 0.08,
    },
}


def seed_income(rng: random.Random, today: dt.date) -> tuple[int, int]:
    """Every village's and community's collective income of the last two years and this
    year so far, by source, and this year's target (counts of rows and targets)."""
    villages = list(
        Unit.objects.filter(kind__in=VILLAGE_LEVEL, active=True).defer("geometry").order_by("path")
    )
    year = today.year
    elapsed = (today - dt.date(year, 1, 1)).days / 365.0
    rows: list[CollectiveIncome] = []
    targets: list[IncomeTarget] = []
    for village in villages:
        community = village.kind == UnitKind.COMMUNITY
        total = rng.lognormvariate(math.log(300_000 if community else 120_000), 0.55)
        shares = SOURCE_SHARES[UnitKind.COMMUNITY if community else UnitKind.VILLAGE]
        weights = {s: w * rng.uniform(0.4, 1.6) for s, w in shares.items()}
        if rng.random() < 0.4:
            weights[IncomeSource.INVESTMENT] = 0.0
        weight_sum = sum(weights.values())
        growth = rng.uniform(0.92, 1.25)
        totals = {year - 2: total, year - 1: total * growth}
        totals[year] = totals[year - 1] * rng.uniform(0.95, 1.2) * elapsed
        for when, amount in totals.items():
            for source, weight in weights.items():
                if weight <= 0 or amount <= 0:
                    continue
                share = amount * weight / weight_sum * rng.uniform(0.9, 1.1)
                rows.append(
                    CollectiveIncome(unit=village, year=when, source=source, amount=money(share))
                )
        target = round(totals[year - 1] * rng.uniform(1.08, 1.2), -3)
        targets.append(IncomeTarget(unit=village, year=year, amount=money(max(target, 1000))))
    CollectiveIncome.objects.bulk_create(rows, batch_size=BATCH)
    IncomeTarget.objects.bulk_create(targets, batch_size=BATCH)
    return len(rows), len(targets)


# --- the seed --------------------------------------------------------------------------------


def seed_registers(
    *, rng: random.Random, progress: ProgressCallback | None = None
) -> RegisterSummary:
    """Every register of the demo (see the module docstring); what was written."""
    from grassroots.demo.registers_cases import seed_construction, seed_windows

    today = timezone.localdate()
    summary = RegisterSummary()
    phase = "专项台账 (registers)"
    township = Unit.objects.filter(code=DEMO_TOWNSHIP).defer("geometry").first()
    if township is not None:
        summary.homesteads, summary.homestead_cases = seed_homesteads(rng, today, township)
        summary.monitored, summary.reviews = seed_monitoring(rng, today, township)
    if progress is not None:
        progress(phase, 1, 4)
    summary.construction_cases, summary.new_construction_cases = seed_construction(rng, today)
    if progress is not None:
        progress(phase, 2, 4)
    summary.windows = seed_windows(rng, today)
    if progress is not None:
        progress(phase, 3, 4)
    summary.income_rows, summary.income_targets = seed_income(rng, today)
    if progress is not None:
        progress(phase, 4, 4)
    return summary
