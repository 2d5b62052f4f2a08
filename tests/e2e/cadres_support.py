"""The world and the page helpers of the cadres browser tests (``test_cadres_cycle``).

The cast of ``tests/conftest.py`` has no organisation department (组织部): it is made here,
on the city. The cadres come with their files already opened (the roster was imported long
ago), each with the post they hold; what the tests do in the browser starts from there.

    吉克阿依  礼州镇 党政办科员 (科员)   — not in the pool yet: nominated in the browser;
              has a login, and carried a supervised task to completion on time
    沙马拉且  安宁镇 党政办主任 (科员)   — in the pool for 副科 with the stronger record:
              36 months of 脱贫攻坚 evaluated Excellent, 168 training hours, three
              Excellent years
    王小川    礼州镇 综治办科员 (科员)   — in the pool for 副科, one year in grassroots work
              only (the policy asks two): ranked but not eligible

Pages are checked to be Chinese: ``Chinese.check`` collects the English words left on a
page's ``main`` (a msgid without a translation) so that a test can name them all at its end
instead of stopping at the first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.utils import timezone

from tests.conftest import PASSWORD

ORG_NAME = "钱科长"
#: The cadre nominated, trained, tempered and appointed in the browser.
JIKE = {
    "name": "吉克阿依",
    "gender": "f",
    "ethnicity": "彝族",
    "birth_date": dt.date(1994, 3, 8),
    "id_number": "513401199403081226",
    "phone": "13908150001",
    "education": "bachelor",
    "party_joined_on": dt.date(2015, 6, 20),
    "grassroots_since": dt.date(2016, 9, 1),
    "post": "党政办科员",
    "level": "staff",
}
SHAMA = {
    "name": "沙马拉且",
    "gender": "m",
    "ethnicity": "彝族",
    "birth_date": dt.date(1988, 11, 2),
    "id_number": "513401198811021213",
    "phone": "13908150002",
    "education": "bachelor",
    "party_joined_on": dt.date(2010, 7, 1),
    "grassroots_since": dt.date(2012, 8, 1),
    "post": "党政办主任",
    "level": "staff",
}
WANG = {
    "name": "王小川",
    "gender": "m",
    "ethnicity": "汉族",
    "birth_date": dt.date(1997, 1, 15),
    "id_number": "513401199701151219",
    "phone": "13908150003",
    "education": "college",
    "post": "综治办科员",
    "level": "staff",
}


# --- dates --------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def month_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of the month ``back`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour)).replace(tzinfo=timezone.get_current_timezone())


def last_month() -> tuple[dt.date, str]:
    """The 12th of last month and its label (``2026-11``)."""
    day = month_start(today(), 1).replace(day=12)
    return day, f"{day.year}-{day.month:02d}"


# --- the cast -----------------------------------------------------------------------------


def org_department(tree: dict[str, Any]) -> Any:
    """The organisation department's officer (组织部干部科), over the whole city."""
    from grassroots.org.models import Membership, Role, User

    user = User.objects.create_user(username="org_dept", password=PASSWORD, full_name=ORG_NAME)
    Membership.objects.create(user=user, unit=tree["city"], role=Role.ORG_DEPARTMENT)
    return user


def since_last_year() -> None:
    """Every membership holds since last year (so that the cast acted last month too)."""
    from grassroots.org.models import Membership

    Membership.objects.update(valid_from=dt.date(today().year - 1, 1, 1))


def open_file(unit: Any, fields: dict[str, Any], *, post_since: dt.date, **extra: Any) -> Any:
    """A cadre's file as the roster import left it, with the post held since ``post_since``."""
    from grassroots.cadres.models import Cadre, PostRecord

    cadre = Cadre.objects.create(unit=unit, **fields, **extra)
    PostRecord.objects.create(
        cadre=cadre, unit=unit, post=cadre.post, level=cadre.level, started_on=post_since
    )
    return cadre


def in_pool(cadre: Any, unit: Any, *, by: Any, votes: int, voters: int, since: dt.date) -> Any:
    """A reserve entry admitted into the pool for 副科 (nominated and reviewed earlier)."""
    from grassroots.cadres.models import ReserveEntry

    return ReserveEntry.objects.create(
        cadre=cadre,
        unit=unit,
        target_level="deputy_section",
        status="in_pool",
        voters=voters,
        votes=votes,
        reason="民主推荐得票靠前, 工作实绩突出",
        nominated_by=by,
        nominated_at=aware(since) - dt.timedelta(days=20),
        reviewed_by=by,
        reviewed_at=aware(since),
        review_note="同意入库",
        entered_on=since,
    )


@dataclass
class Pool:
    jike: Any
    shama: Any
    wang: Any
    shama_entry: Any
    wang_entry: Any


