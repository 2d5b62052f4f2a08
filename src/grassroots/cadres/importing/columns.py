"""The columns of a cadre roster (干部花名册) and how a cell is read: dates, ID numbers
(GB 11643, ``common.idnumbers``), phones, the labels of gender, education and level,
the 56 ethnic groups (``ethnicities``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from django.utils.translation import gettext as _

from grassroots.cadres.ethnicities import ETHNICITY_SET
from grassroots.cadres.states import Education, Gender, Level
from grassroots.common.idnumbers import id_facts, id_number_problem
from grassroots.common.importing import Column
from grassroots.common.tabular import ImportRefused, cell_text

COLUMNS: Final = (
    Column("name", ("姓名",), required=True),
    Column("gender", ("性别",)),
    Column("ethnicity", ("民族",), required=True),
    Column("birth_date", ("出生日期", "出生年月")),
    Column("id_number", ("身份证号", "身份证号码", "公民身份号码"), required=True),
    Column("phone", ("手机号", "手机号码", "手机", "联系电话")),
    Column("education", ("学历", "最高学历", "文化程度"), required=True),
    Column("party_joined_on", ("入党时间", "入党日期")),
    Column("grassroots_since", ("参加基层工作时间", "基层工作时间", "到基层工作时间")),
    Column("unit_code", ("单位代码", "单位编码")),
    Column("unit_name", ("单位名称", "工作单位", "单位")),
    Column("post", ("现任职务", "职务"), required=True),
    Column("level", ("职级", "级别", "职务层次"), required=True),
    Column("post_since", ("任现职时间", "任职时间")),
)
HEADERS: Final = {c.key: c.headers[0] for c in COLUMNS}


GENDER_WORDS: Final = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    **{v: Gender(v) for v in Gender.values},
}
GENDER_NAMES: Final = {Gender.MALE: "男", Gender.FEMALE: "女"}

EDUCATION_WORDS: Final = {
    "研究生": Education.POSTGRADUATE,
    "博士研究生": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
    "硕士": Education.POSTGRADUATE,
    "大学本科": Education.BACHELOR,
    "本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "大学专科": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "大专": Education.COLLEGE,
    "中专": Education.SECONDARY,
    "高中": Education.SECONDARY,
    "中专及高中": Education.SECONDARY,
    "中专/高中": Education.SECONDARY,
    "中等专科": Education.SECONDARY,
    "职高": Education.SECONDARY,
    "初中及以下": Education.JUNIOR,
    "初中": Education.JUNIOR,
    "小学": Education.JUNIOR,
    **{v: Education(v) for v in Education.values},
}
EDUCATION_NAMES: Final = {
    Education.POSTGRADUATE: "研究生",
    Education.BACHELOR: "大学本科",
    Education.COLLEGE: "大学专科",
    Education.SECONDARY: "中专及高中",
    Education.JUNIOR: "初中及以下",
}

LEVEL_WORDS: Final = {
    "正科级": Level.SECTION_CHIEF,
    "正科": Level.SECTION_CHIEF,
    "副科级": Level.DEPUTY_SECTION,
    "副科": Level.DEPUTY_SECTION,
    "科员": Level.STAFF,
    "科员级": Level.STAFF,
    "一般干部": Level.STAFF,
    "村(社区)书记主任": Level.VILLAGE_HEAD,
    "村(社区)正职": Level.VILLAGE_HEAD,
    "村社区正职": Level.VILLAGE_HEAD,
    "村正职": Level.VILLAGE_HEAD,
    "社区正职": Level.VILLAGE_HEAD,
    "村(社区)两委委员": Level.VILLAGE,
    "村社区两委委员": Level.VILLAGE,
    "两委委员": Level.VILLAGE,
    "村两委委员": Level.VILLAGE,
    "社区两委委员": Level.VILLAGE,
    **{v: Level(v) for v in Level.values},
}
LEVEL_NAMES: Final = {
    Level.SECTION_CHIEF: "正科级",
    Level.DEPUTY_SECTION: "副科级",
    Level.STAFF: "科员",
    Level.VILLAGE_HEAD: "村(社区)正职",
    Level.VILLAGE: "村(社区)两委委员",
}

_LABEL_SPACES: Final = str.maketrans({"（": "(", "）": ")", " ": "", "　": ""})


def word(text: str) -> str:
    """A label as looked up: no spaces, ASCII parentheses, lower case (codes)."""
    return text.translate(_LABEL_SPACES).lower()


def lookup(words: Mapping[str, str], text: str) -> str | None:
    """The value ``text`` names in ``words`` (compared as ``word`` makes them)."""
    wanted = word(text)
    for key, value in words.items():
        if word(key) == wanted:
            return str(value)
    return None


def ethnicity_of(text: str) -> str | None:
    """One of the 56 ethnic groups, with or without 族 (``彝`` → ``彝族``); None when not."""
    name = word(text)
    if name in ETHNICITY_SET:
        return name
    if name + "族" in ETHNICITY_SET:
        return name + "族"
    return None


# --- dates -------------------------------------------------------------------------------

_DATE: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE: Final = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
#: Rosters often give a month only (出生年月 1990.05, 入党时间 2012年7月): its first day.
_MONTH: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT_MONTH: Final = re.compile(r"^(\d{4})(\d{2})$")
#: Excel's day 0 (serial numbers of dates typed into a text column).
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)


def parse_date(value: object) -> dt.date | None:
    """A date cell: a spreadsheet date, ``1990-05-17``, ``1990/5/17``, ``1990.5.17``,
    ``1990年5月17日``, ``19900517``, a month alone (``1990.05``, ``1990年5月``,
    ``199005``: its first day) or an Excel serial number; None when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).replace(" 00:00:00", "")
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    match = _MONTH.match(text) or _COMPACT_MONTH.match(text)
    if match:
        year, month = (int(part) for part in match.groups())
        return dt.date(year, month, 1) if 1 <= month <= 12 else None
    if text.isascii() and text.isdecimal() and 10000 <= int(text) <= 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    return None


