"""The homestead ledger (宅基地台账) in the layout villages keep: import, template, export.

``import_homesteads(path_or_file, actor=...)`` reads a CSV file (UTF-8 or GB18030) or the
first sheet of an .xlsx workbook (``common.tabular``) with one row per parcel. Headers in
any order (unknown ones are ignored and listed; a ``*`` marking a required one is ignored):

- ``村(社区)编码`` — required: the 12-digit code of a village or community whose register
  the actor manages (``registers.manage``);
- ``户号`` — required: a household of that village in the residents register;
- ``户主姓名`` — may be left empty; when given it must be the household head's name there;
- ``宗地编码`` — required, at most 40 characters, once per village in the file;
- ``面积(平方米)`` — required: more than 0 and less than 10,000, two decimals at most;
- ``批准文号``, ``批准日期`` (not in the future), ``坐落``, ``备注``;
- ``经度``, ``纬度`` — both or neither, in range.

A row whose village already has the parcel number updates that parcel (upsert by
(village, 宗地编码)); a parcel marked as no longer held cannot be updated this way. Every
other row adds a parcel. Every row is checked first and every problem listed as ``line N,
column: message``; one problem anywhere and nothing is written. ``dry_run`` stops there
and tells what the import would do. Then, in one transaction, one audit entry per parcel
created or changed and one for the file (``registers.homestead.imported``).

``template_workbook`` is the empty ledger with its headers, one example row and a sheet
explaining the columns; ``export_workbook`` writes parcels in the same layout (plus the
state), the holder's name masked where the viewer does not manage the village.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.importing import Column
from grassroots.common.tabular import ImportRefused, RowError, cell_text
from grassroots.common.workbooks import TemplateColumn, import_template, safe_text
from grassroots.org.models import VILLAGE_LEVEL, Unit, is_within
from grassroots.org.queries import grant_paths
from grassroots.registers.actions._base import lock_many
from grassroots.registers.actions.homesteads import clean_area, clean_position
from grassroots.registers.errors import RegistersError
from grassroots.registers.importing.ledger import (
    CheckedFile,
    ImportSummary,
    LedgerChecker,
    checked_file,
    parse_date,
    record_file,
)
from grassroots.registers.models import Homestead
from grassroots.registers.permissions import MANAGE
from grassroots.residents.models import Household, Resident
from grassroots.residents.states import Relationship

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User

COLUMNS: Final = (
    Column("village_code", ("村(社区)编码", "村编码", "社区编码", "村(社区)代码"), required=True),
    Column("household_number", ("户号",), required=True),
    Column("holder", ("户主姓名", "户主")),
    Column("parcel_number", ("宗地编码", "宗地号", "宗地代码"), required=True),
    Column(
        "area", ("面积(平方米)", "面积", "宅基地面积(平方米)", "占地面积(平方米)"), required=True
    ),
    Column("approval_document", ("批准文号", "审批文号")),
    Column("approved_on", ("批准日期", "审批日期")),
    Column("address", ("坐落", "坐落位置", "地址")),
    Column("lon", ("经度",)),
    Column("lat", ("纬度",)),
    Column("note", ("备注",)),
)
HEADERS: Final = {c.key: c.headers[0] for c in COLUMNS}
STATE_HEADER: Final = "状态"
PROGRESS_EVERY: Final = 500
CHUNK: Final = 900
#: The fields an import row sets, compared with an existing parcel.
ROW_FIELDS: Final = (
    "household_id",
    "area",
    "approval_document",
    "approved_on",
    "address",
    "lat",
    "lon",
    "note",
)


class HomesteadImportError(ImportRefused):
    """The ledger has problems; nothing was imported (``errors``: every one)."""


@dataclass(slots=True)
class Row:
    """One checked row, in the form the model takes."""

    line: int
    village_code: str = ""
    household_number: str = ""
    holder: str = ""
    parcel_number: str = ""
    area: Decimal | None = None
    approval_document: str = ""
    approved_on: dt.date | None = None
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    note: str = ""
    unit_id: int | None = None
    household_id: int | None = None
    #: The parcel it updates, when the village has the number already.
    homestead_id: int | None = None


def _same_name(a: str, b: str) -> bool:
    return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class _Checker(LedgerChecker):
    """Checks the whole file; collects every problem (``errors``)."""

    columns = COLUMNS

    def __init__(self, header: list[str], actor: User, today: dt.date) -> None:
        super().__init__(header, actor, today)
        self.paths = grant_paths(actor, MANAGE)
        self.rows: list[Row] = []
        #: (village code, parcel number) → the line that has it first.
        self.seen: dict[tuple[str, str], int] = {}
        self.existing: dict[int, dict[str, Any]] = {}

    def required(self, line: int, key: str, text: str) -> bool:
        if not text:
            self.error(line, self.column(key), _("Required."))
            return False
        return True

    def read(self, line: int, values: list[Any], found: int) -> None:
        """Check one row's cells on their own; keep the row."""
        if found > len(values):
            self.error(line, "", _("The line has more fields than the header."))
        row = Row(line=line)
        row.village_code = self.text(values, "village_code", line, 32)
        self.required(line, "village_code", row.village_code)
        row.household_number = self.text(values, "household_number", line, 32)
        self.required(line, "household_number", row.household_number)
        row.holder = self.text(values, "holder", line, 64)
        row.parcel_number = self.text(values, "parcel_number", line, 40)
        if self.required(line, "parcel_number", row.parcel_number) and row.village_code:
            key = (row.village_code, row.parcel_number)
            if key in self.seen:
                self.error(
                    line,
                    self.column("parcel_number"),
                    _("Parcel %(number)s is already on line %(line)d.")
                    % {"number": row.parcel_number, "line": self.seen[key]},
                )
            else:
                self.seen[key] = line
        area = self.text(values, "area", line, 32)
        if self.required(line, "area", area):
            row.area = self._checked(line, "area", lambda: clean_area(area))
        row.approval_document = self.text(values, "approval_document", line, 100)
        row.approved_on = self._date(values, line)
        row.address = self.text(values, "address", line, 200)
        row.note = self.text(values, "note", line, 255)
        lat = self.text(values, "lat", line, 32)
        lon = self.text(values, "lon", line, 32)
        position = self._checked(line, "lat", lambda: clean_position(lat, lon))
        if position is not None:
            row.lat, row.lon = position
        self.rows.append(row)

    def _checked(self, line: int, key: str, check: Callable[[], Any]) -> Any:
        """``check()``'s value, or None with its error on the column it names."""
        try:
            return check()
        except RegistersError as exc:
            self.error(line, self.column(exc.field or key), str(exc.message))
            return None

    def _date(self, values: list[Any], line: int) -> dt.date | None:
        raw = self.cell(values, "approved_on")
        if cell_text(raw) == "":
            return None
        day = parse_date(raw)
        column = self.column("approved_on")
        if day is None:
            self.error(
                line,
                column,
                _("Not a date: %(value)s (write it as 2010-05-17).") % {"value": cell_text(raw)},
            )
        elif day > self.today:
            self.error(line, column, _("%(date)s is in the future.") % {"date": day.isoformat()})
            return None
        return day

    # --- the whole file against the database ---------------------------------------------

    def finish(self) -> None:
        """Villages by code, households by (village, 户号), their heads, and the parcels
        the rows update: a few queries for the whole file."""
        codes = sorted({r.village_code for r in self.rows if r.village_code})
        villages: dict[str, Unit] = {}
        for chunk in _chunks(codes):
            villages.update(
                (u.code, u)
                for u in Unit.objects.filter(code__in=chunk).only(
                    "pk", "code", "kind", "path", "name", "active"
                )
            )
        wanted: dict[int, set[str]] = {}
        for row in self.rows:
            village = self._village(row, villages)
            if village is not None:
                row.unit_id = village.pk
                wanted.setdefault(village.pk, set()).add(row.household_number)
        households = self._households(wanted)
        heads = self._heads([h for h, _n in households.values()])
        parcels = self._parcels(wanted)
        for row in self.rows:
            if row.unit_id is None:
                continue
            found = households.get((row.unit_id, row.household_number))
            if found is None:
                if row.household_number:
                    self.error(
                        row.line,
                        self.column("household_number"),
                        _("No household %(number)s of this village in the residents register.")
                        % {"number": row.household_number},
                    )
                continue
            row.household_id = found[0]
            if row.holder:
                head = heads.get(found[0])
                if head is None:
                    self.error(
                        row.line,
                        self.column("holder"),
                        _("The household %(number)s has no head in the residents register.")
                        % {"number": row.household_number},
                    )
                elif not _same_name(head, row.holder):
                    self.error(
                        row.line,
                        self.column("holder"),
                        _("%(name)s is not the head of household %(number)s.")
                        % {"name": row.holder, "number": row.household_number},
                    )
            existing = parcels.get((row.unit_id, row.parcel_number))
            if existing is not None:
                if not existing["active"]:
                    self.error(
                        row.line,
                        self.column("parcel_number"),
                        _("Parcel %(number)s is marked as no longer held; it cannot be imported.")
                        % {"number": row.parcel_number},
                    )
                    continue
                row.homestead_id = existing["pk"]
                self.existing[existing["pk"]] = existing

    def _village(self, row: Row, villages: dict[str, Unit]) -> Unit | None:
        if not row.village_code:
            return None
        village = villages.get(row.village_code)
        column = self.column("village_code")
        if village is None or not village.active or village.kind not in VILLAGE_LEVEL:
            self.error(
                row.line,
                column,
                _("%(code)s is not the code of a village or community.")
                % {"code": row.village_code},
            )
            return None
        if not any(is_within(village.path, p) for p in self.paths):
            self.error(
                row.line,
                column,
                _("You do not manage the register of %(name)s.") % {"name": village.name},
            )
            return None
        return village

    def _households(self, wanted: dict[int, set[str]]) -> dict[tuple[int, str], tuple[int, str]]:
        found: dict[tuple[int, str], tuple[int, str]] = {}
        for village_id, numbers in wanted.items():
            for chunk in _chunks(sorted(numbers)):
                for pk, number in Household.objects.filter(
                    village_id=village_id, number__in=chunk
                ).values_list("pk", "number"):
                    found[(village_id, number)] = (pk, number)
        return found

    def _heads(self, household_ids: list[int]) -> dict[int, str]:
        heads: dict[int, str] = {}
        for chunk in _chunks(sorted(household_ids)):
            for household_id, name in (
                Resident.objects.filter(household_id__in=chunk, relationship=Relationship.HEAD)
                .order_by("household_id", "pk")
                .values_list("household_id", "name")
            ):
                heads.setdefault(household_id, name)
        return heads

    def _parcels(self, wanted: dict[int, set[str]]) -> dict[tuple[int, str], dict[str, Any]]:
        numbers: dict[int, list[str]] = {}
        for row in self.rows:
            if row.unit_id is not None and row.parcel_number:
                numbers.setdefault(row.unit_id, []).append(row.parcel_number)
        found: dict[tuple[int, str], dict[str, Any]] = {}
        for village_id, parcel_numbers in numbers.items():
            for chunk in _chunks(sorted(set(parcel_numbers))):
                for values in Homestead.objects.filter(
                    unit_id=village_id, parcel_number__in=chunk
                ).values("pk", "parcel_number", "active", *ROW_FIELDS):
                    found[(village_id, values["parcel_number"])] = values
        return found