def the_pool(tree: dict[str, Any], org: Any) -> Pool:
    """The three cadres of the module's docstring, their records, and 吉克阿依's login and
    the supervised task she carried (completed before its deadline: a key moment to her
    credit once the vacancy's page brings the key moments up to date)."""
    from grassroots.cadres.models import Grade, Tempering, TrainingRecord
    from grassroots.org.models import User
    from grassroots.supervision.models import ProgressReport, Task

    now = today()
    login = User.objects.create_user(username="jike", password=PASSWORD, full_name="吉克阿依")
    jike = open_file(tree["lizhou"], JIKE, post_since=dt.date(2019, 7, 1), user=login)
    shama = open_file(tree["anning"], SHAMA, post_since=dt.date(2020, 3, 1))
    wang = open_file(
        tree["lizhou"], WANG, post_since=year_back(now), grassroots_since=year_back(now)
    )

    deadline = now - dt.timedelta(days=40)
    task = Task.objects.create(
        title="礼州村征地拆迁清零攻坚",
        kind="key_task",
        unit=tree["village"],
        unit_path=tree["village"].path,
        issuer=tree["lizhou"],
        issuer_path=tree["lizhou"].path,
        start_date=deadline - dt.timedelta(days=60),
        deadline=deadline,
        state="completed",
        completed_at=aware(deadline - dt.timedelta(days=5)),
    )
    ProgressReport.objects.create(
        task=task, percent=100, submitted_by=login, submitted_at=aware(deadline - dt.timedelta(10))
    )

    shama_entry = in_pool(
        shama, tree["anning"], by=org, votes=35, voters=40, since=now - dt.timedelta(days=200)
    )
    wang_entry = in_pool(
        wang, tree["lizhou"], by=org, votes=30, voters=45, since=now - dt.timedelta(days=30)
    )
    Tempering.objects.create(
        cadre=shama,
        kind="poverty",
        unit=tree["other_village"],
        post="驻村第一书记",
        started_on=month_start(now, 48),
        planned_end=month_start(now, 12),
        ended_on=month_start(now, 12),
        state="evaluated",
        appraisal="excellent",
        evaluation="脱贫攻坚成效考核优秀",
        evaluated_by=org,
        assigned_by=org,
    )
    TrainingRecord.objects.create(
        cadre=shama,
        course="乡村振兴专题培训",
        provider="中共凉山州委党校",
        hours=Decimal(168),
        started_on=now - dt.timedelta(days=400),
        ended_on=now - dt.timedelta(days=380),
        result="passed",
        recorded_by=org,
    )
    for year in range(now.year - 3, now.year):
        Grade.objects.create(
            cadre=shama, year=year, unit=tree["anning"], grade="excellent", decided_by=org
        )
    return Pool(jike, shama, wang, shama_entry, wang_entry)


def township_scheme(tree: dict[str, Any], year: int) -> Any:
    """Townships of 西昌: on-time handling (100 points, 0 % → 100 %) and 2 points off per
    overdue event, at most 10 (the deduction an error-tolerance case may waive)."""
    from grassroots.assessment.models import Category, Indicator, Scheme, Source

    scheme = Scheme.objects.create(
        code=f"xc-township-{year}",
        name=f"西昌市{year}年度乡镇(街道)目标绩效考核",
        year=year,
        level="township",
        root=tree["city"],
        grade_quota={"excellent_share": "0.5", "poor_below": "20"},
        list_rule={"red_top_n": 1, "black_bottom_n": 1},
    )
    specs = [
        ("on-time", "事件按期处置率", Category.COMMON, "100", "events.on_time_handling_rate",
         "higher", "range_linear", {"floor": 0, "target": 100}),
        ("overdue", "事件超期扣分", Category.DEDUCTION, "0", "events.overdue_count",
         "lower", "per_item_deduction", {"per_item": 2, "cap": 10}),
    ]  # fmt: skip
    for position, (code, name, category, weight, metric, direction, rule, params) in enumerate(
        specs
    ):
        Indicator.objects.create(
            scheme=scheme,
            code=code,
            name=name,
            category=category,
            weight=Decimal(weight),
            source=Source.METRIC,
            metric=metric,
            direction=direction,
            rule=rule,
            params=params,
            duty="基层社会治理：群众诉求的受理、处置与办结",
            position=position,
        )
    return scheme


# --- pages --------------------------------------------------------------------------------


def send(page: Any, form: str) -> int:
    """Submit ``form`` (a selector) with its submit button; the status of the page the
    browser lands on (200 after a redirect, 400 for a form sent back with its errors)."""
    with page.expect_navigation() as landing:
        page.locator(f"{form} button[type=submit]").first.click()
    response = landing.value
    return int(response.status) if response is not None else 0


def relogin(page: Any, user: Any, next_url: str) -> None:
    """Log ``user`` in again in the same browser context (its session ran out: the clock
    moved on), landing on ``next_url``."""
    page.goto(f"/accounts/login/?next={quote(next_url)}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(next_url) + r"(\?.*)?$"))


def error_of(page: Any, field_name: str, within: str = "main") -> str:
    """The error shown next to the field ``field_name`` (empty when none)."""
    found = page.locator(f"{within} .field[data-field='{field_name}'] p.error")
    return " ".join(t.strip() for t in found.all_inner_texts())


def text_of(page: Any, selector: str) -> str:
    return " ".join(t.strip() for t in page.locator(selector).all_inner_texts())


#: Three or more Latin letters standing as a word: a msgid nobody translated (event numbers
#: like ``XC2026…`` or case numbers like ``RC2026-0001`` are not words).
ENGLISH_WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])")
#: Names Chinese pages use as they are (导出 Excel, SHA-256).
PROPER_NOUNS = frozenset({"Excel", "SHA", "PDF", "JSON", "CSV"})


def english(text: str) -> list[str]:
    """The English words of ``text`` (proper nouns left out)."""
    return [w for w in ENGLISH_WORD.findall(text) if w not in PROPER_NOUNS]


@dataclass
class Chinese:
    """The English left on Chinese pages, by page, collected along a test."""

    found: dict[str, list[str]] = field(default_factory=dict)

    def check(self, page: Any, where: str) -> None:
        text = page.locator("main").inner_text()
        if english(text):
            lines = [line.strip() for line in text.splitlines() if english(line)]
            self.found[f"{where} ({page.url.split('//', 1)[-1]})"] = lines[:12]

    def report(self) -> str:
        out = ["English left on pages that should be Chinese (msgids without a translation):"]
        for where, lines in self.found.items():
            out.append(f"  {where}:")
            out.extend(f"    {line[:160]}" for line in lines)
        return "\n".join(out)