# --- ID numbers and phones -----------------------------------------------------------------

_MOBILE: Final = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A valid 18-character citizen ID number and what it tells."""

    number: str
    birth_date: dt.date
    gender: Gender


def parse_id_number(text: str, today: dt.date) -> IdNumber | str:
    """The ID number (upper-case X), or the problem (a message)."""
    number = text.replace(" ", "").upper()
    problem = id_number_problem(number)
    if problem in ("length", "digits"):
        return _("An ID number has 18 characters: 17 digits and a digit or X (%(value)s).") % {
            "value": text
        }
    facts = id_facts(number) if problem is None or problem == "checksum" else None
    if facts is None or facts.birth_date > today or facts.birth_date.year < 1900:
        return _("The ID number %(value)s holds no valid date of birth.") % {"value": number}
    if problem == "checksum":
        return _(
            "The check digit of the ID number %(value)s is wrong (GB 11643). If Excel shows "
            "it as a number, format the column as text and type it again."
        ) % {"value": number}
    return IdNumber(number, facts.birth_date, Gender(facts.gender))


def parse_phone(text: str) -> str | None:
    """An 11-digit mobile number (spaces, dashes and +86 dropped); None when not one."""
    digits = re.sub(r"[\s-]", "", text)
    digits = digits.removeprefix("+86").removeprefix("0086")
    return digits if _MOBILE.match(digits) else None


# --- rows and the result -------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One checked row: every value in the form the model takes; None where the cell was
    empty (an existing file then keeps its value)."""

    line: int
    name: str = ""
    gender: str = ""
    ethnicity: str = ""
    birth_date: dt.date | None = None
    id_number: str = ""
    phone: str | None = None
    education: str = ""
    party_joined_on: dt.date | None = None
    grassroots_since: dt.date | None = None
    unit_code: str = ""
    unit_name: str = ""
    unit_id: int | None = None
    unit_path: str = ""
    post: str = ""
    level: str = ""
    post_since: dt.date | None = None
    #: The existing file it updates (its pk), when its ID number is known.
    cadre_id: int | None = None


#: The file fields a row sets, in roster order (the unit as ``unit_id``).
FIELDS: Final = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "party_joined_on",
    "grassroots_since",
    "unit_id",
    "post",
    "level",
)
#: Fields an empty cell leaves as they are on an existing file.
KEEP_WHEN_EMPTY: Final = frozenset({"phone", "party_joined_on", "grassroots_since"})
#: The fields whose change opens a new post record (任职经历).
POST_FIELDS: Final = ("unit_id", "post", "level")


@dataclass(slots=True)
class Change:
    """An existing file the import changes: whose, and which columns."""

    line: int
    name: str
    columns: list[str]


@dataclass(slots=True)
class ImportSummary:
    """What an import read and wrote (or, checking only, would write)."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    #: The files it changes, in line order (the preview lists them).
    changes: list[Change] = field(default_factory=list)
    seconds: float = 0.0


class CadreImportError(ImportRefused):
    """The roster has problems; nothing was imported (``errors``: every one)."""


PROGRESS_EVERY: Final = 500
