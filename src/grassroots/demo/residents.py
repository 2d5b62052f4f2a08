"""The demo's people and places of 礼州镇's grids (人、地、事、物) and their care visits (走访).

``seed_residents(months=…, rng=…)`` writes, for every grid of the demo township, directly
through the models and in bulk (the residents' actions serve people one record at a time;
the demo keeps the invariants they keep):

- **places**: in a community's grids two to four residential compounds with their property
  managers, in a village's grids a few notable private houses; everywhere one or two large
  rentals (出租大院) with the landlord and the rooms let, a handful of shops, now and then
  a school, clinic or village office — each with a manager, a phone and a position inside
  the grid;
- **households and residents**: a share of the grid's planned households (``GRID_SHARE``,
  at most ``GRID_CAP`` a grid, so that seeding stays fast) — elderly people alone, elderly
  couples, young couples with children, three generations, people living with their
  parents…; Han and Yi names (a quarter of the villages' families are Yi), valid ID numbers
  (GB 11643, region 513401, birth date and gender agreeing, ``id_digest`` their blind
  index), phones for most adults; one head per household, present while the household
  lives here; about a tenth floating population (流动人口, in rentals and compounds, with
  the day they moved in); members who moved out or died, with the dates, and a few whole
  households moved away; 户号 unique within each village;
- **people in care** (重点人群) of the key groups the city configured: elderly people
  living alone, empty nesters, left-behind children (父母在外务工), disabled people,
  subsistence (低保/特困), the members of poverty-relapse monitored households (the
  registers' seed makes their monitoring records from these), serious and mental
  illness, community correction, veterans; some in care for years, some put in care
  recently, a few whose care ended (with the reason);
- **visits** over the last ``months`` months, by the grid's demo grid worker where the
  grid has one: mostly on time, some late, some nobody at home (not counted), a few that
  found a problem (``Visit.event`` is left empty); every person in care from before the
  history was visited in it, and ``due_on`` is the last effective visit (or ``since``)
  plus the group's frequency, so some visits are overdue today.

Deterministic for a given ``rng`` seed and "now".
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, TypeAlias

from django.utils import timezone

from grassroots.cadres.shape import add_years
from grassroots.common.crypto import digest
from grassroots.common.idnumbers import id_check_char
from grassroots.demo.cadres import (
    DEMO_COUNTY,
    DEMO_TOWNSHIP,
    HAN_FEMALE,
    HAN_MALE,
    HAN_SURNAMES,
    YI_CLANS,
    YI_FEMALE,
    YI_MALE,
)
from grassroots.demo.geometry import from_geojson, sample_points
from grassroots.org.divisions import short_name
from grassroots.org.models import PATH_SEPARATOR, Membership, Role, Unit, UnitKind, User
from grassroots.residents.models import Household, KeyGroup, KeyPerson, Place, Resident, Visit
from grassroots.residents.states import (
    Gender,
    HouseholdStatus,
    Met,
    PersonStatus,
    PlaceKind,
    Relationship,
    Residence,
)

ProgressCallback = Callable[[str, int, int | None], None]

#: The share of a grid's planned households that the demo enters, and the most per grid.
GRID_SHARE: Final = 0.3
GRID_CAP: Final = 150
BATCH: Final = 2000
#: Share of Yi families (彝族) among the registered households, by kind of place.
YI_SHARE: Final[dict[str, float]] = {UnitKind.VILLAGE: 0.25, UnitKind.COMMUNITY: 0.12}
#: Share of households that are floating population (流动人口), by kind of place.
FLOATING_SHARE: Final[dict[str, float]] = {UnitKind.VILLAGE: 0.14, UnitKind.COMMUNITY: 0.22}

M, F = Gender.MALE, Gender.FEMALE
R = Relationship

# --- names ---------------------------------------------------------------------------------

HAN_MALE_OLD: Final = ("德明", "富贵", "国华", "正清", "光明", "志华", "家富", "永福", "德全",
                       "世明", "开云", "树林", "有才", "兴旺")  # fmt: skip
HAN_FEMALE_OLD: Final = ("秀英", "桂兰", "玉珍", "淑芬", "素华", "秀珍", "桂芳", "凤英",
                         "翠华", "兰芬", "德秀", "春香")  # fmt: skip
HAN_MALE_YOUNG: Final = ("子轩", "浩然", "宇航", "俊杰", "梓豪", "一鸣", "博文", "思远",
                         "锦程", "皓轩", "天佑", "明哲")  # fmt: skip
HAN_FEMALE_YOUNG: Final = ("欣怡", "雨桐", "梓涵", "诗琪", "思彤", "佳怡", "一诺", "可欣",
                           "紫萱", "语嫣", "梦瑶", "雨萱")  # fmt: skip
YI_MALE_MORE: Final = ("尔古", "阿牛", "木乃", "日古", "拉博", "阿西")
YI_FEMALE_MORE: Final = ("阿果", "拉姆", "阿各", "依莫", "么支")
PHONE_PREFIXES: Final = ("139", "138", "135", "158", "187", "182", "150", "177", "180", "199")

# --- places --------------------------------------------------------------------------------

COMPOUNDS: Final = ("苏祁花园", "古镇小区", "锦绣家园", "阳光丽景", "惠民新居", "滨河苑",
                    "安居小区", "邮政小区", "粮站宿舍", "供销社家属院", "新城嘉园",
                    "祥和苑", "礼州新居", "金色家园", "育才小区", "卫生院宿舍", "农贸市场小区",
                    "和平小区", "安宁河畔", "丰源小区", "凤凰苑", "书香名邸", "银杏小区",
                    "民生小区")  # fmt: skip
SHOPS: Final = ("超市", "农资店", "餐馆", "五金店", "理发店", "小卖部", "药店", "汽修店",
                "烧烤店", "建材店")  # fmt: skip
PUBLIC_PLACES: Final = (("党群服务中心", 8), ("卫生室", 3), ("幼儿园", 12), ("小学", 30))
MOVED_OUT_NOTES: Final = ("外出务工（广东东莞）", "外出务工（浙江宁波）", "婚嫁迁出",
                          "升学迁出（成都）", "迁往西昌城区", "参军入伍")  # fmt: skip

# --- care ----------------------------------------------------------------------------------

FINDINGS: Final[dict[str, tuple[str, ...]]] = {
    "elderly_alone": (
        "身体状况良好，生活能够自理，家中水电气使用安全。",
        "老人精神状态不错，已提醒按时服药、注意防寒保暖。",
        "帮助老人打扫院坝，检查了用电线路，无安全隐患。",
        "测量血压正常，已告知村医定期上门随访。",
    ),
    "empty_nest": (
        "老两口身体尚可，子女每月回家探望。",
        "已提醒注意防范电信诈骗，留下网格员联系电话。",
    ),
    "left_behind_child": (
        "孩子在校表现良好，祖父母监护到位。",
        "了解孩子学习情况，提醒防溺水、交通安全。",
        "与孩子父母视频通话，告知孩子近况。",
    ),
    "disabled": (
        "残疾人两项补贴按时发放，生活基本稳定。",
        "辅具使用正常，暂无新的困难诉求。",
    ),
    "subsistence": (
        "低保金按月到账，家庭收入无明显变化。",
        "核实家庭人口和收入情况，仍符合保障条件。",
    ),
    "relapse_monitor": (
        "家庭务工收入稳定，帮扶措施落实到位。",
        "了解产业发展情况，暂无返贫风险迹象。",
    ),
    "serious_illness": (
        "按时复诊服药，医保报销已办理。",
        "病情平稳，家属照护到位。",
    ),
    "mental_illness": (
        "病情稳定，按时服药，监护人落实看护责任。",
        "与卫生院医生共同随访，服药依从性良好。",
    ),
    "community_correction": (
        "按规定报告活动情况，思想稳定。",
        "遵守矫正规定，未发现异常。",
    ),
    "veteran": (
        "优抚金按时发放，生活稳定。",
        "走访慰问，了解就业和生活情况，无诉求。",
    ),
}
PROBLEMS: Final = (
    "房屋漏雨，需协调危房改造或修缮，已报告村委会。",
    "家中电线老化，存在火灾隐患，已报告村委会。",
    "反映补贴本月未到账，已向镇社会事务办反映。",
    "老人行动不便，独自就医困难，需协调帮扶。",
    "近期未按时服药，情绪不稳定，已联系卫生院医生。",
    "孩子近期多次逃学，已联系学校和家长共同教育。",
)
NOBODY_HOME: Final = "家中无人，电话未接通，改日再访。"
LEFT_BEHIND_NOTE: Final = "父母在外务工，由祖父母监护"


@dataclass(slots=True)
class ResidentSummary:
    """What ``seed_residents`` wrote."""

    places: int = 0
    households: int = 0
    residents: int = 0
    floating: int = 0
    people_in_care: int = 0
    visits: int = 0
    by_group: dict[str, int] = field(default_factory=dict)


class People:
    """Makes deterministic people: names, birthdays, ID numbers (unique), phones."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.taken: set[str] = set()

    def family_name(self, yi: bool) -> str:
        return self.rng.choice(YI_CLANS if yi else HAN_SURNAMES)

    def given_name(self, yi: bool, gender: str, born: dt.date) -> str:
        rng = self.rng
        female = gender == F
        if yi:
            return rng.choice((YI_FEMALE + YI_FEMALE_MORE) if female else (YI_MALE + YI_MALE_MORE))
        if born.year < 1965:
            return rng.choice(HAN_FEMALE_OLD if female else HAN_MALE_OLD)
        if born.year < 1995:
            return rng.choice(HAN_FEMALE if female else HAN_MALE)
        return rng.choice(HAN_FEMALE_YOUNG if female else HAN_MALE_YOUNG)

    def birthday(self, age: int) -> dt.date:
        """A birth date of someone ``age`` years old today."""
        return add_years(self.today, -age) - dt.timedelta(days=self.rng.randrange(365))

    def id_number(self, born: dt.date, gender: str) -> str:
        """A valid, unused 18-character ID number of 西昌 for this birth date and gender."""
        while True:
            order = self.rng.randrange(0, 500) * 2 + (1 if gender == M else 0)
            first17 = f"{DEMO_COUNTY}{born:%Y%m%d}{order:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.taken:
                self.taken.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"


