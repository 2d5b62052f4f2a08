"""The demo's assessment (目督考核) of 西昌 for a year: 月考季晒年评 up to now.

``build_schemes(year)`` (:mod:`grassroots.demo.assessment_schemes`) writes the year's two
schemes for 西昌: townships and streets (``xc-township-<year>``, left out when the tree
holds a single township) and villages and communities (``xc-village-<year>``).

``run_year(schemes, rng=…)`` then lets the year happen up to now, with the clock
(``django.utils.timezone.now``) set to each step, through the assessment's actions:

- on the 1st of every month the office sends the two rating forms of the month that ended
  (and, after a quarter, of the quarter); the raters fill them on the 2nd to 4th; one
  representative (``rater5``) gives every unit the same score — flagged, then justified by
  the rater (odd months) or excluded by the office with a reason (even months); the office
  closes the forms on the 6th and computes the month (and the quarter) on the 8th;
- a quarter is published on the 10th (季晒) — unless its rewards fail the scheme's
  minimum spread: then it stays unpublished and the summary says which rule failed; once
  its appeal window has closed, it is frozen;
- 礼州镇 (or, without a township scheme, its first village) appeals its 按期处置率 of the
  second quarter (three events held up by the June storm, reported in time; its verified
  progress when it has no events); the office accepts, which computes version 2 of the
  quarter, published in its turn; the appealed version is frozen afterwards;
- one township (July) and one village (May) are vetoed for a major safety accident entered
  by the office with its basis;
- on 20 November the office sends the year-end review (年终考评, a form without an
  indicator for the year, open until 10 January; the raters fill it on 5–8 January); the
  annual evaluation (年评) is computed on 12 January, and published, only when the whole
  year has happened. Before that there is no annual
  run: a "so far" 年评 would combine an incomplete year (the office can still compute one
  with ``grassroots assess --period <year>``).

Steps that would fall after now do not happen. Deterministic for a given ``rng`` seed and
"now".
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any, Final
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from grassroots.assessment.models import (
    Indicator,
    Level,
    RatingForm,
    RatingSheet,
    Run,
    Scheme,
    Score,
    SheetState,
    Source,
)
from grassroots.demo.assessment_schemes import SAFETY_VETO, build_schemes
from grassroots.org.models import Membership, Role, Unit, UnitKind, User
from grassroots.org.queries import SEP

__all__ = ["YearSummary", "build_schemes", "run_year", "seed_assessment"]

ProgressCallback = Callable[[str, int, int | None], None]

DEMO_TOWNSHIP: Final = "513401101"  # 礼州镇

# --- the raters ----------------------------------------------------------------------------

#: Representatives (民主测评) besides the demo login ``rater``: username, name, title.
REPRESENTATIVES: Final = (
    ("rater2", "苏德华", "市人大代表"),
    ("rater3", "马秀兰", "市党代表"),
    ("rater4", "吉克石布", "村民代表"),
    ("rater5", "黄永和", "社区居民代表"),
)
#: The representative who gives every unit the same score (flagged by anti-averaging).
UNIFORM_RATER: Final = "rater5"
UNIFORM_SCORE: Final = Decimal(90)
#: Department raters (部门评价) besides the demo login ``department_staff``.
DEPARTMENT_RATERS: Final = (
    ("department_staff2", "罗建平", 2),
    ("department_staff3", "邱海燕", 3),
    ("department_staff4", "阿牛木呷", 4),
)
JUSTIFICATION: Final = (
    "本期各单位工作我只了解总体情况，分不出高低，因此给了相同的分数；"
    "下期起将先查阅各单位的办件记录再评分。"
)
EXCLUSION: Final = "测评表对全部单位评分完全相同，未区分工作实绩，按防止“平均化”规定本期不予采用。"


@dataclass(slots=True)
class _People:
    office: User
    leader: User | None
    representatives: list[User]
    departments: list[User]


def _membership_start() -> dt.date:
    from grassroots.demo.users import membership_start

    return membership_start()


def _person(username: str, full_name: str, password: str) -> User:
    user = User.objects.filter(username=username).first() or User(username=username)
    user.full_name = full_name
    user.is_active = True
    user.password = password
    user.save()
    return user


def _people(root: Unit) -> _People | None:
    """The office, 礼州镇's secretary and the raters (created when missing: the demo's
    five representatives at the root and four department raters in their departments)."""
    from grassroots.demo.users import DEMO_PASSWORD

    # the city office of the root or of a unit above it (the prefecture's, say)
    above = [root.path.split(SEP)[: n + 1] for n in range(root.path.count(SEP) + 1)]
    office = (
        User.objects.filter(
            memberships__role=Role.CITY_ADMIN,
            memberships__unit__path__in=[SEP.join(parts) for parts in above],
            is_active=True,
        )
        .order_by("pk")
        .first()
    )
    if office is None:
        return None
    leader = User.objects.filter(username="unit_leader", memberships__role=Role.UNIT_LEADER).first()
    password = make_password(DEMO_PASSWORD)  # hashed once for the extra raters
    start = _membership_start()
    representatives = list(User.objects.filter(username="rater"))
    for username, name, title in REPRESENTATIVES:
        user = _person(username, name, password)
        Membership.objects.get_or_create(
            user=user, unit=root, role=Role.RATER, defaults={"title": title, "valid_from": start}
        )
        representatives.append(user)
    departments = list(User.objects.filter(username="department_staff"))
    for username, name, n in DEPARTMENT_RATERS:
        unit = Unit.objects.filter(kind=UnitKind.DEPARTMENT, code=f"{root.code}D{n:02d}").first()
        if unit is None:
            continue
        user = _person(username, name, password)
        Membership.objects.get_or_create(
            user=user,
            unit=unit,
            role=Role.DEPARTMENT_STAFF,
            defaults={"title": "科员", "valid_from": start},
        )
        departments.append(user)
    return _People(office, leader, representatives, departments)


# --- the year ------------------------------------------------------------------------------


@dataclass(slots=True)
class YearSummary:
    """What ``run_year`` did."""

    schemes: list[str] = field(default_factory=list)
    through: str = ""
    forms: int = 0
    sheets: int = 0
    flagged: int = 0
    justified: int = 0
    excluded: int = 0
    entries: int = 0
    runs: int = 0
    #: (scheme code, period, version, SHA-256) of every publication.
    published: list[tuple[str, str, int, str]] = field(default_factory=list)
    #: (scheme code, period, why) of the quarters left unpublished.
    unpublished: list[tuple[str, str, str]] = field(default_factory=list)
    frozen: int = 0
    appeals: int = 0
    annual: bool = False


@contextmanager
def _clock() -> Iterator[Callable[[dt.datetime], None]]:
    """Set ``timezone.now`` to the moments of the replay."""
    current = {"at": timezone.now()}

    def now() -> dt.datetime:
        return current["at"]

    def set_to(moment: dt.datetime) -> None:
        current["at"] = moment

    with mock.patch("django.utils.timezone.now", now):
        yield set_to


def last_complete_month(year: int, now: dt.datetime) -> int:
    """The last month of ``year`` that has ended by ``now`` (0: none yet)."""
    local = timezone.localtime(now)
    if local.year > year:
        return 12
    if local.year < year:
        return 0
    return local.month - 1


def demo_year(now: dt.datetime) -> int:
    """The year the demo assesses: the current one, or in January the one just ended."""
    local = timezone.localtime(now)
    return local.year - 1 if local.month == 1 else local.year


class _Year:
    """The steps of the assessment year, run in time order up to ``now``."""

    def __init__(
        self,
        schemes: list[Scheme],
        people: _People,
        rng: random.Random,
        now: dt.datetime,
        through: int,
    ) -> None:
        self.schemes = schemes
        self.people = people
        self.rng = rng
        self.now = now
        self.through = through
        self.year = schemes[0].year
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.summary = YearSummary(schemes=[s.code for s in schemes])
        self.steps: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        self.seq = 0
        self.units = {s.pk: self._units(s) for s in schemes}
        # each unit's standing with the raters (stable over the year), per scheme
        self.standing = {
            unit.pk: Decimal(str(round(rng.gauss(80, 9), 1)))
            for units in self.units.values()
            for unit in units
        }

    @staticmethod
    def _units(scheme: Scheme) -> list[Unit]:
        from grassroots.assessment.actions.compute import units_in_scope

        return units_in_scope(scheme)

    # scheduling

    def moment(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute)).replace(tzinfo=self.zone)

    def at(self, moment: dt.datetime, step: Callable[[], None]) -> None:
        if moment <= self.now:
            self.steps.append((moment, self.seq, step))
            self.seq += 1

    def run(self, progress: ProgressCallback | None) -> YearSummary:
        import heapq

        heapq.heapify(self.steps)
        done = 0
        with _clock() as set_clock:
            while self.steps:
                moment, _seq, step = heapq.heappop(self.steps)
                set_clock(moment)
                step()
                done += 1
                if progress is not None and done % 20 == 0:
                    progress("月考季晒年评 (assessment)", done, done + len(self.steps))
        return self.summary

    def push(self, moment: dt.datetime, step: Callable[[], None]) -> None:
        """Schedule a step from inside another (kept in time order)."""
        import heapq

        if moment <= self.now:
            heapq.heappush(self.steps, (moment, self.seq, step))
            self.seq += 1

    # the plan

    def plan(self) -> None:
        for month in range(1, self.through + 1):
            labels = [f"{self.year}-{month:02d}"]
            if month % 3 == 0:
                labels.append(f"{self.year}-Q{month // 3}")
            after = dt.date(self.year + month // 12, month % 12 + 1, 1)
            for label in labels:
                self.period(label, after)
        self.year_end()

    def period(self, label: str, after: dt.date) -> None:
        """The forms, ratings, entries and runs of one month or quarter, from ``after``."""

        def day(n: int) -> dt.date:
            return after + dt.timedelta(days=n)

        quarter = "-Q" in label
        for scheme in self.schemes:
            self.at(self.moment(day(0), 9), partial(self.send_forms, scheme, label, day(4)))
        self.at(self.moment(day(6), 9), partial(self.vetoes, label))
        for scheme in self.schemes:
            self.at(self.moment(day(7), 9 + quarter), partial(self.compute, scheme, label))
            if quarter:
                self.at(self.moment(day(9), 9), partial(self.publish_latest, scheme, label))

    # rating forms

    def send_forms(self, scheme: Scheme, label: str, closes_on: dt.date) -> None:
        from grassroots.assessment.actions.ratings import create_form

        start = self.moment(timezone.localdate(), 10)
        for ind in Indicator.objects.filter(scheme=scheme, source=Source.MANUAL).order_by(
            "position"
        ):
            representatives = ind.code == "democratic-rating"
            raters = self.people.representatives if representatives else self.people.departments
            if not raters:
                continue
            form = create_form(
                scheme,
                indicator=ind,
                period=label,
                title=f"{label} {ind.name}",
                closes_on=closes_on,
                raters=raters,
                actor=self.people.office,
                instructions="请对每个单位本期工作实绩逐一评分(0–100分)，拉开差距，"
                "不得简单给出相同分数。",
            )
            self.summary.forms += 1
            sheets = list(form.sheets.select_related("rater").order_by("rater__username"))
            # honest raters first, the uniform one last (so that the group flags it)
            sheets.sort(key=lambda s: s.rater.username == UNIFORM_RATER)
            for n, sheet in enumerate(sheets):
                self.push(start + dt.timedelta(days=1 + n % 3, hours=n), partial(self.fill, sheet))
            close = self.moment(closes_on + dt.timedelta(days=1), 10)
            self.push(close, partial(self.close, form))

    def scores(self, sheet: RatingSheet) -> dict[int, Decimal]:
        units = self.units[sheet.form.scheme_id]
        if sheet.rater.username == UNIFORM_RATER:
            return {u.pk: UNIFORM_SCORE for u in units}
        bias = self.rng.gauss(0, 3)
        out: dict[int, Decimal] = {}
        for u in units:
            raw = float(self.standing[u.pk]) + bias + self.rng.gauss(0, 4)
            out[u.pk] = Decimal(min(100, max(40, round(raw))))
        return out

    def fill(self, sheet: RatingSheet) -> None:
        from grassroots.assessment.actions.ratings import (
            exclude_sheet,
            justify_sheet,
            submit_sheet,
        )

        done = submit_sheet(sheet, self.scores(sheet), actor=sheet.rater)
        self.summary.sheets += 1
        if done.state != SheetState.FLAGGED:
            return
        self.summary.flagged += 1
        later = timezone.now() + dt.timedelta(hours=5)
        if _odd(sheet.form.period):
            self.push(later, partial(self.justify, done, justify_sheet))
        else:
            self.push(later, partial(self.exclude, done, exclude_sheet))

    def justify(self, sheet: RatingSheet, action: Callable[..., Any]) -> None:
        action(sheet, JUSTIFICATION, actor=sheet.rater)
        self.summary.justified += 1

    def exclude(self, sheet: RatingSheet, action: Callable[..., Any]) -> None:
        action(sheet, EXCLUSION, actor=self.people.office)
        self.summary.excluded += 1

    def close(self, form: RatingForm) -> None:
        from grassroots.assessment.actions.ratings import close_form

        close_form(form, actor=self.people.office)

    # vetoes entered by the office

    def vetoes(self, label: str) -> None:
        """A major safety accident: one township in July (and its third quarter), one
        village in May (and its second quarter) — never the demo logins' own units."""
        from grassroots.assessment.actions.entries import enter_value

        month = {f"{self.year}-07": 7, f"{self.year}-Q3": 7}.get(label)
        month = month or {f"{self.year}-05": 5, f"{self.year}-Q2": 5}.get(label)
        if month is None:
            return
        level = Level.TOWNSHIP if month == 7 else Level.VILLAGE
        scheme = next((s for s in self.schemes if s.level == level), None)
        if scheme is None:
            return
        indicator = Indicator.objects.filter(scheme=scheme, code=SAFETY_VETO.code).first()
        unit = self.veto_unit(scheme)
        if indicator is None or unit is None:
            return
        note = (
            f"{self.year}年{month}月发生一起较大生产安全责任事故(2人死亡)，"
            "依据市应急管理局事故调查报告，属地监管责任落实不到位。"
        )
        enter_value(
            indicator, unit, label, Decimal(1), note=note, evidence=None, actor=self.people.office
        )
        self.summary.entries += 1

    def veto_unit(self, scheme: Scheme) -> Unit | None:
        units = self.units[scheme.pk]
        outside = [u for u in units if DEMO_TOWNSHIP not in u.path.split(SEP)]
        candidates = outside or [u for u in units if u.code != DEMO_TOWNSHIP][1:]
        if not candidates:
            return None
        return candidates[len(candidates) // 2]

    # runs, publication, appeals

    def compute(self, scheme: Scheme, label: str) -> None:
        from grassroots.assessment.actions import compute_run

        compute_run(scheme, label, actor=self.people.office)
        self.summary.runs += 1

    def publish_latest(self, scheme: Scheme, label: str) -> None:
        run = Run.objects.filter(scheme=scheme, period=label).order_by("-version").first()
        if run is not None:
            self.publish(run)

    def publish(self, run: Run) -> None:
        from grassroots.assessment.actions.publishing import publish_run
        from grassroots.assessment.errors import AssessmentError

        try:
            publication = publish_run(run, actor=self.people.office)
        except AssessmentError as exc:
            self.summary.unpublished.append((run.scheme.code, run.period, exc.message))
            return
        self.summary.published.append(
            (run.scheme.code, run.period, run.version, publication.sha256)
        )
        closed = self.moment(publication.appeal_until + dt.timedelta(days=1), 9)
        self.push(closed, partial(self.freeze, run))
        if run.period == f"{self.year}-Q2" and run.version == 1 and self.appeal_scheme(run):
            when = timezone.now() + dt.timedelta(days=2, hours=1)
            self.push(when, partial(self.appeal, run))

    def freeze(self, run: Run) -> None:
        from grassroots.assessment.actions.publishing import freeze_run
        from grassroots.assessment.errors import AssessmentError

        try:
            freeze_run(run, actor=self.people.office)
        except AssessmentError:
            return  # an appeal still waits: frozen after its decision
        self.summary.frozen += 1

    def appeal_scheme(self, run: Run) -> bool:
        """礼州镇 appeals in the township scheme; without one, its first village."""
        levels = {s.level for s in self.schemes}
        expected = Level.TOWNSHIP if Level.TOWNSHIP in levels else Level.VILLAGE
        return run.scheme.level == expected and self.people.leader is not None

    def appellant(self, run: Run) -> Unit | None:
        units = self.units[run.scheme_id]
        if run.scheme.level == Level.TOWNSHIP:
            return next((u for u in units if u.code == DEMO_TOWNSHIP), None)
        return next((u for u in units if DEMO_TOWNSHIP in u.path.split(SEP)), None)

    def appeal(self, run: Run) -> None:
        from grassroots.assessment.actions.appeals import submit_appeal

        unit = self.appellant(run)
        leader = self.people.leader
        if unit is None or leader is None:
            return
        found = [
            (score, reason)
            for code, reason in APPEAL_REASONS
            for score in Score.objects.filter(
                run=run, unit=unit, indicator__code=code, raw_value__isnull=False
            ).select_related("indicator")
        ]
        if not found:
            return
        score, reason = found[0]
        claimed = _claimed(score)
        appeal = submit_appeal(
            run,
            unit,
            score.indicator,
            reason=reason,
            claimed_value=claimed,
            evidence=None,
            actor=leader,
        )
        self.summary.appeals += 1
        self.push(
            timezone.now() + dt.timedelta(days=2, hours=4), partial(self.decide, appeal, claimed)
        )

    def decide(self, appeal: Any, corrected: Decimal) -> None:
        from grassroots.assessment.actions.appeals import decide_appeal

        decided = decide_appeal(
            appeal,
            accept=True,
            reason="经核实，申诉所附记录属实，予以更正，重新计算本季度结果。",
            corrected_value=corrected,
            actor=self.people.office,
        )
        if decided.new_run is not None:
            self.push(timezone.now() + dt.timedelta(days=1), partial(self.publish, decided.new_run))
            # the appealed version can be frozen now that no appeal waits
            self.push(timezone.now() + dt.timedelta(days=7), partial(self.freeze, appeal.run))

    # the year-end review and the annual evaluation

    def year_end(self) -> None:
        """The year-end review, sent on 20 November (open until 10 January), filled on 5–8
        January; the annual evaluation on 12 January once the whole year has happened."""
        sent = self.moment(dt.date(self.year, 11, 20), 9)
        closes_on = dt.date(self.year + 1, 1, 10)
        for scheme in self.schemes:
            self.at(sent, partial(self.send_review, scheme, closes_on))
            if self.through == 12:
                self.at(self.moment(dt.date(self.year + 1, 1, 12), 9), partial(self.annual, scheme))

    def send_review(self, scheme: Scheme, closes_on: dt.date) -> None:
        from grassroots.assessment.actions.ratings import create_form

        raters = self.people.representatives[:4] + self.people.departments[:2]
        form = create_form(
            scheme,
            indicator=None,
            period=str(self.year),
            title=f"{self.year} 年终考评",
            closes_on=closes_on,
            raters=raters,
            actor=self.people.office,
            instructions="年终考评：请对各单位全年工作逐一评分(0–100分)。",
        )
        self.summary.forms += 1
        start = self.moment(dt.date(self.year + 1, 1, 5), 10)
        for n, sheet in enumerate(form.sheets.select_related("rater").order_by("rater__username")):
            self.at(start + dt.timedelta(days=n % 4, hours=n), partial(self.fill, sheet))
        self.at(self.moment(closes_on, 17), partial(self.close, form))

    def annual(self, scheme: Scheme) -> None:
        self.compute(scheme, str(self.year))
        self.summary.annual = True
        self.publish_latest(scheme, str(self.year))


#: What 礼州镇 appeals (the first indicator with a figure), and why.
APPEAL_REASONS: Final = (
    (
        "on-time-handling",
        "6月下旬强降雨致部分村组道路中断，3件事件经市应急管理局同意顺延处置，"
        "已在平台按规定报备，不应计为未按期处置。",
    ),
    (
        "tasks-progress",
        "6月已完成的文化院坝建设进度已按时报送，因审核延迟未计入本季度，现附验收记录，"
        "请求按实际进度计算。",
    ),
)


def _odd(period: str) -> bool:
    """Months 1, 3 …, quarters 1 and 3: the uniform rater justifies; else is excluded."""
    number = period.rpartition("Q")[2] if "-Q" in period else period[5:7]
    return number.isdecimal() and int(number) % 2 == 1


def _claimed(score: Score) -> Decimal:
    """The value 礼州镇 claims: three more events handled on time (at most all of them),
    or ten points more progress."""
    num, den = score.numerator, score.denominator
    if score.indicator.code == "on-time-handling" and num is not None and den:
        more = min(Decimal(3), den - num)
        return (100 * (num + more) / den).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert score.raw_value is not None  # noqa: S101 - checked by the caller
    return score.raw_value + 10


def run_year(
    schemes: list[Scheme],
    *,
    through: int | None = None,
    rng: random.Random | None = None,
    progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
) -> YearSummary:
    """Let the assessment year of ``schemes`` (all of one year, same root) happen up to
    ``now`` (default ``timezone.now()``), month by month up to ``through`` (default: the
    last complete month) — see the module docstring. Needs the city office's login."""
    if not schemes:
        return YearSummary()
    now = now or timezone.now()
    year = schemes[0].year
    through = last_complete_month(year, now) if through is None else through
    people = _people(schemes[0].root)
    if people is None:
        return YearSummary(schemes=[s.code for s in schemes])
    rng = rng or random.Random(f"{year}:assessment")  # noqa: S311 - synthetic demo data
    replay = _Year(schemes, people, rng, now, through)
    replay.summary.through = f"{year}-{through:02d}" if through else ""
    replay.plan()
    return replay.run(progress)


def seed_assessment(
    *,
    rng: random.Random,
    progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
) -> YearSummary:
    """The demo's schemes of the year (:func:`demo_year`) and their year up to now."""
    now = now or timezone.now()
    schemes = build_schemes(demo_year(now))
    summary = run_year(schemes, rng=rng, progress=progress, now=now)
    render_current_bulletins(summary.published)
    return summary


def render_current_bulletins(published: list[tuple[str, str, int, str]]) -> int:
    """Render now the bulletins (PDF and Excel) of each scheme's latest publication among
    ``published`` ((scheme, period, version, SHA-256)), so that the demo offers them at once
    (西昌: about 15 s for both schemes); the others are rendered when first asked for.
    Returns how many were rendered."""
    from grassroots.assessment.actions.bulletins import render_bulletin_now, request_bulletin
    from grassroots.assessment.models import BulletinState, Publication
    from grassroots.common.metrics import Period

    latest: dict[str, tuple[tuple[dt.datetime, int], str]] = {}
    for code, period, version, sha in published:
        key = (Period.parse(period).end, version)
        if code not in latest or key > latest[code][0]:
            latest[code] = (key, sha)
    done = 0
    for _key, sha in latest.values():
        publication = Publication.objects.only("pk").get(sha256=sha)
        for fmt in ("pdf", "xlsx"):
            bulletin = request_bulletin(publication.pk, fmt, actor=None)
            done += render_bulletin_now(bulletin.pk) == BulletinState.DONE
    return done