def _row_values(row: Row) -> dict[str, Any]:
    return {
        "household_id": row.household_id,
        "area": row.area,
        "approval_document": row.approval_document,
        "approved_on": row.approved_on,
        "address": row.address,
        "lat": row.lat,
        "lon": row.lon,
        "note": row.note,
    }


def _write(file: CheckedFile, actor: User, summary: ImportSummary) -> None:
    """Create and update the parcels of the checked rows (inside the caller's
    transaction), one audit entry each, and one for the file."""
    checker: _Checker = file.checker
    note = _("Imported from %(file)s") % {"file": file.name}
    locked = {h.pk: h for h in lock_many(Homestead, list(checker.existing))}
    households = {
        h.pk: h
        for h in Household.objects.filter(pk__in={r.household_id for r in checker.rows}).only(
            "pk", "number"
        )
    }
    for row in checker.rows:
        values = _row_values(row)
        number = households[values["household_id"]].number
        if row.homestead_id is None:
            if row.unit_id is None:  # checked rows all have a village
                raise RuntimeError(f"line {row.line} has no village")
            homestead = Homestead(unit_id=row.unit_id, parcel_number=row.parcel_number, **values)
            homestead.save()
            summary.created += 1
            after = {**values, "household": number, "parcel_number": row.parcel_number}
            after.pop("household_id")
            record("registers.homestead.created", homestead, actor=actor, after=after, note=note)
            continue
        homestead = locked[row.homestead_id]
        before = {k: getattr(homestead, k) for k in ROW_FIELDS}
        changed = [k for k in ROW_FIELDS if before[k] != values[k]]
        if not changed or not homestead.active:
            summary.unchanged += 1
            continue
        for key in changed:
            setattr(homestead, key, values[key])
        homestead.save(update_fields=[*changed, "updated_at"])
        summary.updated += 1
        record(
            "registers.homestead.updated",
            homestead,
            actor=actor,
            before={k: before[k] for k in changed},
            after={k: values[k] for k in changed},
            note=note,
        )
    paths = Unit.objects.filter(pk__in={r.unit_id for r in checker.rows}).values_list(
        "path", flat=True
    )
    record_file(
        "registers.homestead.imported",
        actor=actor,
        file=file,
        paths=paths,
        counts={
            "rows": summary.rows,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
        },
        note=note,
    )


