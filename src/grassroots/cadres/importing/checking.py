"""Checking a cadre roster: every row, every problem by line and column, nothing written.

``read`` checks a row's cells on their own; ``finish`` checks the whole file against the
database in a few queries (units by code and name, existing files by ID number, their open
post records) and decides, row by row, whether it makes a new file or updates one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from django.utils.translation import gettext as _

from grassroots.cadres.importing.columns import (
    COLUMNS,
    EDUCATION_WORDS,
    FIELDS,
    GENDER_NAMES,
    GENDER_WORDS,
    HEADERS,
    KEEP_WHEN_EMPTY,
    LEVEL_WORDS,
    Change,
    IdNumber,
    Row,
    ethnicity_of,
    lookup,
    parse_date,
    parse_id_number,
    parse_phone,
)
from grassroots.cadres.models import Cadre, PostRecord
from grassroots.cadres.permissions import MANAGE
from grassroots.cadres.states import CadreStatus
from grassroots.common.crypto import digest
from grassroots.common.importing import SheetChecker
from grassroots.common.tabular import cell_text
from grassroots.org.models import Unit, UnitKind, is_within
from grassroots.org.queries import grant_paths

if TYPE_CHECKING:
    from grassroots.org.models import User

#: Values per ``IN (…)`` query (SQLite's limit on parameters is far above).
CHUNK: Final = 900
#: Suffixes of a village or community's full name that a roster may leave out.
_COMMITTEE: Final = ("村民委员会", "居民委员会")
#: The youngest a cadre may be, and the ages below which party membership and work cannot
#: have begun (党章: 年满十八岁; the legal working age).
ADULT: Final = 18
WORKING_AGE: Final = 16


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _short(name: str) -> str:
    """A village or community's name without its committee suffix (陈远村村民委员会 → 陈远村)."""
    for suffix in _COMMITTEE:
        name = name.removesuffix(suffix)
    return name


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class _Checker(SheetChecker):
    """Checks the whole file; collects every problem (``errors``)."""

    def __init__(self, header: list[str], actor: User, today: dt.date) -> None:
        super().__init__(header, COLUMNS, HEADERS)
        self.actor = actor
        self.today = today
        self.paths = grant_paths(actor, MANAGE)
        if "unit_code" not in self.at and "unit_name" not in self.at:
            self.missing((HEADERS["unit_code"], HEADERS["unit_name"]))
        self.rows: list[Row] = []
        #: Existing files by pk, as read by ``finish`` (the writer compares with these).
        self.existing: dict[int, dict[str, Any]] = {}
        #: The start of each existing file's open post record.
        self.open_posts: dict[int, dt.date] = {}
        self.changes: list[Change] = []

    def required(self, line: int, key: str, text: str) -> bool:
        if not text:
            self.error(line, self.column(key), _("Required."))
            return False
        return True

    def date(self, values: list[Any], key: str, line: int) -> dt.date | None:
        raw = self.cell(values, key)
        if cell_text(raw) == "":
            return None
        day = parse_date(raw)
        if day is None:
            self.error(
                line,
                self.column(key),
                _("Not a date: %(value)s (write it as 1990-05-17 or 1990.05).")
                % {"value": cell_text(raw)},
            )
        elif day > self.today:
            self.error(
                line,
                self.column(key),
                _("%(date)s is in the future.") % {"date": day.isoformat()},
            )
            return None
        return day

    # --- one row --------------------------------------------------------------------------

    def read(self, line: int, values: list[Any], found: int) -> None:
        """Check one row's cells on their own; keep the row."""
        if found > len(values):
            self.error(line, "", _("The line has more fields than the header."))
        row = Row(line=line)
        row.name = self.text(values, "name", line, 64)
        self.required(line, "name", row.name)
        person = self._id_number(row, values)
        self._gender(row, values, person)
        self._birth(row, values, person)
        ethnicity = self.text(values, "ethnicity", line, 16)
        if self.required(line, "ethnicity", ethnicity):
            row.ethnicity = ethnicity_of(ethnicity) or ""
            if not row.ethnicity:
                self.error(
                    line,
                    self.column("ethnicity"),
                    _("%(value)s is not one of the 56 ethnic groups (write e.g. 汉族, 彝族).")
                    % {"value": ethnicity},
                )
        phone = self.text(values, "phone", line, 20)
        if phone:
            row.phone = parse_phone(phone)
            if row.phone is None:
                self.error(
                    line,
                    self.column("phone"),
                    _("Not a mobile number: %(value)s (11 digits, e.g. 13812345678).")
                    % {"value": phone},
                )
        education = self.text(values, "education", line, 16)
        if self.required(line, "education", education):
            row.education = lookup(EDUCATION_WORDS, education) or ""
            if not row.education:
                self.error(
                    line,
                    self.column("education"),
                    _(
                        "Unknown education %(value)s (研究生, 大学本科, 大学专科, 中专及高中 "
                        "or 初中及以下)."
                    )
                    % {"value": education},
                )
        row.party_joined_on = self.date(values, "party_joined_on", line)
        row.grassroots_since = self.date(values, "grassroots_since", line)
        row.post_since = self.date(values, "post_since", line)
        self._ages(row)
        row.unit_code = self.text(values, "unit_code", line, 32)
        row.unit_name = self.text(values, "unit_name", line, 100)
        if not row.unit_code and not row.unit_name:
            self.error(
                line,
                self.column("unit_code" if "unit_code" in self.at else "unit_name"),
                _("Give the unit's code or name."),
            )
        row.post = self.text(values, "post", line, 100)
        self.required(line, "post", row.post)
        level = self.text(values, "level", line, 16)
        if self.required(line, "level", level):
            row.level = lookup(LEVEL_WORDS, level) or ""
            if not row.level:
                self.error(
                    line,
                    self.column("level"),
                    _(
                        "Unknown level %(value)s (正科级, 副科级, 科员, 村(社区)正职 "
                        "or 村(社区)两委委员)."
                    )
                    % {"value": level},
                )
        self.rows.append(row)

    def _id_number(self, row: Row, values: list[Any]) -> IdNumber | None:
        text = self.text(values, "id_number", row.line, 32)
        if not self.required(row.line, "id_number", text):
            return None
        parsed = parse_id_number(text, self.today)
        if isinstance(parsed, str):
            self.error(row.line, self.column("id_number"), parsed)
            return None
        row.id_number = parsed.number
        return parsed

    def _gender(self, row: Row, values: list[Any], person: IdNumber | None) -> None:
        text = self.text(values, "gender", row.line, 8)
        if not text:
            row.gender = person.gender if person else ""
            if person is None and "id_number" in self.at:
                return  # the ID number's own error says enough
            if not row.gender:
                self.error(row.line, self.column("gender"), _("Required."))
            return
        row.gender = lookup(GENDER_WORDS, text) or ""
        if not row.gender:
            self.error(
                row.line,
                self.column("gender"),
                _("Unknown gender %(value)s (男 or 女).") % {"value": text},
            )
        elif person is not None and person.gender != row.gender:
            self.error(
                row.line,
                self.column("gender"),
                _("The ID number says %(gender)s.") % {"gender": GENDER_NAMES[person.gender]},
            )

    def _birth(self, row: Row, values: list[Any], person: IdNumber | None) -> None:
        row.birth_date = self.date(values, "birth_date", row.line)
        if person is None:
            return
        if row.birth_date is None:
            row.birth_date = person.birth_date
            return
        given, known = row.birth_date, person.birth_date
        # a month alone (1990.05) agrees with any day of that month
        same_month = given.day == 1 and (given.year, given.month) == (known.year, known.month)
        if given != known and not same_month:
            self.error(
                row.line,
                self.column("birth_date"),
                _("The ID number says %(date)s.") % {"date": known.isoformat()},
            )
        row.birth_date = known

    def _ages(self, row: Row) -> None:
        born = row.birth_date
        if born is None:
            return
        if _years_after(born, ADULT) > self.today:
            self.error(
                row.line,
                self.column("birth_date" if "birth_date" in self.at else "id_number"),
                _("Younger than %(n)d.") % {"n": ADULT},
            )
        for key, years in (("party_joined_on", ADULT), ("grassroots_since", WORKING_AGE)):
            day = getattr(row, key)
            if day is not None and day < _years_after(born, years):
                self.error(
                    row.line,
                    self.column(key),
                    _("%(date)s is before the age of %(n)d.")
                    % {"date": day.isoformat(), "n": years},
                )

    # --- the whole file -------------------------------------------------------------------

    def finish(self) -> None:
        """Units, duplicates, existing files: what each row will do."""
        self._units()
        self._duplicates()
        self._existing()

    def _units(self) -> None:
        codes = sorted({r.unit_code for r in self.rows if r.unit_code})
        names = sorted({r.unit_name for r in self.rows if r.unit_name and not r.unit_code})
        wanted_names = sorted({n + s for n in names for s in ("", *_COMMITTEE)})
        by_code: dict[str, Unit] = {}
        by_name: dict[str, list[Unit]] = defaultdict(list)
        base = Unit.objects.filter(active=True).only("pk", "code", "name", "path", "kind")
        for chunk in _chunks(codes):
            for unit in base.filter(code__in=chunk):
                by_code[unit.code] = unit
        for chunk in _chunks(wanted_names):
            for unit in base.filter(name__in=chunk).order_by("path"):
                by_name[unit.name].append(unit)
        for row in self.rows:
            if row.unit_code:
                found = self._by_code(row, by_code)
            elif row.unit_name:
                found = self._by_name(row, by_name)
            else:
                continue
            if found is None:
                continue
            if found.kind == UnitKind.GRID:
                self.error(
                    row.line,
                    self._unit_column(row),
                    _("%(unit)s is a grid; give the village, community or township.")
                    % {"unit": found.name},
                )
            elif not self.within(found.path):
                self.error(
                    row.line,
                    self._unit_column(row),
                    _("%(unit)s is outside the units whose cadres you manage.")
                    % {"unit": found.name},
                )
            else:
                row.unit_id, row.unit_path = found.pk, found.path

    def _unit_column(self, row: Row) -> str:
        return self.column("unit_code" if row.unit_code else "unit_name")

    def within(self, path: str) -> bool:
        if self.actor.is_superuser:
            return True
        return any(is_within(path, p) for p in self.paths)

    def _by_code(self, row: Row, by_code: dict[str, Unit]) -> Unit | None:
        unit = by_code.get(row.unit_code)
        if unit is None:
            self.error(
                row.line,
                self.column("unit_code"),
                _("No unit with the code %(code)s.") % {"code": row.unit_code},
            )
            return None
        if row.unit_name and _short(row.unit_name) != _short(unit.name):
            self.error(
                row.line,
                self.column("unit_name"),
                _("The code %(code)s is %(unit)s, not %(name)s.")
                % {"code": unit.code, "unit": unit.name, "name": row.unit_name},
            )
            return None
        return unit

    def _by_name(self, row: Row, by_name: dict[str, list[Unit]]) -> Unit | None:
        name = row.unit_name
        found = [u for n in (name, *(name + s for s in _COMMITTEE)) for u in by_name.get(n, [])]
        found = [u for u in found if u.kind != UnitKind.GRID] or found
        if not found:
            self.error(
                row.line,
                self.column("unit_name"),
                _("No unit named %(unit)s.") % {"unit": name},
            )
            return None
        mine = [u for u in found if self.within(u.path)]
        if len(mine) == 1:
            return mine[0]
        if not mine:
            return found[0]  # reported as outside the actor's units
        self.error(
            row.line,
            self.column("unit_name"),
            _("%(count)d of your units are named %(unit)s; give the unit code instead.")
            % {"count": len(mine), "unit": name},
        )
        return None

    def _duplicates(self) -> None:
        first: dict[str, int] = {}
        for row in self.rows:
            if not row.id_number:
                continue
            if row.id_number in first:
                self.error(
                    row.line,
                    self.column("id_number"),
                    _("The ID number %(value)s is on line %(line)d already.")
                    % {"value": row.id_number, "line": first[row.id_number]},
                )
                row.id_number = ""  # not looked up again
                continue
            first[row.id_number] = row.line

    def _existing(self) -> None:
        """Rows whose ID number has a file update it: that file must be in office and in
        the actor's units; the changes are listed."""
        numbers = [r.id_number for r in self.rows if r.id_number]
        known: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(numbers):
            for found in Cadre.objects.filter(id_digest__in=[digest(n) for n in chunk]).values(
                "pk", "status", "unit__path", "unit__name", *FIELDS
            ):
                known[found["id_number"]] = found
        if not known:
            return
        pks = [v["pk"] for v in known.values()]
        for chunk in _chunks(pks):
            for cadre_id, started in PostRecord.objects.filter(
                cadre_id__in=chunk, ended_on__isnull=True
            ).values_list("cadre_id", "started_on"):
                self.open_posts[cadre_id] = max(started, self.open_posts.get(cadre_id, started))
        for row in self.rows:
            values = known.get(row.id_number)
            if values is None:
                continue
            column = self.column("id_number")
            if values["status"] != CadreStatus.ACTIVE:
                self.error(
                    row.line,
                    column,
                    _(
                        "%(name)s's file (this ID number) is marked “%(status)s”; "
                        "change it on the file page first."
                    )
                    % {"name": values["name"], "status": CadreStatus(values["status"]).label},
                )
                continue
            if not self.within(values["unit__path"]):
                self.error(
                    row.line,
                    column,
                    _(
                        "This ID number is the file of a cadre of %(unit)s, outside the units "
                        "whose cadres you manage."
                    )
                    % {"unit": values["unit__name"]},
                )
                continue
            row.cadre_id = values["pk"]
            self.existing[values["pk"]] = values
            self._post_start(row)
            changed = changed_fields(row, values)
            if changed:
                self.changes.append(Change(row.line, row.name, [self._label(f) for f in changed]))

    def _post_start(self, row: Row) -> None:
        assert row.cadre_id is not None  # noqa: S101 - set by the caller
        started = self.open_posts.get(row.cadre_id)
        values = self.existing[row.cadre_id]
        moves = any(getattr(row, f) != values[f] for f in ("unit_id", "post", "level"))
        if moves and started and row.post_since and row.post_since < started:
            self.error(
                row.line,
                self.column("post_since"),
                _("The current post on file began on %(date)s; the new one cannot begin before it.")
                % {"date": started.isoformat()},
            )

    def _label(self, name: str) -> str:
        key = {"unit_id": "unit_code" if "unit_code" in self.at else "unit_name"}.get(name, name)
        return self.column(key)


def changed_fields(row: Row, values: dict[str, Any]) -> list[str]:
    """The file fields the row changes on an existing file (``values``: its fields)."""
    changed: list[str] = []
    for name in FIELDS:
        new = getattr(row, name)
        if name in KEEP_WHEN_EMPTY and new is None:
            continue
        if (new if new is not None else "") != (values[name] if values[name] is not None else ""):
            changed.append(name)
    return changed
