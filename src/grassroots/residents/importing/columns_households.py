"""The columns of the household register (户籍人口台账) as villages keep it, how a cell is
read (the Chinese labels of the choices — 与户主关系, 性别, 人口类型, 状态 —, dates, ID
numbers by GB 11643 through ``common.idnumbers``, phones), and what a checked row sets on
a person or a household."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.utils.translation import gettext as _

from grassroots.common.idnumbers import id_facts, id_number_problem
from grassroots.common.importing import Column
from grassroots.common.tabular import ImportRefused, cell_text
from grassroots.residents.models import Household, Resident
from grassroots.residents.states import Gender, PersonStatus, Relationship, Residence

COLUMNS: Final = (
    Column("grid", ("网格编码", "网格代码", "所属网格编码"), required=True),
    Column("number", ("户号",), required=True),
    Column("address", ("门牌地址", "家庭住址", "住址", "地址")),
    Column("name", ("姓名",), required=True),
    Column("relationship", ("与户主关系", "关系"), required=True),
    Column("gender", ("性别",)),
    Column("id_number", ("公民身份号码", "身份证号", "身份证号码")),
    Column("birth_date", ("出生日期", "出生年月")),
    Column("phone", ("联系电话", "手机号", "手机号码", "电话")),
    Column("residence", ("人口类型", "人口类别")),
    Column("status", ("状态", "人员状态")),
    Column("changed_on", ("变动日期", "变动时间")),
    Column("note", ("备注",)),
)
HEADERS: Final = {c.key: c.headers[0] for c in COLUMNS}

RELATIONSHIP_WORDS: Final = {
    Relationship.HEAD: ("户主", "本人"),
    Relationship.SPOUSE: ("配偶", "妻", "妻子", "夫", "丈夫"),
    Relationship.CHILD: ("子女", "子", "女", "儿子", "女儿", "长子", "次子", "长女", "次女"),
    Relationship.PARENT: ("父母", "父亲", "母亲", "父", "母"),
    Relationship.GRANDCHILD: ("孙子女", "孙子", "孙女", "外孙子", "外孙女", "外孙"),
    Relationship.GRANDPARENT: ("祖父母", "祖父", "祖母", "外祖父", "外祖母"),
    Relationship.SIBLING: ("兄弟姐妹", "兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹"),
    Relationship.CHILD_IN_LAW: ("儿媳", "女婿", "媳妇", "儿媳/女婿"),
    Relationship.OTHER: ("其他", "其它"),
}
GENDER_WORDS: Final = {Gender.MALE: ("男",), Gender.FEMALE: ("女",)}
RESIDENCE_WORDS: Final = {
    Residence.REGISTERED: ("常住", "常住人口", "户籍", "户籍人口", "常住(户籍)人口"),
    Residence.FLOATING: ("流动", "流动人口", "暂住", "暂住人口"),
}
STATUS_WORDS: Final = {
    PersonStatus.PRESENT: ("在住", "在册", "正常", "现住"),
    PersonStatus.MOVED_OUT: ("迁出", "外迁", "已迁出"),
    PersonStatus.DECEASED: ("死亡", "已故", "去世", "已死亡"),
}
#: The label each choice is written with in the template and the export.
NAMES: Final[dict[str, str]] = {
    **{value: words[0] for value, words in RELATIONSHIP_WORDS.items()},
    **{value: words[0] for value, words in GENDER_WORDS.items()},
    **{value: words[0] for value, words in RESIDENCE_WORDS.items()},
    **{value: words[0] for value, words in STATUS_WORDS.items()},
}

_LABEL_SPACES: Final = str.maketrans({"（": "(", "）": ")", " ": "", "　": ""})


def word(text: str) -> str:
    """A label as looked up: no spaces, ASCII parentheses, lower case."""
    return text.translate(_LABEL_SPACES).lower()


def lookup(words: Mapping[str, tuple[str, ...]], text: str) -> str | None:
    """The value ``text`` names in ``words`` (its Chinese words, or the value itself)."""
    wanted = word(text)
    for value, names in words.items():
        if wanted == word(str(value)) or any(wanted == word(n) for n in names):
            return str(value)
    return None


def choices_text(words: Mapping[str, tuple[str, ...]]) -> str:
    """The labels of ``words`` as a message lists them (户主、配偶…)."""
    return "、".join(names[0] for names in words.values())


# --- dates ---------------------------------------------------------------------------------

_DATE: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE: Final = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
#: Excel's day 0 (serial numbers of dates typed into a text column).
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)


def parse_date(value: object) -> dt.date | None:
    """A date cell: a spreadsheet date, ``1990-05-17``, ``1990/5/17``, ``1990.5.17``,
    ``1990年5月17日``, ``19900517``, a month alone (``1990.05``: its first day) or an
    Excel serial number; None when unreadable."""
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
    match = _MONTH.match(text)
    if match:
        year, month = (int(part) for part in match.groups())
        return dt.date(year, month, 1) if 1 <= month <= 12 else None
    if text.isascii() and text.isdecimal() and 10000 <= int(text) <= 80000:
        return _EXCEL_EPOCH + dt.timedelta(days=int(text))
    return None


# --- ID numbers and phones -----------------------------------------------------------------

_MOBILE: Final = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE: Final = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$")


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A valid 18-character citizen ID number and what it tells."""

    number: str
    birth_date: dt.date
    gender: str


