"""The demo's cadres (干部选育用管) of 西昌: files, key posts, the reserve pool, training,
tempering, mentors, key moments, last year's grades — and, on top, a vacancy ranked and an
error-tolerance case that waives a deduction (``demo.cadres_cycle``).

``seed_cadres(rng=…)``:

- **files** (written in bulk, with their current post record): for every township and
  street of the demo county, its leadership and office staff (党委书记, 镇长/乡长/办事处主任,
  副书记, 人大主席, 纪委书记, 委员, 副镇长, 科员 …) and for every village and community its
  two committees (书记/主任, 副书记, 副主任, 妇联主席, 监委会主任). Names from the Han and
  Yi name lists below, about half 彝族 in the villages and a third at township level,
  a few other groups; valid ID numbers (GB 11643, region 513401); 礼州镇's 党委书记 and
  纪委书记 and its first village's 书记 are the demo logins ``unit_leader``, ``supervisor``
  and ``village_cadre`` (their files are linked to their logins);
- **key posts** (in bulk): 党委书记, the head of government and 党委副书记 of each township,
  the 书记/主任 of each village and community, held by those files;

and for 礼州镇 and its villages, through the cadres' actions (scope checks, locks, audit
entries), with the clock set to each step:

- **training**: last year's courses (most cadres reach the required hours, a few fall
  short, a failed course now and then) and this year's so far;
- **the reserve pool**: nominations by the township (unit_leader) with their democratic
  recommendation tallies, reviewed by the organisation department (org_department):
  admitted, not admitted (with the reason), removed later (with the reason), and the
  latest still waiting for review;
- **mentors** for the young reserves; **tempering**: assignments that ended last year and
  were evaluated, and ongoing ones; **key moments** entered by hand (an emergency, a
  commendation);
- **last year's grades** of every cadre of the township and its villages, within each
  unit's quota of Excellent grades.

Deterministic for a given ``rng`` seed and "now".
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from grassroots.cadres.models import Cadre, KeyPost, PostRecord, ReserveEntry
from grassroots.cadres.shape import add_years, excellent_quota
from grassroots.cadres.states import (
    Appraisal,
    CadreStatus,
    Education,
    Gender,
    KeyMomentKind,
    Level,
    TemperingKind,
    TrainingResult,
    YearGrade,
)
from grassroots.common.crypto import fill_blind_indexes
from grassroots.common.idnumbers import id_check_char
from grassroots.org.models import Membership, Unit, UnitKind, User

ProgressCallback = Callable[[str, int, int | None], None]

DEMO_COUNTY: Final = "513401"
DEMO_TOWNSHIP: Final = "513401101"  # 礼州镇

# --- names ---------------------------------------------------------------------------------

HAN_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗宋谢唐许邓冯曾彭蒋罗"
HAN_MALE: Final[tuple[str, ...]] = (
    "建国", "志强", "明", "伟", "海军", "德华", "永红", "文斌", "春华", "国平", "俊",
    "勇", "晓东", "成刚", "世军", "家林", "正林", "光辉", "学文", "长春",
)  # fmt: skip
HAN_FEMALE: Final[tuple[str, ...]] = (
    "丽", "芳", "秀英", "春梅", "晓燕", "丽华", "静", "婷", "玉兰", "红梅", "雪",
    "莉", "小琴", "海燕", "文静",
)  # fmt: skip
#: Yi names (彝族): a clan name (家支) and a given name.
YI_CLANS: Final = (
    "吉克", "沙马", "海来", "曲比", "阿苦", "俄木", "马海", "吉木", "阿约", "勒尔",
    "苏呷", "吉伍", "阿鲁", "倮伍", "瓦扎", "阿的",
)  # fmt: skip
YI_MALE: Final[tuple[str, ...]] = (
    "拉且", "阿果", "子洛", "伍呷", "石且", "日火", "木呷", "尔布", "布哈", "拉哈",
    "阿木", "克伍", "石布", "伍沙",
)  # fmt: skip
YI_FEMALE: Final[tuple[str, ...]] = (
    "阿依",
    "阿呷",
    "么妞",
    "日嘎",
    "阿支",
    "伍芝",
    "阿衣",
    "尔古",
    "阿妞",
    "莫色",
)
#: Other groups of 凉山 found now and then.
OTHER_GROUPS: Final = ("回族", "藏族", "傈僳族", "蒙古族")

# --- posts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostSpec:
    """A post of a unit's team: title, level, key post or not, ages and who holds it."""

    title: str
    level: str
    key: bool = False
    ages: tuple[int, int] = (28, 52)
    female: float = 0.3
    #: A demo login holding it in the demo township / village (username).
    login: str = ""


