"""Import of the household register villages keep today (户籍人口台账):
``grassroots import_residents FILE.xlsx|csv --user NAME`` and ``import_households(path_or_file,
actor=...)``.

One row per person (read with ``common.tabular``: CSV in UTF-8 or GB18030, or the first
sheet of an .xlsx). Headers in any order (unknown ones are ignored and listed; a ``*``
marking a required column is ignored); ``columns_households.COLUMNS`` lists them:

- ``网格编码`` — required: the code of a grid where the importer may import
  (``residents.import``); the grid's village is the household's;
- ``户号`` — required: a household is the rows with the same 户号 in the same village;
  they must give the same grid, and the same ``门牌地址`` where they give one;
- ``姓名``, ``与户主关系`` (户主, 配偶, 子女, 父母, 孙子女, 祖父母, 兄弟姐妹, 儿媳/女婿, 其他 —
  儿子, 女儿, 妻… too) — required;
- ``性别`` (男 / 女) and ``出生日期`` — may be left empty when ``公民身份号码`` is given (it
  holds them); given, they must agree with it. Without an ID number the gender is
  required;
- ``公民身份号码`` — optional; when given, 18 characters whose check digit is right, held
  by one row of the file only;
- ``联系电话`` — a mobile number (11 digits) or a landline with its area code;
- ``人口类型`` — 常住 (户籍) or 流动; ``状态`` — 在住, 迁出 or 死亡; ``变动日期`` — the day of
  the move (required for 迁出 and 死亡; for 在住 the day the person moved in), not in the
  future nor before the birth; ``备注``.

**What a row does.** Its household is matched by (village, 户号): an existing one is
updated (moved to the row's grid, its address set), else one is created. Its person is
matched by the ID number's digest among the members of the file's households (a person
may so move from one of them to another), else by name among the members without an ID
number of the same household; a matched person is updated (an empty cell keeps the
value), anyone else is added. An ID number held by someone living in (or recorded
deceased in) a household that is not in the file is refused (the error names that
household when the importer may see it); the earlier row of someone who moved out stays
as their history, and they may be added where they live now. A
status moves only as ``actions.households.RESIDENT_MOVES`` allows. A household has at
most one head living there: the file's and those of its members the file does not list.

How it runs: every row is checked first and every problem is listed as ``line N,
column: message`` (the line as Excel numbers it); one problem anywhere and nothing is
written. ``dry_run`` stops there and tells what the import would do — the page's
preview. Then, in one transaction, the households and people are written in bulk (the
existing ones locked, in ``pk`` order, and compared again), the open care records of
people who changed grid follow them, and one audit entry is written for the whole file
(``residents.household.imported``: name, SHA-256, counts). 10,000 people take a few
seconds on SQLite (``bench/residents_import.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.common.crypto import digest
from grassroots.common.importing import SheetChecker, as_path, check_rows
from grassroots.common.masking import mask_name, mask_phone
from grassroots.common.tabular import FileUnreadable, RowError, Table, cell_text, open_table
from grassroots.org.models import Unit, UnitKind, is_within
from grassroots.org.permissions import can, require
from grassroots.org.queries import grant_paths
from grassroots.residents.actions.households import RESIDENT_MOVES
from grassroots.residents.importing.columns_households import (
    COLUMNS,
    GENDER_WORDS,
    HEADERS,
    NAMES,
    PROGRESS_EVERY,
    RELATIONSHIP_WORDS,
    RESIDENCE_WORDS,
    STATUS_WORDS,
    HouseholdImportError,
    IdNumber,
    ImportSummary,
    Row,
    choices_text,
    chunks,
    lookup,
    parse_date,
    parse_id_number,
    parse_phone,
)
from grassroots.residents.importing.writing_households import _present_head, _Writer
from grassroots.residents.models import Household, Resident
from grassroots.residents.permissions import IMPORT, VIEW
from grassroots.residents.states import HouseholdStatus, PersonStatus, Relationship

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User

__all__ = ["HouseholdImportError", "ImportSummary", "RowError", "import_households"]


def status_label(value: str) -> str:
    return str(PersonStatus(value).label)


class _Checker(SheetChecker):
    """Checks the whole file; collects every problem (``errors``)."""

    def __init__(self, header: list[str], actor: User, today: dt.date) -> None:
        super().__init__(header, COLUMNS, HEADERS)
        self.actor = actor
        self.today = today
        self.paths = grant_paths(actor, IMPORT)
        self.rows: list[Row] = []
        self.grids: dict[int, Unit] = {}
        #: The existing households of the file by key, and the people the rows update.
        self.households: dict[tuple[int, str], Household] = {}
        self.people: dict[int, Resident] = {}
        #: Per household key: its rows, its grid, its address.
        self.groups: dict[tuple[int, str], list[Row]] = defaultdict(list)
        #: Per existing household: its members no row of the file lists.
        self.unlisted: dict[int, list[Resident]] = {}

    def text(self, values: list[Any], key: str, line: int, max_length: int) -> str:
        """The cell's text; a NUL character (left by some exporting programs) is refused on
        its line and column and taken out, so that no lookup sends it to the database
        (PostgreSQL refuses it)."""
        text = super().text(values, key, line, max_length)
        if "\x00" in text:
            self.error(line, self.column(key), _("Null characters are not allowed."))
            text = text.replace("\x00", "")
        return text

    def within(self, path: str) -> bool:
        return self.actor.is_superuser or any(is_within(path, p) for p in self.paths)

    def required(self, line: int, key: str, text: str) -> bool:
        if not text:
            self.error(line, self.column(key), _("Required."))
            return False
        return True

    def choice(self, values: list[Any], key: str, line: int, words: Any) -> str:
        text = self.text(values, key, line, 16)
        if not text:
            return ""
        found = lookup(words, text)
        if found is None:
            self.error(
                line,
                self.column(key),
                _("Unknown value %(value)s (write %(choices)s).")
                % {"value": text, "choices": choices_text(words)},
            )
            return ""
        return found

    def date(self, values: list[Any], key: str, line: int) -> dt.date | None:
        raw = self.cell(values, key)
        if cell_text(raw) == "":
            return None
        day = parse_date(raw)
        if day is None:
            self.error(
                line,
                self.column(key),
                _("Not a date: %(value)s (write it as 1990-05-17).") % {"value": cell_text(raw)},
            )
        elif day > self.today:
            self.error(
                line, self.column(key), _("%(date)s is in the future.") % {"date": day.isoformat()}
            )
            return None
        return day

    # --- one row --------------------------------------------------------------------------

    def read(self, line: int, values: list[Any], found: int) -> None:
        """Check one row's cells on their own; keep the row."""
        if found > len(values):
            self.error(line, "", _("The line has more fields than the header."))
        row = Row(line=line)
        row.grid_code = self.text(values, "grid", line, 32)
        self.required(line, "grid", row.grid_code)
        row.number = " ".join(self.text(values, "number", line, 32).split())
        self.required(line, "number", row.number)
        row.address = self.text(values, "address", line, 200)
        row.name = self.text(values, "name", line, 64)
        self.required(line, "name", row.name)
        row.relationship = self.choice(values, "relationship", line, RELATIONSHIP_WORDS)
        if not self.text(values, "relationship", line, 16):
            self.required(line, "relationship", "")
        person = self._id_number(row, values)
        self._gender(row, values, person)
        self._birth(row, values, person)
        phone = self.text(values, "phone", line, 32)
        if phone:
            row.phone = parse_phone(phone) or ""
            if not row.phone:
                self.error(
                    line,
                    self.column("phone"),
                    _(
                        "Not a phone number: %(value)s (a mobile number of 11 digits, or a "
                        "landline with its area code such as 0834-1234567)."
                    )
                    % {"value": mask_phone(phone)},
                )
        row.residence = self.choice(values, "residence", line, RESIDENCE_WORDS)
        row.status = self.choice(values, "status", line, STATUS_WORDS)
        row.changed_on = self.date(values, "changed_on", line)
        if row.status in (PersonStatus.MOVED_OUT, PersonStatus.DECEASED) and not row.changed_on:
            self.error(
                line,
                self.column("changed_on"),
                _("Give the date (required for %(status)s).")
                % {"status": status_label(row.status)},
            )
        if row.changed_on and row.birth_date and row.changed_on < row.birth_date:
            self.error(line, self.column("changed_on"), _("This date is before the date of birth."))
        row.note = self.text(values, "note", line, 255)
        self.rows.append(row)

    def _id_number(self, row: Row, values: list[Any]) -> IdNumber | None:
        text = self.text(values, "id_number", row.line, 32)
        if not text:
            return None
        parsed = parse_id_number(text, self.today)
        if isinstance(parsed, str):
            self.error(row.line, self.column("id_number"), parsed)
            row.id_digest = "?"  # given, but not usable: no other error about it
            return None
        row.id_number = parsed.number
        row.id_digest = digest(parsed.number)
        return parsed

    def _gender(self, row: Row, values: list[Any], person: IdNumber | None) -> None:
        row.gender = self.choice(values, "gender", row.line, GENDER_WORDS)
        if not row.gender:
            if person is not None:
                row.gender = person.gender
            elif not row.id_digest and not self.text(values, "gender", row.line, 8):
                self.error(
                    row.line,
                    self.column("gender"),
                    _("Required without an ID number."),
                )
        elif person is not None and person.gender != row.gender:
            self.error(
                row.line,
                self.column("gender"),
                _("The ID number says %(gender)s.") % {"gender": NAMES[person.gender]},
            )

    def _birth(self, row: Row, values: list[Any], person: IdNumber | None) -> None:
        row.birth_date = self.date(values, "birth_date", row.line)
        if person is None:
            return
        given, known = row.birth_date, person.birth_date
        if given is not None:
            same_month = given.day == 1 and (given.year, given.month) == (known.year, known.month)
            if given != known and not same_month:
                self.error(
                    row.line,
                    self.column("birth_date"),
                    _("The ID number says %(date)s.") % {"date": known.isoformat()},
                )
        row.birth_date = known

    # --- the whole file -------------------------------------------------------------------

    def finish(self) -> None:
        """Grids, households, duplicates, existing people and heads: what each row does."""
        self._grids()
        self._households()
        self._duplicates()
        self._people()
        self._heads()

    def _grids(self) -> None:
        codes = sorted({r.grid_code for r in self.rows if r.grid_code})
        by_code: dict[str, Unit] = {}
        base = Unit.objects.filter(active=True).only("pk", "code", "name", "path", "kind", "parent")
        for chunk in chunks(codes):
            for unit in base.filter(code__in=chunk):
                by_code[unit.code] = unit
        column = self.column("grid")
        for row in self.rows:
            if not row.grid_code:
                continue
            unit = by_code.get(row.grid_code)
            if unit is None:
                self.error(
                    row.line, column, _("No grid with the code %(code)s.") % {"code": row.grid_code}
                )
            elif unit.kind != UnitKind.GRID or unit.parent_id is None:
                self.error(
                    row.line,
                    column,
                    _("%(unit)s (%(code)s) is not a grid.")
                    % {"unit": unit.name, "code": unit.code},
                )
            elif not self.within(unit.path):
                self.error(
                    row.line,
                    column,
                    _("%(unit)s is outside the grids whose register you may import.")
                    % {"unit": unit.name},
                )
            else:
                row.grid_id, row.village_id = unit.pk, unit.parent_id
                self.grids[unit.pk] = unit

    def _households(self) -> None:
        for row in self.rows:
            if row.grid_id is not None and row.number:
                self.groups[row.key].append(row)
        for (_village, number), rows in self.groups.items():
            first = rows[0]
            address = next((r for r in rows if r.address), None)
            for row in rows[1:]:
                if row.grid_id != first.grid_id:
                    self.error(
                        row.line,
                        self.column("grid"),
                        _("Household %(number)s is on grid %(code)s on line %(line)d.")
                        % {"number": number, "code": first.grid_code, "line": first.line},
                    )
                if address is not None and row.address and row.address != address.address:
                    self.error(
                        row.line,
                        self.column("address"),
                        _("Household %(number)s has another address on line %(line)d.")
                        % {"number": number, "line": address.line},
                    )
        villages = sorted({k[0] for k in self.groups})
        numbers = sorted({k[1] for k in self.groups})
        for chunk in chunks(numbers):
            for household in Household.objects.filter(
                village_id__in=villages, number__in=chunk
            ).select_related("grid"):
                key = (household.village_id, household.number)
                if key in self.groups:
                    self.households[key] = household
        for key, household in self.households.items():
            rows = self.groups[key]
            for row in rows:
                row.household_id = household.pk
            if not self.within(household.grid.path):
                self.error(
                    rows[0].line,
                    self.column("number"),
                    _("Household %(number)s is kept on %(grid)s, outside your grids.")
                    % {"number": household.number, "grid": household.grid.name},
                )
            elif household.status != HouseholdStatus.ACTIVE and any(
                r.status in ("", PersonStatus.PRESENT) for r in rows
            ):
                self.error(
                    rows[0].line,
                    self.column("number"),
                    _(
                        "Household %(number)s is marked “%(status)s”: nobody lives in it "
                        "(change it on its page first)."
                    )
                    % {"number": household.number, "status": household.get_status_display()},
                )

    def _duplicates(self) -> None:
        first: dict[str, Row] = {}
        column = self.column("id_number")
        for row in self.rows:
            if not row.id_digest or row.id_digest == "?":
                continue
            other = first.get(row.id_digest)
            if other is None:
                first[row.id_digest] = row
                continue
            self.error(
                row.line,
                column,
                _("The same ID number is on line %(line)d.") % {"line": other.line},
            )
            self.error(
                other.line,
                column,
                _("The same ID number is on line %(line)d.") % {"line": row.line},
            )

    def _people(self) -> None:
        """Match each row's person (ID digest among the file's households, else name among
        the household's members without an ID number) and check the status move."""
        household_ids = sorted({h.pk for h in self.households.values()})
        members: dict[int, list[Resident]] = defaultdict(list)
        by_digest: dict[str, Resident] = {}
        for chunk in chunks(household_ids):
            for person in Resident.objects.filter(household_id__in=chunk).defer("id_number"):
                members[person.household_id].append(person)
                known = by_digest.get(person.id_digest)
                if person.id_digest and (known is None or person.status == PersonStatus.PRESENT):
                    by_digest[person.id_digest] = person
        # The rows of the same ID numbers in households the file does not hold: one living
        # there (or deceased) refuses the row; earlier rows of people who moved out do not.
        in_file = set(household_ids)
        wanted = sorted({r.id_digest for r in self.rows if r.id_digest not in ("", "?")})
        elsewhere: dict[str, Resident] = {}
        for chunk in chunks(wanted):
            for person in (
                Resident.objects.filter(id_digest__in=chunk)
                .exclude(status=PersonStatus.MOVED_OUT)
                .select_related("household__village", "household__grid")
                .defer("id_number", "household__grid__geometry", "household__village__geometry")
            ):
                if person.household_id not in in_file:
                    elsewhere[person.id_digest] = person
        taken: set[int] = set()
        for row in self.rows:
            person = self._match(row, by_digest, elsewhere, members, taken)
            if person is None:
                continue
            taken.add(person.pk)
            row.resident_id = person.pk
            self.people[person.pk] = person
            self._move(row, person)
        self.unlisted = {
            pk: [m for m in people if m.pk not in taken] for pk, people in members.items()
        }

    def _match(
        self,
        row: Row,
        by_digest: dict[str, Resident],
        elsewhere: dict[str, Resident],
        members: dict[int, list[Resident]],
        taken: set[int],
    ) -> Resident | None:
        if row.id_digest == "?":
            return None
        if row.id_digest:
            holder = elsewhere.get(row.id_digest)
            known = by_digest.get(row.id_digest)
            if known is not None and (
                holder is None
                or known.status == PersonStatus.PRESENT
                or (row.status or known.status) != PersonStatus.PRESENT
            ):
                return known
            if holder is not None:
                self.error(row.line, self.column("id_number"), self._holder(holder))
                return None
        if row.household_id is None:
            return None
        named = [
            m
            for m in members.get(row.household_id, [])
            if m.name == row.name and not m.id_digest and m.pk not in taken
        ]
        return named[0] if len(named) == 1 else None

    def _holder(self, holder: Resident) -> str:
        household = holder.household
        if can(self.actor, VIEW, household) and holder.status == PersonStatus.DECEASED:
            return _(
                "This ID number is registered to %(name)s, household %(number)s of "
                "%(village)s, recorded deceased (not in this file)."
            ) % {
                "name": mask_name(holder.name),
                "number": household.number,
                "village": household.village.name,
            }
        if can(self.actor, VIEW, household):
            return _(
                "This ID number is already registered: %(name)s, household %(number)s of "
                "%(village)s (not in this file)."
            ) % {
                "name": mask_name(holder.name),
                "number": household.number,
                "village": household.village.name,
            }
        return _("This ID number is already registered in a household outside your grids.")

    def _move(self, row: Row, person: Resident) -> None:
        target = row.status or person.status
        if target != person.status and target not in RESIDENT_MOVES[person.status]:
            self.error(
                row.line,
                self.column("status"),
                _("%(name)s is recorded “%(current)s”: the status cannot become “%(target)s”.")
                % {
                    "name": row.name,
                    "current": status_label(person.status),
                    "target": status_label(target),
                },
            )
        born = row.birth_date or person.birth_date
        if row.changed_on and born and row.changed_on < born:
            self.error(
                row.line, self.column("changed_on"), _("This date is before the date of birth.")
            )

    def _heads(self) -> None:
        """At most one head living in each household of the file."""
        column = self.column("relationship")
        for key, rows in self.groups.items():
            heads = [r for r in rows if _present_head(r, self.people.get(r.resident_id or 0))]
            for row in heads[1:]:
                self.error(
                    row.line,
                    column,
                    _("Household %(number)s has another head living there on line %(line)d.")
                    % {"number": key[1], "line": heads[0].line},
                )
            household = self.households.get(key)
            if not heads or household is None:
                continue
            kept = next(
                (
                    m
                    for m in self.unlisted.get(household.pk, [])
                    if m.relationship == Relationship.HEAD and m.status == PersonStatus.PRESENT
                ),
                None,
            )
            if kept is not None:
                self.error(
                    heads[0].line,
                    column,
                    _(
                        "Household %(number)s already has a head living there (%(name)s) who "
                        "is not in this file."
                    )
                    % {"number": key[1], "name": mask_name(kept.name)},
                )