def _would_change(checker: _Checker) -> tuple[int, int]:
    created = updated = 0
    for row in checker.rows:
        if row.homestead_id is None:
            created += 1
            continue
        before = checker.existing[row.homestead_id]
        values = _row_values(row)
        if any(before[k] != values[k] for k in ROW_FIELDS):
            updated += 1
    return created, updated


def import_homesteads(
    source: Path | str | IO[bytes],
    *,
    actor: User,
    encoding: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Import the homestead ledger of a CSV or xlsx file, all or nothing (see the module
    docstring), as ``actor`` (``registers.manage`` over every row's village;
    PermissionDenied when they manage no register). ``dry_run`` checks only and tells
    what would change. Raises HomesteadImportError listing every problem."""
    with checked_file(
        source,
        _Checker,
        actor=actor,
        refuse=HomesteadImportError,
        default_name="homesteads.xlsx",
        empty=_("The file has no parcel rows."),
        encoding=encoding,
        progress=progress,
        every=PROGRESS_EVERY,
    ) as file:
        checker = file.checker
        summary = ImportSummary(
            file=file.name, rows=len(checker.rows), dry_run=dry_run, ignored_columns=checker.ignored
        )
        if dry_run:
            summary.created, summary.updated = _would_change(checker)
            summary.unchanged = summary.rows - summary.created - summary.updated
            return summary
        try:
            with transaction.atomic():
                _write(file, actor, summary)
        except IntegrityError as exc:
            raise HomesteadImportError(
                [
                    RowError(
                        0,
                        checker.column("parcel_number"),
                        _(
                            "Someone added one of these parcels meanwhile; nothing was "
                            "imported (import the file again)."
                        ),
                    )
                ]
            ) from exc
    return summary


# --- the template and the export -------------------------------------------------------------

_WIDTHS: Final = {
    "village_code": 15,
    "household_number": 12,
    "holder": 10,
    "parcel_number": 22,
    "area": 12,
    "approval_document": 22,
    "approved_on": 12,
    "address": 28,
    "lon": 12,
    "lat": 12,
    "note": 24,
}
EXAMPLE: Final[dict[str, Any]] = {
    "village_code": "513401101201",
    "household_number": "H00001",
    "holder": "吉克阿果",
    "parcel_number": "513401101201JC00001",
    "area": Decimal("120.50"),
    "approval_document": "西府土批〔2012〕35号",
    "approved_on": dt.date(2012, 5, 17),
    "address": "礼州村3组12号",
    "lon": "102.2645",
    "lat": "28.0431",
    "note": "",
}
_NOTES: Final = (
    ("列", "说明"),
    ("村(社区)编码*", "12位统计用区划代码，须为本人管理的村(社区)"),
    ("户号*", "须为该村(社区)人口台账中已有的户号"),
    ("户主姓名", "可不填；填写时须与人口台账中的户主姓名一致"),
    ("宗地编码*", "不动产单元(宗地)编码或村自编号，同一村内唯一；已有的宗地按此更新"),
    ("面积(平方米)*", "大于0、小于10000，最多两位小数"),
    ("批准文号", "宅基地审批文号，可不填"),
    ("批准日期", "如 2012-05-17，不得晚于今天"),
    ("坐落", "门牌地址"),
    ("经度、纬度", "WGS84小数度，须同时填写或同时不填"),
    ("备注", "最多255字"),
)


def template_workbook() -> bytes:
    """The empty ledger: the headers (required ones marked ``*``), one example row and a
    sheet explaining the columns."""
    return import_template(
        "宅基地台账",
        [
            TemplateColumn(
                header=column.headers[0] + ("*" if column.required else ""),
                width=_WIDTHS[column.key],
                example=EXAMPLE[column.key],
                text=column.key in ("village_code", "household_number", "parcel_number"),
            )
            for column in COLUMNS
        ],
        _NOTES,
        notes_widths=(18, 80),
        freeze_cols=0,
    )


def export_workbook(rows: Iterable[Homestead], holder: Callable[[Homestead], str]) -> bytes:
    """The parcels ``rows`` (village and household joined) in the import's layout plus the
    state; ``holder(h)``: the name to write (masked where the viewer may not see it)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("宅基地台账")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    number = book.add_format({"num_format": "0.00"})
    text = book.add_format({"num_format": "@"})
    headers = [(c.headers[0], _WIDTHS[c.key]) for c in COLUMNS] + [(STATE_HEADER, 8)]
    for col, (header, width) in enumerate(headers):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    n = 0
    for n, h in enumerate(rows, start=1):
        cells: list[Any] = [
            h.unit.code,
            h.household.number,
            holder(h),
            h.parcel_number,
            h.area,
            h.approval_document,
            h.approved_on,
            h.address,
            h.lon,
            h.lat,
            h.note,
            "在用" if h.active else "已退出",
        ]
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(n, col, dt.datetime.combine(value, dt.time()), date)
            elif isinstance(value, Decimal | float | int):
                sheet.write_number(n, col, float(value), number if col == 4 else None)
            else:
                sheet.write_string(n, col, safe_text(str(value)), text if col < 4 else None)
    sheet.autofilter(0, 0, max(n, 1), len(headers) - 1)
    book.close()
    return buffer.getvalue()