def township_posts(unit: Unit) -> list[PostSpec]:
    """The leadership and office staff of a township (镇/乡) or street (街道)."""
    street = unit.kind == UnitKind.STREET
    head = "党工委副书记、办事处主任" if street else (
        "党委副书记、乡长" if unit.name.endswith("乡") else "党委副书记、镇长"
    )  # fmt: skip
    party = "党工委" if street else "党委"
    deputy = "办事处副主任" if street else ("副乡长" if unit.name.endswith("乡") else "副镇长")
    return [
        PostSpec(f"{party}书记", Level.SECTION_CHIEF, key=True, ages=(40, 54), login="unit_leader"),
        PostSpec(head, Level.SECTION_CHIEF, key=True, ages=(36, 50)),
        PostSpec(f"{party}副书记", Level.DEPUTY_SECTION, key=True, ages=(33, 48)),
        PostSpec("人大工委主任" if street else "人大主席", Level.DEPUTY_SECTION, ages=(45, 56)),
        PostSpec("纪工委书记" if street else "纪委书记", Level.DEPUTY_SECTION, ages=(35, 50),
                 female=1.0, login="supervisor"),
        PostSpec(f"{party}委员、组织委员", Level.DEPUTY_SECTION, ages=(30, 45)),
        PostSpec(f"{party}委员、宣传委员", Level.DEPUTY_SECTION, ages=(30, 45), female=0.5),
        PostSpec(f"{party}委员、武装部部长", Level.DEPUTY_SECTION, ages=(32, 48), female=0.0),
        PostSpec(deputy, Level.DEPUTY_SECTION, ages=(29, 45)),
        PostSpec(deputy, Level.DEPUTY_SECTION, ages=(29, 45)),
        PostSpec("党政办主任", Level.STAFF, ages=(28, 40)),
        PostSpec("乡村振兴办科员", Level.STAFF, ages=(24, 34)),
        PostSpec("社会事务办科员", Level.STAFF, ages=(24, 34), female=0.5),
        PostSpec("综治办科员", Level.STAFF, ages=(24, 34)),
        PostSpec("经济发展办科员", Level.STAFF, ages=(24, 34)),
        PostSpec("财政所科员", Level.STAFF, ages=(25, 38), female=0.6),
    ]  # fmt: skip


def village_posts(unit: Unit) -> list[PostSpec]:
    """The two committees (两委) of a village or community."""
    community = unit.kind == UnitKind.COMMUNITY
    return [
        PostSpec(
            "党委书记、居委会主任" if community else "党支部书记、村委会主任",
            Level.VILLAGE_HEAD, key=True, ages=(35, 58), female=0.2, login="village_cadre",
        ),
        PostSpec("党委副书记" if community else "党支部副书记", Level.VILLAGE, ages=(30, 52)),
        PostSpec("居委会副主任" if community else "村委会副主任", Level.VILLAGE, ages=(28, 50)),
        PostSpec("委员、妇联主席", Level.VILLAGE, ages=(26, 48), female=1.0),
        PostSpec("监督委员会主任", Level.VILLAGE, ages=(40, 60)),
    ]  # fmt: skip


# --- the seed ------------------------------------------------------------------------------


@dataclass(slots=True)
class CadreSummary:
    """What ``seed_cadres`` wrote."""

    files: int = 0
    key_posts: int = 0
    trainings: int = 0
    reserves: dict[str, int] = field(default_factory=dict)
    temperings: int = 0
    mentorships: int = 0
    key_moments: int = 0
    grades: int = 0
    vacancies: int = 0
    #: Numbers of the tolerance cases in effect.
    tolerance: list[str] = field(default_factory=list)