def parse_id_number(text: str, today: dt.date) -> IdNumber | str:
    """The ID number (upper-case X, full-width digits made plain), or the problem (a
    message; the number masked)."""
    number = unicodedata.normalize("NFKC", text).replace(" ", "").upper()
    problem = id_number_problem(number)
    if problem in ("length", "digits"):
        return _("An ID number has 18 characters: 17 digits and a digit or X.")
    facts = id_facts(number) if problem in (None, "checksum") else None
    if facts is None or facts.birth_date > today or facts.birth_date.year < 1880:
        return _("This ID number holds no valid date of birth.")
    if problem == "checksum":
        return _(
            "The check digit of this ID number is wrong (GB 11643). If Excel shows it as a "
            "number, format the column as text and type it again."
        )
    return IdNumber(number, facts.birth_date, facts.gender)


def parse_phone(text: str) -> str | None:
    """A mobile number (spaces, dashes and +86 dropped) or a landline with its area code;
    None when neither. Full-width digits and signs are made plain."""
    compact = re.sub(r"[\s()]", "", unicodedata.normalize("NFKC", text))
    mobile = compact.replace("-", "").removeprefix("+86").removeprefix("0086")
    if _MOBILE.match(mobile):
        return mobile
    return compact if _LANDLINE.match(compact) else None


# --- rows and the result -------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One checked row: every value in the form the models take; ``None`` or "" where the
    cell was empty (an existing person then keeps the value)."""

    line: int
    grid_code: str = ""
    number: str = ""
    address: str = ""
    name: str = ""
    relationship: str = ""
    gender: str = ""
    id_number: str = ""
    id_digest: str = ""
    birth_date: dt.date | None = None
    phone: str = ""
    residence: str = ""
    status: str = PersonStatus.PRESENT
    changed_on: dt.date | None = None
    note: str = ""
    #: Set by the whole-file check: the grid and village, the household (its key, and
    #: its pk when it exists) and the existing person the row updates.
    grid_id: int | None = None
    village_id: int | None = None
    household_id: int | None = None
    resident_id: int | None = None

    @property
    def key(self) -> tuple[int, str]:
        return (self.village_id or 0, self.number)


@dataclass(slots=True)
class ImportSummary:
    """What an import read and wrote (or, checking only, would write)."""

    file: str
    rows: int = 0
    households_created: int = 0
    households_updated: int = 0
    residents_created: int = 0
    residents_updated: int = 0
    residents_unchanged: int = 0
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0


#: The person fields a row may change.
PERSON_FIELDS: Final = (
    "household_id",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "id_digest",
    "phone",
    "relationship",
    "residence",
    "status",
    "moved_in_on",
    "moved_out_on",
    "died_on",
    "note",
)


def apply_row(person: Resident, row: Row, household_id: int) -> list[str]:
    """Set the row's values on an existing person (an empty cell keeps the value); the
    names of the fields that changed."""
    values: dict[str, Any] = {"household_id": household_id, "name": row.name}
    for name in ("gender", "birth_date", "phone", "relationship", "residence", "note"):
        value = getattr(row, name)
        if value not in ("", None):
            values[name] = value
    if row.id_digest and row.id_digest != person.id_digest:
        values["id_number"], values["id_digest"] = row.id_number, row.id_digest
    status = row.status or person.status
    values["status"] = status
    if status == PersonStatus.MOVED_OUT:
        values["moved_out_on"] = row.changed_on or person.moved_out_on
    elif status == PersonStatus.DECEASED:
        values["died_on"] = row.changed_on or person.died_on
    else:
        if row.changed_on:
            values["moved_in_on"] = row.changed_on
        values["moved_out_on"] = None
    changed = [k for k, v in values.items() if getattr(person, k) != v]
    for key in changed:
        setattr(person, key, values[key])
    return changed


def new_person(row: Row, household_id: int) -> Resident:
    status = row.status or PersonStatus.PRESENT
    return Resident(
        household_id=household_id,
        name=row.name,
        gender=row.gender,
        birth_date=row.birth_date,
        id_number=row.id_number,
        id_digest=row.id_digest,
        phone=row.phone,
        relationship=row.relationship,
        residence=row.residence or Residence.REGISTERED,
        status=status,
        moved_in_on=row.changed_on if status == PersonStatus.PRESENT else None,
        moved_out_on=row.changed_on if status == PersonStatus.MOVED_OUT else None,
        died_on=row.changed_on if status == PersonStatus.DECEASED else None,
        note=row.note,
    )


def household_changes(household: Household, rows: list[Row]) -> list[str]:
    """Set the file's grid and address on an existing household; the changed fields."""
    changed = []
    grid_id = rows[0].grid_id
    if grid_id is not None and household.grid_id != grid_id:
        household.grid_id = grid_id
        household.place = None
        changed += ["grid", "place"]
    address = next((r.address for r in rows if r.address), "")
    if address and address != household.address:
        household.address = address
        changed.append("address")
    return changed


class HouseholdImportError(ImportRefused):
    """The register has problems; nothing was imported (``errors``: every one)."""


PROGRESS_EVERY: Final = 1000


#: Values per ``IN (…)`` query.
CHUNK: Final = 900


def chunks(values: list[Any]) -> Iterable[list[Any]]:
    """``values`` in slices of ``CHUNK`` (one ``IN (…)`` query each)."""
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