def _other(gender: str) -> str:
    return F if gender == M else M


#: Kinds of household and their weights, by kind of place (registered households).
HOUSEHOLD_KINDS: Final[dict[str, tuple[tuple[str, int], ...]]] = {
    UnitKind.VILLAGE: (
        ("alone_elder", 7), ("elder_couple", 11), ("single", 7), ("couple", 7),
        ("nuclear", 30), ("three_gen", 24), ("with_parents", 10), ("siblings", 4),
    ),
    UnitKind.COMMUNITY: (
        ("alone_elder", 8), ("elder_couple", 12), ("single", 12), ("couple", 12),
        ("nuclear", 34), ("three_gen", 12), ("with_parents", 6), ("siblings", 4),
    ),
    "floating": (("single", 35), ("couple", 25), ("nuclear", 40)),
}  # fmt: skip


Member: TypeAlias = tuple[str, str, int]


def compose(rng: random.Random, kind: str) -> list[Member]:
    """The members of a household of ``kind``: (relationship, gender, age), head first."""
    r = rng.random
    if kind == "alone_elder":
        return [(R.HEAD, F if r() < 0.6 else M, rng.randint(62, 92))]
    if kind == "elder_couple":
        head = rng.randint(60, 85)
        g = M if r() < 0.85 else F
        return [(R.HEAD, g, head), (R.SPOUSE, _other(g), max(55, head + rng.randint(-5, 3)))]
    if kind == "single":
        return [(R.HEAD, M if r() < 0.55 else F, rng.randint(20, 58))]
    if kind == "siblings":
        head = rng.randint(25, 60)
        return [
            (R.HEAD, M if r() < 0.7 else F, head),
            (R.SIBLING, M if r() < 0.5 else F, max(18, head + rng.randint(-8, 8))),
        ]
    g = M if r() < 0.8 else F
    if kind == "couple":
        head = rng.randint(23, 58)
        return [(R.HEAD, g, head), (R.SPOUSE, _other(g), max(20, head + rng.randint(-4, 4)))]
    if kind == "nuclear":
        head = rng.randint(27, 55)
        members: list[Member] = [
            (R.HEAD, g, head),
            (R.SPOUSE, _other(g), max(22, head + rng.randint(-4, 4))),
        ]
        for _n in range(rng.choices((1, 2, 3), weights=(40, 45, 15))[0]):
            members.append((R.CHILD, M if r() < 0.52 else F, rng.randint(0, head - 22)))
        return members
    if kind == "three_gen":
        head = rng.randint(48, 72)
        g = M if r() < 0.85 else F
        child = rng.randint(max(20, head - 32), head - 22)
        child_g = M if r() < 0.75 else F
        members = [
            (R.HEAD, g, head),
            (R.SPOUSE, _other(g), max(45, head + rng.randint(-4, 3))),
            (R.CHILD, child_g, child),
            (R.CHILD_IN_LAW, _other(child_g), max(19, child + rng.randint(-3, 3))),
        ]
        for _n in range(rng.choices((1, 2, 3), weights=(45, 45, 10))[0]):
            members.append(
                (R.GRANDCHILD, M if r() < 0.52 else F, rng.randint(0, min(16, child - 20)))
            )
        return members
    # with_parents
    head = rng.randint(30, 50)
    members = [
        (R.HEAD, g, head),
        (R.SPOUSE, _other(g), max(25, head + rng.randint(-4, 4))),
    ]
    for _n in range(rng.choice((0, 1, 1, 2))):
        members.append((R.CHILD, M if r() < 0.52 else F, rng.randint(0, head - 24)))
    father = head + rng.randint(22, 32)
    if r() < 0.6:
        members.append((R.PARENT, M, father))
    members.append((R.PARENT, F, father + rng.randint(-4, 2)))
    return members