@contextmanager
def replay_clock() -> Iterator[Callable[[dt.datetime], None]]:
    """Set ``timezone.now`` to the moments of the replay — and the defaults of the cadres'
    and the audit's fields that take it (a field holds the function it was given, which
    patching the module does not reach)."""
    from django.apps import apps

    current = {"at": timezone.now()}
    original = timezone.now

    def now() -> dt.datetime:
        return current["at"]

    def set_to(moment: dt.datetime) -> None:
        current["at"] = moment

    with ExitStack() as stack:
        stack.enter_context(mock.patch("django.utils.timezone.now", now))
        for label in ("cadres", "audit"):
            for model in apps.get_app_config(label).get_models():
                for f in model._meta.concrete_fields:
                    if f.default is original:
                        # ``Field.get_default`` calls the cached ``_get_default``
                        stack.enter_context(mock.patch.dict(f.__dict__, {"_get_default": now}))
        yield set_to


def local_at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


class _People:
    """Makes deterministic people: names, genders, ethnicities, birthdays, ID numbers."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.taken: set[str] = set(
            Cadre.objects.exclude(id_number="").values_list("id_number", flat=True)
        )

    def ethnicity(self, yi_share: float) -> str:
        roll = self.rng.random()
        if roll < yi_share:
            return "彝族"
        if roll > 0.97:
            return self.rng.choice(OTHER_GROUPS)
        return "汉族"

    def name(self, ethnicity: str, gender: str) -> str:
        rng = self.rng
        if ethnicity == "彝族":
            given = YI_FEMALE if gender == Gender.FEMALE else YI_MALE
            return rng.choice(YI_CLANS) + rng.choice(given)
        given = HAN_FEMALE if gender == Gender.FEMALE else HAN_MALE
        return rng.choice(HAN_SURNAMES) + rng.choice(given)

    def birthday(self, ages: tuple[int, int]) -> dt.date:
        age = self.rng.randint(*ages)
        return self.today.replace(month=1, day=1) - dt.timedelta(
            days=age * 365 + self.rng.randrange(365)
        )

    def id_number(self, born: dt.date, gender: str) -> str:
        while True:
            order = self.rng.randrange(0, 500) * 2 + (1 if gender == Gender.MALE else 0)
            first17 = f"{DEMO_COUNTY}{born:%Y%m%d}{order:03d}"
            number = first17 + id_check_char(first17)
            if number not in self.taken:
                self.taken.add(number)
                return number

    def phone(self) -> str:
        return f"139{self.rng.randrange(10**8):08d}"


def _education(rng: random.Random, level: str) -> str:
    if level in (Level.VILLAGE, Level.VILLAGE_HEAD):
        return rng.choices(
            [Education.BACHELOR, Education.COLLEGE, Education.SECONDARY, Education.JUNIOR],
            weights=[10, 30, 40, 20],
        )[0]
    return rng.choices(
        [Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE],
        weights=[15, 70, 15],
    )[0]


class _Files:
    """The files of the demo county's townships and villages, written in bulk."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.people = _People(rng, today)
        #: The demo logins that hold a post, by the unit of their membership.
        self.logins: dict[int, dict[str, User]] = {}
        for membership in Membership.objects.filter(
            user__username__in=("unit_leader", "supervisor", "village_cadre")
        ).select_related("user"):
            self.logins.setdefault(membership.unit_id, {})[membership.user.username] = (
                membership.user
            )

    def build(self, unit: Unit, specs: list[PostSpec]) -> list[tuple[Cadre, PostSpec]]:
        rng = self.rng
        yi_share = 0.5 if unit.kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY) else 0.33
        made: list[tuple[Cadre, PostSpec]] = []
        for spec in specs:
            login = self.logins.get(unit.pk, {}).get(spec.login) if spec.login else None
            gender = Gender.FEMALE if rng.random() < spec.female else Gender.MALE
            ethnicity = self.people.ethnicity(yi_share)
            name = self.people.name(ethnicity, gender)
            if login is not None:  # the demo login's own file: their name and gender
                name = login.full_name or name
                gender = Gender.FEMALE if spec.female >= 1 else Gender.MALE
                ethnicity = "汉族"
            born = self.people.birthday(spec.ages)
            grassroots = add_years(born, rng.randint(21, 26))
            joined = add_years(born, rng.randint(20, 30))
            cadre = Cadre(
                name=name,
                gender=gender,
                ethnicity=ethnicity,
                birth_date=born,
                id_number=self.people.id_number(born, gender),
                phone=self.people.phone(),
                education=_education(rng, spec.level),
                party_joined_on=joined if joined < self.today and rng.random() < 0.9 else None,
                grassroots_since=min(grassroots, self.today - dt.timedelta(days=400)),
                unit=unit,
                post=spec.title,
                level=spec.level,
                status=CadreStatus.ACTIVE,
                user=login,
            )
            made.append((cadre, spec))
        return made