def _finish_reading(table: Table) -> None:
    """Read the rest of a table that will not be checked (see the cadres import: a
    suspended sheet generator would warn of an unclosed file)."""
    try:
        for _row in table.rows:
            pass
    except FileUnreadable:
        pass


def _sha256(path: Path) -> str:
    found = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            found.update(block)
    return found.hexdigest()


def import_households(
    source: Path | str | IO[bytes],
    *,
    actor: User,
    encoding: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import the household register of a CSV or xlsx file (a path or an uploaded file),
    all or nothing (see the module docstring), as ``actor`` (``residents.import`` over
    every row's grid; PermissionDenied when they may import nowhere). ``dry_run`` checks
    only and tells what would change. Raises HouseholdImportError listing every problem;
    nothing is written then."""
    require(actor, IMPORT)
    started = time.perf_counter()
    with ExitStack() as stack:
        path, name = as_path(source, stack, "residents.xlsx")
        summary = ImportSummary(file=name, dry_run=dry_run)
        try:
            table = open_table(path, stack, encoding=encoding, sheet=sheet)
        except FileUnreadable as exc:
            raise HouseholdImportError([RowError(0, name, str(exc))]) from None
        checker = _Checker(table.header, actor, timezone.localdate())
        summary.ignored_columns = checker.ignored
        if checker.errors:
            _finish_reading(table)
            raise HouseholdImportError(checker.errors)
        check_rows(table, checker, name, progress, PROGRESS_EVERY)
        summary.rows = len(checker.rows)
        if not checker.rows and not checker.errors:
            checker.error(2, "", _("The file has no rows of people."))
        checker.finish()
        if checker.errors:
            raise HouseholdImportError(checker.errors)
        writer = _Writer(checker, summary)
        if dry_run:
            writer.count()
            summary.seconds = time.perf_counter() - started
            return summary
        try:
            with transaction.atomic():
                writer.write(progress, _("Importing %(file)s") % {"file": name})
                writer.record_file(actor, name, _sha256(path))
        except IntegrityError as exc:
            raise HouseholdImportError(
                [
                    RowError(
                        0,
                        name,
                        _(
                            "Someone else registered one of these households or ID numbers "
                            "meanwhile; nothing was imported (import the file again)."
                        ),
                    )
                ]
            ) from exc
    summary.seconds = time.perf_counter() - started
    return summary