@dataclass(slots=True)
class _Family:
    """A household being built: the row, its kind, its members and where it lives."""

    household: Household
    kind: str
    members: list[Resident]
    community: bool
    left_behind: bool = False


class _Town:
    """The places, households and residents of the demo township's grids, then the care."""

    def __init__(self, rng: random.Random, today: dt.date, months: int, township: Unit) -> None:
        self.rng = rng
        self.today = today
        self.months = months
        self.township = township
        self.people = People(rng, today)
        self.summary = ResidentSummary()
        self.places: list[Place] = []
        self.families: list[_Family] = []
        #: The next 户号 of each village.
        self.numbers: dict[int, int] = {}
        #: Compound and public place names taken in each village.
        self.used: dict[int, set[str]] = {}

    # --- places ----------------------------------------------------------------------------

    def manager(self, yi_share: float) -> tuple[str, str, str]:
        """Someone who answers for a place: family name, full name, phone."""
        yi = self.rng.random() < yi_share
        gender = M if self.rng.random() < 0.65 else F
        born = self.people.birthday(self.rng.randint(30, 65))
        family = self.people.family_name(yi)
        return family, family + self.people.given_name(yi, gender, born), self.people.phone()

    def grid_places(
        self, grid: Unit, village: Unit, points: list[tuple[float, float]]
    ) -> dict[str, list[Place]]:
        """The places of one grid, by kind (appended to ``self.places``); compounds and
        public places are not repeated within a village."""
        rng = self.rng
        community = village.kind == UnitKind.COMMUNITY
        label = short_name(village.name)
        where = f"{self.township.name}{label}"
        yi_share = YI_SHARE.get(village.kind, 0.2)
        used = self.used.setdefault(village.pk, set())
        made: dict[str, list[Place]] = {}
        spots = iter(points)

        def add(
            kind: str,
            name: str,
            address: str,
            capacity: int,
            note: str = "",
            owner: tuple[str, str, str] | None = None,
        ) -> None:
            lon, lat = next(spots)
            _family, manager, phone = owner or self.manager(yi_share)
            place = Place(
                grid=grid, kind=kind, name=name, address=address, lat=round(lat, 6),
                lon=round(lon, 6), manager_name=manager, manager_phone=phone,
                capacity=capacity, note=note,
            )  # fmt: skip
            made.setdefault(kind, []).append(place)
            self.places.append(place)

        def street_number() -> str:
            return f"{where}{rng.randint(1, 9)}组{rng.randint(1, 99)}号"

        if community:
            free = [c for c in COMPOUNDS if c not in used]
            for name in rng.sample(free, min(len(free), rng.randint(2, 4))):
                used.add(name)
                add(
                    PlaceKind.COMPOUND, name, where + name, rng.randint(80, 400), "物业服务企业管理"
                )
        else:
            for _n in range(rng.randint(2, 5)):
                owner = self.manager(yi_share)
                floors = rng.choice("二三四")
                add(PlaceKind.HOUSE, f"{owner[0]}家自建房（{floors}层）", street_number(),
                    rng.randint(4, 14), owner=owner)  # fmt: skip
        for _n in range(rng.randint(1, 2)):
            owner = self.manager(yi_share)
            add(PlaceKind.RENTAL, f"{owner[0]}家出租大院", street_number(), rng.randint(8, 36),
                "出租房屋，登记流动人口", owner)  # fmt: skip
        for shop in rng.sample(SHOPS, rng.randint(3, 6)):
            owner = self.manager(yi_share)
            add(PlaceKind.BUSINESS, f"{owner[0]}家{shop}", street_number(), rng.randint(1, 8),
                owner=owner)  # fmt: skip
        public, staff = rng.choice(PUBLIC_PLACES)
        if rng.random() < 0.4 and public not in used:
            used.add(public)
            add(PlaceKind.PUBLIC, f"{label}{public}", street_number(), staff + rng.randint(0, 10))
        return made

    # --- households ------------------------------------------------------------------------

    def number(self, village: Unit) -> str:
        n = self.numbers.get(village.pk, 0) + 1
        self.numbers[village.pk] = n
        return f"{village.code[-3:]}{n:05d}"

    def grid(self, grid: Unit, village: Unit, places: dict[str, list[Place]]) -> None:
        """The households of one grid and their members."""
        rng = self.rng
        community = village.kind == UnitKind.COMMUNITY
        label = short_name(village.name)
        count = min(GRID_CAP, round(grid.households * GRID_SHARE))
        floating_share = FLOATING_SHARE.get(village.kind, 0.1)
        compounds = places.get(PlaceKind.COMPOUND, [])
        houses = list(places.get(PlaceKind.HOUSE, []))
        rentals = places.get(PlaceKind.RENTAL, [])
        for _n in range(count):
            floating = rng.random() < floating_share
            kinds = HOUSEHOLD_KINDS["floating" if floating else village.kind]
            kind = rng.choices([k for k, _w in kinds], weights=[w for _k, w in kinds])[0]
            place: Place | None = None
            if floating and rentals:
                place = rng.choice(rentals)
                address = f"{place.address}（{rng.randint(1, 30)}号房）"
            elif community and compounds:
                place = rng.choice(compounds)
                address = (
                    f"{place.address}{rng.randint(1, 12)}栋{rng.randint(1, 3)}单元"
                    f"{rng.randint(1, 7)}{rng.randint(1, 4):02d}号"
                )
            elif houses and not floating and rng.random() < 0.5:
                place = houses.pop()
                address = place.address
            else:
                address = f"{self.township.name}{label}{rng.randint(1, 9)}组{rng.randint(1, 99)}号"
            household = Household(
                grid=grid, village=village, number=self.number(village), place=place,
                address=address,
            )  # fmt: skip
            yi = rng.random() < (0.4 if floating else YI_SHARE.get(village.kind, 0.2))
            members = self.members(household, compose(rng, kind), yi, floating)
            family = _Family(household, kind, members, community)
            family.left_behind = (
                kind == "three_gen" and not community and not floating and rng.random() < 0.3
            )
            self.life_events(family)
            self.families.append(family)

    def members(
        self, household: Household, spec: list[tuple[str, str, int]], yi: bool, floating: bool
    ) -> list[Resident]:
        rng = self.rng
        people = self.people
        family = people.family_name(yi)
        spouse_male = any(rel == R.SPOUSE and g == M for rel, g, _a in spec)
        moved_in = self.today - dt.timedelta(days=rng.randint(20, 2200)) if floating else None
        made: list[Resident] = []
        for relationship, gender, age in spec:
            carries = relationship in (R.CHILD, R.GRANDCHILD, R.SIBLING) or (
                gender == M and relationship in (R.HEAD, R.SPOUSE, R.PARENT)
            )
            if relationship == R.HEAD and gender == F and not spouse_male:
                carries = True
            surname = family if carries else people.family_name(yi and rng.random() < 0.9)
            if surname == family and not carries:
                surname = people.family_name(yi)
            born = people.birthday(age)
            number = people.id_number(born, gender)
            has_phone = rng.random() < (0.85 if 16 <= age <= 75 else 0.4 if age > 75 else 0.0)
            made.append(
                Resident(
                    household=household,
                    name=surname + people.given_name(yi, gender, born),
                    gender=gender,
                    birth_date=born,
                    id_number=number,
                    id_digest=digest(number),
                    phone=people.phone() if has_phone else "",
                    relationship=relationship,
                    residence=Residence.FLOATING if floating else Residence.REGISTERED,
                    moved_in_on=max(moved_in, born) if moved_in else None,
                )
            )
        return made

    def life_events(self, family: _Family) -> None:
        """Members who moved out or died (never the head), and now and then a whole
        household that moved away."""
        rng = self.rng
        today = self.today
        if rng.random() < 0.006:
            day = today - dt.timedelta(days=rng.randint(30, 900))
            family.household.status = HouseholdStatus.MOVED_OUT
            family.household.note = "整户迁往西昌城区"
            for person in family.members:
                person.status = PersonStatus.MOVED_OUT
                person.moved_out_on = max(day, _day_after(person.moved_in_on or person.birth_date))
            return
        for person in family.members[1:]:
            age = _age(person.birth_date, today)
            if age >= 70 and rng.random() < 0.08:
                person.status = PersonStatus.DECEASED
                person.died_on = today - dt.timedelta(days=rng.randint(10, 1000))
                person.note = "病故"
            elif 18 <= age <= 45 and rng.random() < 0.06:
                day = today - dt.timedelta(days=rng.randint(10, 1000))
                person.status = PersonStatus.MOVED_OUT
                person.moved_out_on = max(day, _day_after(person.moved_in_on))
                person.note = rng.choice(MOVED_OUT_NOTES)

    # --- care ------------------------------------------------------------------------------

    def care(self, groups: dict[str, KeyGroup], workers: dict[int, User]) -> list[Visit]:
        """The people in care and their visits (``self.kept`` gets the people)."""
        rng = self.rng
        today = self.today
        start = today - dt.timedelta(days=round(self.months * 365.25 / 12))
        self.kept: list[KeyPerson] = []
        visits: list[Visit] = []
        for family in self.families:
            if family.household.status != HouseholdStatus.ACTIVE:
                continue
            for person, code, since, ended, reason, note in self.chosen(family, start):
                group = groups.get(code)
                if group is None:
                    continue
                every = group.visit_every_days
                days, last = plan_visits(rng, since, every, start, ended or today)
                keyed = KeyPerson(
                    resident=person, group=group, grid=family.household.grid, since=since,
                    ended_on=ended, end_reason=reason, last_visit_on=last,
                    due_on=(last or since) + dt.timedelta(days=every), note=note,
                )  # fmt: skip
                self.kept.append(keyed)
                self.summary.by_group[code] = self.summary.by_group.get(code, 0) + 1
                visitor = workers.get(family.household.grid.pk)
                for day, met, problem in days:
                    if met == Met.NOBODY:
                        findings = NOBODY_HOME
                    elif problem:
                        findings = rng.choice(PROBLEMS)
                    else:
                        findings = rng.choice(FINDINGS.get(code, FINDINGS["veteran"]))
                    visits.append(
                        Visit(
                            key_person=keyed,
                            grid=family.household.grid,
                            visitor=visitor,
                            visited_on=day,
                            met=met,
                            findings=findings,
                            problem_found=problem,
                        )
                    )
        return visits

    def chosen(
        self, family: _Family, start: dt.date
    ) -> list[tuple[Resident, str, dt.date, dt.date | None, str, str]]:
        """Who of ``family`` is in which key group: (person, group code, since, ended_on,
        end reason, note)."""
        rng = self.rng
        today = self.today
        head = family.members[0]
        registered = head.residence == Residence.REGISTERED
        present = [p for p in family.members if p.status == PersonStatus.PRESENT]
        picks: list[tuple[Resident, str, dt.date, dt.date | None, str, str]] = []

        def since_for(person: Resident, recent: float = 0.08) -> dt.date:
            born = person.birth_date or today
            if rng.random() < recent:
                day = today - dt.timedelta(days=rng.randint(3, max(4, (today - start).days)))
            else:
                day = today - dt.timedelta(days=rng.randint(90, 1800))
            return max(day, born + dt.timedelta(days=1))

        def add(person: Resident, code: str, note: str = "") -> None:
            picks.append((person, code, since_for(person), None, "", note))

        if registered and family.kind == "alone_elder":
            add(head, "elderly_alone")
        if registered and family.kind == "elder_couple" and rng.random() < 0.6:
            add(head, "empty_nest")
        if family.left_behind:
            for person in present:
                if person.relationship == R.GRANDCHILD and _age(person.birth_date, today) < 16:
                    add(person, "left_behind_child", LEFT_BEHIND_NOTE)
        if registered and not family.community and rng.random() < 0.018:
            since = today - dt.timedelta(days=rng.randint(60, 1600))
            ended = None
            if rng.random() < 0.3 and (today - since).days > 400:
                ended = since + dt.timedelta(days=rng.randint(300, (today - since).days - 30))
            for person in present:
                picks.append(
                    (person, "relapse_monitor", max(since, _day_after(person.birth_date)),
                     ended, "风险已消除" if ended else "", "")
                )  # fmt: skip
        if registered and rng.random() < 0.03:
            since = since_for(head, recent=0.05)
            ended = None
            if rng.random() < 0.08 and (today - since).days > 200:
                ended = since + dt.timedelta(days=rng.randint(150, (today - since).days - 10))
            reason = "家庭收入超过低保标准，退出低保" if ended else ""
            picks.append((head, "subsistence", since, ended, reason, ""))
        for person in present:
            age = _age(person.birth_date, today)
            if rng.random() < 0.012 + (0.02 if age >= 60 else 0.0):
                add(
                    person, "disabled", rng.choice(("肢体残疾", "视力残疾", "听力残疾", "智力残疾"))
                )
            if age >= 40 and rng.random() < 0.012:
                add(person, "serious_illness")
            if 18 <= age <= 70 and rng.random() < 0.003:
                add(person, "mental_illness")
            if person.gender == M and 20 <= age <= 55 and rng.random() < 0.002:
                since = today - dt.timedelta(days=rng.randint(30, 700))
                ends = since + dt.timedelta(days=365)
                ended = ends if ends < today else None
                reason = "矫正期满解除" if ended else ""
                picks.append((person, "community_correction", since, ended, reason, ""))
            if person.gender == M and 25 <= age <= 85 and rng.random() < 0.02:
                add(person, "veteran")
        return picks