def seed_files(rng: random.Random, today: dt.date) -> tuple[int, int]:
    """The files and key posts of every township-level unit of the demo county and their
    villages and communities (counts of files and key posts)."""
    county = Unit.objects.filter(code=DEMO_COUNTY).first()
    if county is None:
        return 0, 0
    files = _Files(rng, today)
    townships = list(
        Unit.objects.filter(
            parent=county, kind__in=(UnitKind.TOWNSHIP, UnitKind.STREET), active=True
        )
        .defer("geometry")
        .order_by("code")
    )
    villages: dict[int, list[Unit]] = {}
    for village in (
        Unit.objects.filter(
            parent__in=townships, kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY), active=True
        )
        .defer("geometry")
        .order_by("code")
    ):
        villages.setdefault(village.parent_id or 0, []).append(village)
    pairs: list[tuple[Cadre, PostSpec]] = []
    for township in townships:
        pairs += files.build(township, township_posts(township))
        for village in villages.get(township.pk, []):
            pairs += files.build(village, village_posts(village))
    for cadre, _spec in pairs:
        fill_blind_indexes(cadre)  # bulk_create: Cadre.save() does not run
    created = Cadre.objects.bulk_create([c for c, _spec in pairs], batch_size=500)
    posts: list[PostRecord] = []
    keys: list[KeyPost] = []
    for cadre, spec in zip(created, [s for _c, s in pairs], strict=True):
        since = max(
            cadre.grassroots_since or today, today - dt.timedelta(days=rng.randint(200, 2400))
        )
        posts.append(
            PostRecord(
                cadre=cadre, unit=cadre.unit, post=cadre.post, level=cadre.level, started_on=since
            )
        )
        if spec.key:
            keys.append(KeyPost(unit=cadre.unit, title=spec.title, level=spec.level, holder=cadre))
    PostRecord.objects.bulk_create(posts, batch_size=1000)
    KeyPost.objects.bulk_create(keys, batch_size=1000)
    return len(created), len(keys)


# --- the township's year, through the actions ----------------------------------------------

COURSES: Final = (
    ("学习贯彻党的二十大精神专题培训班", "市委党校", 40),
    ("乡村振兴与基层治理能力提升班", "凉山州委党校", 32),
    ("网格化服务管理业务培训", "西昌市委政法委", 16),
    ("防汛减灾应急处置培训", "西昌市应急管理局", 12),
    ("四川干部网络学院在线学习", "四川干部网络学院", 20),
    ("群众工作方法与信访法治化", "市委党校", 24),
    ("村级集体经济发展专题培训", "西昌市农业农村局", 16),
    ("年轻干部“墩苗”实训班", "凉山州委组织部", 48),
)
TEMPERING_PLACES: Final = (
    (TemperingKind.POVERTY, "驻村工作队员（脱贫攻坚成效巩固）"),
    (TemperingKind.LAND, "征地拆迁工作组成员"),
    (TemperingKind.DISASTER, "防汛抢险突击队队员"),
    (TemperingKind.PETITIONS, "信访维稳专班成员"),
    (TemperingKind.ECONOMY, "招商引资专班成员"),
    (TemperingKind.HARDSHIP, "高山村驻村干部"),
)


