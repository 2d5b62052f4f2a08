"""Excel import of the 邛海天窗 ledger, and the frame the poverty and income imports share.

**The frame** (``run_import``): the file (CSV in UTF-8 or GB18030, or the first sheet of
an .xlsx, read with ``common.tabular``) is read row by row (``RegisterSheet.read``: the
cells as the office wrote them, the units and labels looked up); then every row is
written through the register's own action, each in a savepoint, inside one transaction —
so the rows obey exactly the rules, scope checks and audit of the pages. An action's
``RegistersError`` becomes a problem of that line in the column of the field it names;
every problem of every row is listed (``line N, column: message``). Any problem, or a
check only (``dry_run``, the page's first step), and the transaction is rolled back:
nothing is written. A real import ends with one audit entry for the file
(``registers.<what>.imported``: name, SHA-256, counts).

**The 天窗 sheet** (``import_windows``), one parcel a row: ``编号`` (required; a code
already registered updates that parcel, keeping its boundary), ``名称``, ``所属单位编码``,
``面积(平方米)``, ``计划年度``, ``状态`` (未启动 / 实施中 / 已补齐; empty: from the figures),
``已补齐面积``, ``补齐日期``, ``经度``, ``纬度``, ``备注``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import TextChoices
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from grassroots.common.importing import Column
from grassroots.common.tabular import ImportRefused, cell_text
from grassroots.common.workbooks import TemplateColumn, import_template, safe_text
from grassroots.org.models import Unit
from grassroots.registers.actions import windows as actions
from grassroots.registers.errors import RegistersError
from grassroots.registers.importing.ledger import (
    ImportSummary,
    LedgerChecker,
    checked_file,
    parse_date,
    record_file,
)
from grassroots.registers.models import Window
from grassroots.registers.states import WindowStatus

if TYPE_CHECKING:
    from grassroots.org.models import User

#: Rows of a file at most (a village's ledger has tens, a city's some thousands).
MAX_ROWS: Final = 20000
#: Problems listed at most (the rest are counted).
MAX_ERRORS: Final = 500


class RegisterImportError(ImportRefused):
    """The file has problems; nothing was imported (``errors``: every one)."""


@dataclass
class SheetRow:
    """One row as read: its line and the action's keyword arguments so far."""

    line: int
    data: dict[str, Any] = field(default_factory=dict)


# --- cells ------------------------------------------------------------------------------

_LABEL_SPACES: Final = str.maketrans({"（": "(", "）": ")", " ": "", "　": ""})


def word(text: str) -> str:
    """A label as looked up: no spaces, ASCII parentheses, lower case."""
    return text.translate(_LABEL_SPACES).lower()