def _age(born: dt.date | None, day: dt.date) -> int:
    if born is None:
        return 0
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _day_after(day: dt.date | None) -> dt.date:
    return (day or dt.date.min) + dt.timedelta(days=1)


def plan_visits(
    rng: random.Random, since: dt.date, every: int, start: dt.date, end: dt.date
) -> tuple[list[tuple[dt.date, str, bool]], dt.date | None]:
    """The visits of one person in care from ``start`` (the history's first day) to
    ``end`` (today, or when the care ended): (day, whom the visitor met, problem found),
    and the last effective visit.

    Someone in care from before ``start`` is visited within their first period of it;
    after each effective visit the next comes mostly a little before it is due (80 %),
    sometimes late (15 %) and now and then much later (5 %); a closed door (6 %) is tried
    again a few days later and counts for nothing.
    """
    visits: list[tuple[dt.date, str, bool]] = []
    last: dt.date | None = None
    if since < start:
        span = (end - start).days
        if span < 0:
            return visits, None
        day = start + dt.timedelta(days=rng.randrange(min(every, span + 1)))
    else:
        day = since + dt.timedelta(days=rng.randint(1, every))
    while day <= end:
        if day.weekday() == 6:  # Sundays are rest days: Monday instead
            day += dt.timedelta(days=1)
            if day > end:
                break
        if rng.random() < 0.06:
            visits.append((day, Met.NOBODY, False))
            day += dt.timedelta(days=rng.randint(1, 4))
            continue
        met = rng.choices((Met.PERSON, Met.FAMILY, Met.NEIGHBOUR), weights=(80, 14, 6))[0]
        visits.append((day, met, rng.random() < 0.03))
        last = day
        due = day + dt.timedelta(days=every)
        roll = rng.random()
        if roll < 0.8:
            day = due - dt.timedelta(days=rng.randint(0, max(0, min(every - 1, every // 4))))
        elif roll < 0.95:
            day = due + dt.timedelta(days=rng.randint(1, max(2, every // 2)))
        else:
            day = due + dt.timedelta(days=rng.randint(every // 2 + 1, every * 2))
    return visits, last


def _grid_workers(grids: list[Unit]) -> dict[int, User]:
    """The demo grid worker of each grid that has one (grid id → user)."""
    found: dict[int, User] = {}
    for membership in (
        Membership.objects.filter(role=Role.GRID_WORKER, unit__in=grids)
        .select_related("user")
        .order_by("pk")
    ):
        found.setdefault(membership.unit_id, membership.user)
    return found


def seed_residents(
    *, months: int, rng: random.Random, progress: ProgressCallback | None = None
) -> ResidentSummary:
    """The demo township's places, households, residents, people in care and ``months``
    months of visits (see the module docstring); what was written."""
    today = timezone.localdate()
    township = Unit.objects.filter(code=DEMO_TOWNSHIP).defer("geometry").first()
    if township is None or months <= 0:
        return ResidentSummary()
    grids = list(
        Unit.objects.filter(
            path__startswith=township.path + PATH_SEPARATOR, kind=UnitKind.GRID, active=True
        ).order_by("path")
    )
    villages = {
        v.pk: v for v in Unit.objects.filter(pk__in={g.parent_id for g in grids}).defer("geometry")
    }
    town = _Town(rng, today, months, township)
    phase = "人地事物 (residents)"
    for n, grid in enumerate(grids, start=1):
        village = villages[grid.parent_id or 0]
        shape = from_geojson(grid.geometry) if grid.geometry else None
        points = sample_points(shape, 16, rng) if shape is not None else []
        places = town.grid_places(grid, village, points or [(0.0, 0.0)] * 16)
        if not points:
            for place in town.places[-sum(len(p) for p in places.values()) :]:
                place.lat = place.lon = None
        town.grid(grid, village, places)
        if progress is not None and (n % 5 == 0 or n == len(grids)):
            progress(phase, n, len(grids))
    Place.objects.bulk_create(town.places, batch_size=BATCH)
    Household.objects.bulk_create([f.household for f in town.families], batch_size=BATCH)
    residents = [person for family in town.families for person in family.members]
    Resident.objects.bulk_create(residents, batch_size=BATCH)
    groups = {g.code: g for g in KeyGroup.objects.filter(active=True)}
    visits = town.care(groups, _grid_workers(grids))
    KeyPerson.objects.bulk_create(town.kept, batch_size=BATCH)
    Visit.objects.bulk_create(visits, batch_size=BATCH)
    summary = town.summary
    summary.places = len(town.places)
    summary.households = len(town.families)
    summary.residents = len(residents)
    summary.floating = sum(1 for p in residents if p.residence == Residence.FLOATING)
    summary.people_in_care = len(town.kept)
    summary.visits = len(visits)
    return summary