class _Township:
    """礼州镇's year of cadre work, replayed through the actions."""

    def __init__(self, rng: random.Random, today: dt.date, summary: CadreSummary) -> None:
        self.rng = rng
        self.today = today
        self.summary = summary
        self.township = Unit.objects.get(code=DEMO_TOWNSHIP)
        users = {
            u.username: u
            for u in User.objects.filter(username__in=("org_department", "unit_leader", "admin"))
        }
        self.org = users.get("org_department") or users["admin"]
        self.leader = users.get("unit_leader") or self.org
        self.cadres = list(
            Cadre.objects.filter(
                unit__path__startswith=self.township.path, status=CadreStatus.ACTIVE
            )
            .select_related("unit")
            .order_by("unit__path", "pk")
        )
        self.steps: list[tuple[dt.datetime, int, Callable[[], Any]]] = []
        #: Reserve entries by cadre, and tempering assignments to evaluate, as made.
        self.entries: dict[int, int] = {}
        self.later: dict[int, tuple[int, dt.date, str]] = {}

    def at(self, moment: dt.datetime, step: Callable[[], Any]) -> None:
        if moment <= timezone.now():
            self.steps.append((moment, len(self.steps), step))

    def days_ago(self, days: int, hour: int = 10) -> dt.datetime:
        return local_at(self.today - dt.timedelta(days=days), hour)

    def run(self, progress: ProgressCallback | None) -> None:
        self.plan_training()
        reserves = self.plan_pool()
        self.plan_tempering(reserves)
        self.plan_moments()
        self.plan_grades()
        self.steps.sort(key=lambda s: (s[0], s[1]))
        with replay_clock() as set_clock:
            for n, (moment, _seq, step) in enumerate(self.steps, start=1):
                set_clock(moment)
                step()
                if progress is not None and n % 25 == 0:
                    progress("干部选育用管 (cadres)", n, len(self.steps))

    # --- training ------------------------------------------------------------------------

    def plan_training(self) -> None:
        from grassroots.cadres.actions.development import record_training

        rng = self.rng
        last_year = self.today.year - 1
        for cadre in self.cadres:
            years = [(last_year, rng.choice((2, 3, 3, 4))), (self.today.year, rng.randint(0, 2))]
            for year, count in years:
                for course, provider, hours in rng.sample(COURSES, count):
                    end = dt.date(year, rng.randint(3, 11), rng.randint(1, 25))
                    if end >= self.today:
                        continue
                    start = end - dt.timedelta(days=max(hours // 8 - 1, 0))
                    result = rng.choices(
                        [TrainingResult.PASSED, TrainingResult.EXCELLENT, TrainingResult.FAILED],
                        weights=[80, 15, 5],
                    )[0]

                    def step(
                        c: Cadre = cadre, n: str = course, p: str = provider, h: int = hours,
                        s: dt.date = start, e: dt.date = end, r: str = result,
                    ) -> None:  # fmt: skip
                        record_training(
                            c, actor=self.org, course=n, provider=p, hours=Decimal(h),
                            started_on=s, ended_on=e, result=r,
                        )  # fmt: skip
                        self.summary.trainings += 1

                    self.at(local_at(end + dt.timedelta(days=2)), step)

    # --- the pool ------------------------------------------------------------------------

    def plan_pool(self) -> list[Cadre]:
        """Nominations: the young township staff and deputies, and a village member or
        two; admitted, refused, removed, or waiting. The admitted ones (returned)."""
        from grassroots.cadres.actions.pool import nominate, remove_from_pool, review_entry

        rng = self.rng
        township = [c for c in self.cadres if c.unit_id == self.township.pk]
        young = sorted(
            (c for c in township if c.level in (Level.STAFF, Level.DEPUTY_SECTION)),
            key=lambda c: (c.birth_date, c.pk),
            reverse=True,
        )
        village_members = [c for c in self.cadres if c.level == Level.VILLAGE]
        picks = young[:8] + village_members[:3]
        fates = ["in_pool"] * 6 + ["rejected", "removed", "waiting", "waiting", "in_pool"]
        admitted: list[Cadre] = []
        for n, (cadre, fate) in enumerate(zip(picks, fates, strict=False)):
            target = {
                Level.STAFF: Level.DEPUTY_SECTION,
                Level.DEPUTY_SECTION: Level.SECTION_CHIEF,
                Level.VILLAGE: Level.VILLAGE_HEAD,
            }[Level(cadre.level)]
            unit = cadre.unit
            voters = rng.randint(32, 60)
            share = 0.45 if fate == "rejected" else rng.uniform(0.62, 0.95)
            votes = int(voters * share)
            base = 150 if fate != "waiting" else 12 - n % 3
            nominated = self.days_ago(base - n)

            def nominate_step(
                c: Cadre = cadre, u: Unit = unit, t: str = target, v: int = voters, w: int = votes
            ) -> None:
                entry = nominate(
                    c, actor=self.leader, unit=u, target_level=t, voters=v, votes=w,
                    reason="民主推荐得票靠前，工作实绩突出，群众认可度高。",
                )  # fmt: skip
                self.entries[c.pk] = entry.pk

            self.at(nominated, nominate_step)
            if fate == "waiting":
                continue
            reviewed = self.days_ago(base - n - 14)
            if fate == "rejected":

                def refuse(c: Cadre = cadre) -> None:
                    review_entry(
                        self.entries[c.pk], actor=self.org, admit=False,
                        note="民主推荐得票率未过半数，暂不入库。",
                    )  # fmt: skip

                self.at(reviewed, refuse)
                continue

            entered = reviewed.date()

            def admit(c: Cadre = cadre, day: dt.date = entered) -> None:
                review_entry(
                    self.entries[c.pk], actor=self.org, admit=True,
                    note="经组织考察，符合后备干部条件，同意入库。", entered_on=day,
                )  # fmt: skip

            self.at(reviewed, admit)
            if fate == "removed":

                def remove(c: Cadre = cadre) -> None:
                    remove_from_pool(
                        self.entries[c.pk], actor=self.org,
                        reason="年度考核中发现履职不到位，受到诫勉谈话，按规定调整出库。",
                    )  # fmt: skip

                self.at(self.days_ago(40), remove)
                continue
            admitted.append(cadre)
        return admitted

    # --- tempering, mentors ---------------------------------------------------------------

    def plan_tempering(self, reserves: list[Cadre]) -> None:
        from grassroots.cadres.actions.development import (
            assign_mentor,
            assign_tempering,
            evaluate_tempering,
        )

        rng = self.rng
        villages = list(
            Unit.objects.filter(parent=self.township).defer("geometry").order_by("code")
        ) or [self.township]
        leaders = [c for c in self.cadres if c.level == Level.SECTION_CHIEF]
        last_year = self.today.year - 1
        for n, cadre in enumerate(reserves[:6]):
            kind, post = TEMPERING_PLACES[n % len(TEMPERING_PLACES)]
            where = villages[(n * 3 + 1) % len(villages)]
            if n % 2 == 0:  # last year's, evaluated at its end
                start = dt.date(last_year, 3 + n, 1)
                end = dt.date(last_year, 9 + n // 2, 30 if n // 2 != 1 else 31)
                appraisal = (Appraisal.EXCELLENT, Appraisal.GOOD, Appraisal.GOOD)[n // 2]

                def evaluated(
                    c: Cadre = cadre, k: str = kind, p: str = post, u: Unit = where,
                    s: dt.date = start, e: dt.date = end, a: str = appraisal,
                ) -> None:  # fmt: skip
                    t = assign_tempering(
                        c, actor=self.org, kind=k, unit=u, post=p, started_on=s, planned_end=e
                    )
                    self.later[c.pk] = (t.pk, e, a)
                    self.summary.temperings += 1

                self.at(local_at(start - dt.timedelta(days=7)), evaluated)

                def evaluate(c: Cadre = cadre) -> None:
                    pk, _end, a = self.later[c.pk]
                    evaluate_tempering(
                        pk, actor=self.leader, appraisal=a, ended_on=_end,
                        remarks="期满考核：能沉下身子扎根一线，敢于担当，化解矛盾能力明显提升。",
                    )  # fmt: skip

                self.at(local_at(end + dt.timedelta(days=5)), evaluate)
            else:  # ongoing
                start = self.today - dt.timedelta(days=60 + 20 * n)
                end = self.today + dt.timedelta(days=120 + 30 * n)

                def ongoing(
                    c: Cadre = cadre, k: str = kind, p: str = post, u: Unit = where,
                    s: dt.date = start, e: dt.date = end,
                ) -> None:  # fmt: skip
                    assign_tempering(
                        c, actor=self.org, kind=k, unit=u, post=p, started_on=s, planned_end=e
                    )
                    self.summary.temperings += 1

                self.at(local_at(start - dt.timedelta(days=5)), ongoing)
            if leaders:
                mentor = leaders[n % len(leaders)]

                def pair(c: Cadre = cadre, m: Cadre = mentor) -> None:
                    assign_mentor(c, actor=self.org, mentor=m, note="导师帮带：一对一传帮带")
                    self.summary.mentorships += 1

                self.at(self.days_ago(100 + rng.randint(0, 20)), pair)

    # --- key moments and grades -------------------------------------------------------------

    def plan_moments(self) -> None:
        from grassroots.cadres.actions.development import record_key_moment

        township = [c for c in self.cadres if c.unit_id == self.township.pk]
        if len(township) < 3:
            return
        moments = (
            (township[2], KeyMomentKind.EMERGENCY, 75, "“7·12”强降雨防汛抢险",
             "连夜组织转移群众46人，无人员伤亡。"),
            (township[0], KeyMomentKind.COMMENDATION, 200, "全市脱贫攻坚成效巩固先进个人",
             "市委、市政府通报表扬。"),
        )  # fmt: skip
        for cadre, kind, days, title, detail in moments:
            day = self.today - dt.timedelta(days=days)

            def step(c: Cadre = cadre, k: str = kind, d: dt.date = day, t: str = title,
                     x: str = detail) -> None:  # fmt: skip
                record_key_moment(c, actor=self.leader, kind=k, occurred_on=d, title=t, detail=x)
                self.summary.key_moments += 1

            self.at(local_at(day + dt.timedelta(days=1)), step)

    def plan_grades(self) -> None:
        """Last year's grades, unit by unit: the unit's quota of Excellent grades to its
        best (by a fixed draw), one Basically competent in the township, the rest
        Competent."""
        from grassroots.cadres.actions.files import set_grade
        from grassroots.cadres.queries import policies_for

        year = self.today.year - 1
        decided = min(local_at(dt.date(self.today.year, 1, 15), 15), self.days_ago(1))
        by_unit: dict[int, list[Cadre]] = {}
        for cadre in self.cadres:
            by_unit.setdefault(cadre.unit_id, []).append(cadre)
        policies = policies_for(group[0].unit for group in by_unit.values())  # one query
        for unit_cadres in by_unit.values():
            unit = unit_cadres[0].unit
            quota = excellent_quota(len(unit_cadres), policies[unit.pk].excellent_quota_percent)
            order = sorted(unit_cadres, key=lambda c: self.rng.random())
            for n, cadre in enumerate(order):
                grade = YearGrade.EXCELLENT if n < quota else YearGrade.COMPETENT
                if unit.pk == self.township.pk and n == len(order) - 1:
                    grade = YearGrade.BASIC

                def step(c: Cadre = cadre, g: str = grade) -> None:
                    set_grade(c, actor=self.leader, year=year, grade=g)
                    self.summary.grades += 1

                self.at(decided, step)


def seed_cadres(*, rng: random.Random, progress: ProgressCallback | None = None) -> CadreSummary:
    """The demo's cadres (see the module docstring); what was written."""
    today = timezone.localdate()
    summary = CadreSummary()
    with replay_clock() as set_clock:
        set_clock(local_at(dt.date(today.year - 1, 1, 1), 9))
        summary.files, summary.key_posts = seed_files(rng, today)
    if summary.files and Unit.objects.filter(code=DEMO_TOWNSHIP).exists():
        _Township(rng, today, summary).run(progress)
        from grassroots.demo.cadres_cycle import seed_cycle

        cycle = seed_cycle()
        summary.vacancies = cycle.filled + cycle.open_ranked
        summary.tolerance = cycle.tolerance
    summary.reserves = dict(
        ReserveEntry.objects.order_by("status")
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return summary