def label_words(
    choices: type[TextChoices], extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every way a sheet may name a choice: its Chinese label, its English label, its
    value, and ``extra`` synonyms."""
    words: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                words[word(str(label))] = value
    for value in choices.values:
        words[word(value)] = value
    words.update({word(k): v for k, v in (extra or {}).items()})
    return words


def chinese(choices: type[TextChoices], value: str) -> str:
    """A choice's Chinese label (what an export writes)."""
    with translation.override("zh-hans"):
        return str(dict(choices.choices).get(value, value))


# --- the frame --------------------------------------------------------------------------


class RegisterSheet(LedgerChecker):
    """A register's sheet: its columns, how a row's cells become the action's arguments
    (``parse``), the look-ups of the whole file (``prepare``) and the write of one row
    (``apply``: ``"created"``, ``"updated"`` or ``"unchanged"``)."""

    #: The audit action of the whole file (``registers.window.imported``).
    audit_action: str = ""
    #: The column (key) an action's field is shown under.
    field_columns: Mapping[str, str] = {}

    def __init__(self, header: list[str], actor: User, today: dt.date) -> None:
        super().__init__(header, actor, today)
        self.rows: list[SheetRow] = []
        self.paths: list[str] = []

    def read(self, line: int, values: list[Any], found: int) -> None:
        if found > len(values):
            self.error(line, "", _("The line has more fields than the header."))
        if len(self.rows) >= MAX_ROWS:
            if len(self.rows) == MAX_ROWS:
                self.error(line, "", _("More than %(n)d rows: split the file.") % {"n": MAX_ROWS})
                self.rows.append(SheetRow(line))
            return
        row = SheetRow(line)
        self.parse(row, values)
        self.rows.append(row)

    def required(self, row: SheetRow, values: list[Any], key: str, limit: int) -> str:
        text = self.text(values, key, row.line, limit)
        if not text:
            self.error(row.line, self.column(key), _("Required."))
        return text

    def date_cell(self, row: SheetRow, values: list[Any], key: str) -> dt.date | None:
        raw = self.cell(values, key)
        if cell_text(raw) == "":
            return None
        day = parse_date(raw)
        if day is None:
            self.error(
                row.line,
                self.column(key),
                _("Not a date: %(value)s (write it as 2024-05-17).") % {"value": cell_text(raw)},
            )
        return day

    def choice_cell(
        self, row: SheetRow, values: list[Any], key: str, words: Mapping[str, str], hint: str
    ) -> str | None:
        text = self.text(values, key, row.line, 32)
        if not text:
            return None
        value = words.get(word(text))
        if value is None:
            self.error(
                row.line,
                self.column(key),
                _("Unknown value %(value)s (%(hint)s).") % {"value": text, "hint": hint},
            )
        return value

    def units_by_code(self, codes: Iterable[str]) -> dict[str, Unit]:
        wanted = sorted({c for c in codes if c})
        units: dict[str, Unit] = {}
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            units.update((u.code, u) for u in Unit.objects.filter(code__in=chunk).defer("geometry"))
        return units

    def parse(self, row: SheetRow, values: list[Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        if self.rows:
            self.prepare()

    def prepare(self) -> None:
        """Look up what the rows name, for all of them at once (problems by line)."""

    def apply(self, row: SheetRow) -> str:
        raise NotImplementedError

    def column_of(self, field_name: str | None) -> str:
        key = self.field_columns.get(field_name or "", "")
        return self.column(key) if key else ""


def _write(sheet: RegisterSheet, summary: ImportSummary) -> None:
    """Every row through its action, each in a savepoint; problems by line."""
    for row in sheet.rows:
        if len(sheet.errors) >= MAX_ERRORS:
            break
        try:
            with transaction.atomic():
                outcome = sheet.apply(row)
        except RegistersError as exc:
            sheet.error(row.line, sheet.column_of(exc.field), str(exc.message))
            continue
        except (PermissionDenied, Http404):
            sheet.error(
                row.line,
                sheet.column_of("unit"),
                _("You may not keep this unit's registers."),
            )
            continue
        if outcome == "created":
            summary.created += 1
        elif outcome == "updated":
            summary.updated += 1
        else:
            summary.unchanged += 1


def run_import(
    source: Path | str | IO[bytes],
    sheet_class: type[RegisterSheet],
    *,
    actor: User,
    dry_run: bool = False,
    default_name: str = "register.xlsx",
    encoding: str | None = None,
) -> ImportSummary:
    """Import a register's file, all or nothing (see the module docstring). Raises
    ``RegisterImportError`` listing every problem (nothing written), PermissionDenied when
    ``actor`` keeps no registers anywhere."""
    with checked_file(
        source,
        sheet_class,
        actor=actor,
        refuse=RegisterImportError,
        default_name=default_name,
        empty=_("The file has no rows."),
        encoding=encoding,
        every=1000,
    ) as file:
        sheet = file.checker
        summary = ImportSummary(
            file=file.name, rows=len(sheet.rows), dry_run=dry_run, ignored_columns=sheet.ignored
        )
        with transaction.atomic():
            _write(sheet, summary)
            if sheet.errors or dry_run:
                transaction.set_rollback(True)
            else:
                record_file(
                    sheet.audit_action,
                    actor=actor,
                    file=file,
                    paths=sheet.paths,
                    counts={
                        "rows": summary.rows,
                        "created": summary.created,
                        "updated": summary.updated,
                        "unchanged": summary.unchanged,
                    },
                )
        if sheet.errors:
            raise RegisterImportError(sheet.errors)
    return summary


# --- the 天窗 sheet ---------------------------------------------------------------------

WINDOW_COLUMNS: Final = (
    Column("code", ("编号", "地块编号", "天窗编号"), required=True),
    Column("name", ("名称", "地块名称", "天窗名称"), required=True),
    Column("unit", ("所属单位编码", "单位编码", "村(社区)编码"), required=True),
    Column("area", ("面积(平方米)", "面积", "应补齐面积(平方米)", "应补齐面积"), required=True),
    Column("plan_year", ("计划年度", "计划补齐年度"), required=True),
    Column("status", ("状态",)),
    Column("restored_area", ("已补齐面积", "已补齐面积(平方米)")),
    Column("restored_on", ("补齐日期", "完成日期")),
    Column("lon", ("经度",)),
    Column("lat", ("纬度",)),
    Column("note", ("备注",)),
)
STATUS_SYNONYMS: Final = {"未开工": WindowStatus.PLANNED, "已完成": WindowStatus.RESTORED}


class WindowSheet(RegisterSheet):
    audit_action = "registers.window.imported"
    columns = WINDOW_COLUMNS
    field_columns = {name: name for name in actions.FIELDS} | {"geometry": ""}

    def parse(self, row: SheetRow, values: list[Any]) -> None:
        data = row.data
        data["code"] = self.required(row, values, "code", actions.CODE_MAX)
        data["name"] = self.required(row, values, "name", actions.NAME_MAX)
        data["unit_code"] = self.required(row, values, "unit", 32)
        for key in ("area", "plan_year", "restored_area", "lon", "lat"):
            data[key] = self.text(values, key, row.line, 32)
        data["note"] = self.text(values, "note", row.line, actions.NOTE_MAX)
        words = label_words(WindowStatus, STATUS_SYNONYMS)
        data["status"] = self.choice_cell(row, values, "status", words, "未启动、实施中、已补齐")
        data["restored_on"] = self.date_cell(row, values, "restored_on")
        if data["code"] in self.seen:
            self.error(
                row.line,
                self.column("code"),
                _("The code %(code)s is also on line %(line)d.")
                % {"code": data["code"], "line": self.seen[data["code"]]},
            )
        self.seen.setdefault(data["code"], row.line)

    def __init__(self, header: list[str], actor: User, today: dt.date) -> None:
        super().__init__(header, actor, today)
        self.seen: dict[str, int] = {}
        self.units: dict[str, Unit] = {}
        self.existing: dict[str, Window] = {}

    def prepare(self) -> None:
        self.units = self.units_by_code(r.data.get("unit_code", "") for r in self.rows)
        codes = [r.data["code"] for r in self.rows if r.data.get("code")]
        self.existing = {
            w.code: w for w in Window.objects.filter(code__in=codes).select_related("unit")
        }
        for row in self.rows:
            code = row.data.get("unit_code", "")
            unit = self.units.get(code)
            if unit is None and code:
                self.error(
                    row.line,
                    self.column("unit"),
                    _("No unit has the code %(code)s.") % {"code": code},
                )
                continue
            if unit is not None:
                self.paths.append(unit.path)
            status = row.data.get("status")
            if status is None:
                row.data["status"] = self._status_from_figures(row)

    @staticmethod
    def _status_from_figures(row: SheetRow) -> str:
        """An empty status: restored when the restored area equals the area, underway
        when part of it is restored, else planned."""
        try:
            area = Decimal(row.data.get("area") or "0")
            done = Decimal(row.data.get("restored_area") or "0")
        except ArithmeticError:
            return WindowStatus.PLANNED
        if done > 0 and done == area:
            return WindowStatus.RESTORED
        return WindowStatus.UNDERWAY if done > 0 else WindowStatus.PLANNED

    def apply(self, row: SheetRow) -> str:
        data = dict(row.data)
        data["unit"] = self.units[data.pop("unit_code")]
        existing = self.existing.get(data["code"])
        if existing is None:
            actions.create_window(actor=self.actor, **data)
            return "created"
        data["geometry"] = existing.geometry
        before = actions.snapshot(existing)
        window = actions.update_window(existing.pk, actor=self.actor, **data)
        return "unchanged" if actions.snapshot(window) == before else "updated"


def import_windows(
    source: Path | str | IO[bytes], *, actor: User, dry_run: bool = False
) -> ImportSummary:
    """Import a 天窗 ledger (see the module docstring)."""
    return run_import(source, WindowSheet, actor=actor, dry_run=dry_run, default_name="天窗.xlsx")


# --- template and export ----------------------------------------------------------------


def window_rows(windows: Iterable[Window]) -> Iterable[list[Any]]:
    """The export's rows, in the import's columns."""
    for w in windows:
        yield [
            w.code,
            w.name,
            w.unit.code,
            w.area,
            w.plan_year,
            chinese(WindowStatus, w.status),
            w.restored_area,
            w.restored_on,
            w.lon,
            w.lat,
            w.note,
        ]


def rows_workbook(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """An export workbook: the sheet ``title`` with bold ``headers`` (the import's, so that
    an export imports back) and ``rows``; text through ``safe_text`` (no formulas), dates
    as dates, numbers as numbers."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    text = book.add_format({"num_format": "@"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, max(10, len(header) * 2 + 2))
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date)
            elif isinstance(value, bool):
                sheet.write_string(r, col, "是" if value else "否")
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(r, col, float(value))
            else:
                sheet.write_string(r, col, safe_text(str(value)), text)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


WINDOW_HEADERS: Final = [c.headers[0] for c in WINDOW_COLUMNS]


def window_template() -> bytes:
    """The empty 天窗 ledger: headers, one example row, and the notes."""
    columns = [
        TemplateColumn("编号*", 14, "QH-2024-001", text=True),
        TemplateColumn("名称*", 20, "海河湿地一号地块"),
        TemplateColumn("所属单位编码*", 16, "513401101201", text=True),
        TemplateColumn("面积(平方米)*", 14, Decimal("1200.5")),
        TemplateColumn("计划年度*", 10, "2026", text=True),
        TemplateColumn("状态", 10, "实施中"),
        TemplateColumn("已补齐面积", 12, Decimal("300")),
        TemplateColumn("补齐日期", 12, None),
        TemplateColumn("经度", 12, Decimal("102.2631")),
        TemplateColumn("纬度", 12, Decimal("27.8402")),
        TemplateColumn("备注", 24, ""),
    ]
    notes = [
        ("列", "填写说明"),
        ("编号", "必填, 全市唯一; 已登记的编号将更新该地块(地块范围保持不变)。"),
        ("所属单位编码", "必填, 村(社区)或乡镇(街道)的统计用区划代码。"),
        ("面积(平方米)", "必填, 大于0, 最多两位小数。"),
        ("计划年度", "必填, 在天窗补齐计划的起止年度之内。"),
        ("状态", "未启动、实施中或已补齐; 不填则按已补齐面积判断。"),
        ("已补齐面积", "0 至面积; 已补齐的地块等于面积。"),
        ("补齐日期", "已补齐的地块必填, 如 2024-05-17; 其他地块不填。"),
        ("经度 / 纬度", "地块中心点, 两项同时填写或同时不填。"),
    ]
    return import_template("天窗地块", columns, notes)
