"""The illegal construction and disorderly relocation ledger (违建和无序搬迁台账) in Excel:
``import_ledger`` (all or nothing), ``template_workbook`` (the empty ledger with Chinese
headers) and ``export_workbook`` (the ledger layout, phones masked).

The file (``common.tabular``: CSV in UTF-8 or GB18030, or the first sheet of an .xlsx)
has one row per case; headers in any order (unknown ones are ignored and listed; a ``*``
marking a required column is ignored):

- ``村(社区)编码`` — required: the code of the village (community), or of the township for
  a case outside villages; one whose cases the importer manages (``registers.manage``);
- ``类型`` — required: 乱修滥建 (违法建设, 违建) or 无序搬迁;
- ``当事人``, ``联系电话`` (a mobile or a landline with its area code);
- ``地址`` — required; ``建设或搬迁日期`` and ``发现日期`` — required dates (``2026-05-17``,
  ``2026/5/17``, ``2026年5月17日``, ``20260517``, an Excel date; a month alone such as
  ``2016.03`` is its first day), built ≤ found ≤ today;
- ``面积(平方米)``, ``人数``;
- ``状态`` — 已发现 (empty means so), 已制止 (needs 制止日期), 已拆除 (办结日期 and 拆除面积,
  at most the area), 已补办手续 (办结日期 and the permit in 备注), 已劝返 (无序搬迁 only,
  办结日期) or 核实不属于 (办结日期 and the reason in 备注);
- ``制止日期``, ``办结日期`` — from the found date to today, closing not before stopping;
- ``拆除面积``, ``备注``.

Every row is a new case (source 台账导入), numbered as the actions number cases; a row
with the same village, type, address and built date as a case already in the register
(or as another row) is refused as a duplicate. Every problem is listed as ``line N,
column: message``; one problem anywhere and nothing is written. ``dry_run`` stops after
the check (the page's preview). Then, in one transaction: the cases in bulk, one audit
entry per case (``registers.constructioncase.imported``, name and phone masked) and one
for the file (name, SHA-256, count).
"""

from __future__ import annotations

import datetime as dt
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.importing import Column
from grassroots.common.masking import mask_name, mask_phone
from grassroots.common.tabular import ImportRefused, RowError, cell_text
from grassroots.common.workbooks import TemplateColumn, import_template, safe_text
from grassroots.org.models import Unit, is_within
from grassroots.org.queries import grant_paths
from grassroots.registers.actions import construction as actions
from grassroots.registers.errors import RegistersError
from grassroots.registers.importing import ledger
from grassroots.registers.importing.ledger import LedgerChecker, checked_file, record_file
from grassroots.registers.models import ConstructionCase
from grassroots.registers.permissions import MANAGE
from grassroots.registers.queries import policies_for
from grassroots.registers.queries_construction import CASE_UNIT_KINDS
from grassroots.registers.states import CaseSource, ConstructionKind, ConstructionStatus

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User

CS = ConstructionStatus
CK = ConstructionKind

COLUMNS: Final = (
    Column("unit_code", ("村(社区)编码", "村(社区)代码", "村编码", "单位编码", "单位代码"), True),
    Column("kind", ("类型", "类型(乱修滥建/无序搬迁)", "案件类型"), True),
    Column("party_name", ("当事人", "当事人姓名", "户主")),
    Column("party_phone", ("联系电话", "手机号", "电话")),
    Column("address", ("地址", "位置", "建设地点"), True),
    Column("started_on", ("建设或搬迁日期", "建设日期", "搬迁日期"), True),
    Column("found_on", ("发现日期",), True),
    Column("area", ("面积(平方米)", "面积", "建筑面积(平方米)")),
    Column("people", ("人数", "搬迁人数")),
    Column("status", ("状态", "处置状态")),
    Column("stopped_on", ("制止日期",)),
    Column("closed_on", ("办结日期",)),
    Column("demolished_area", ("拆除面积", "拆除面积(平方米)")),
    Column("note", ("备注", "办结说明")),
)
HEADERS: Final = {c.key: c.headers[0] for c in COLUMNS}
#: What a cell may say for each kind and status (the ledger's Chinese first).
KIND_NAMES: Final = {CK.ILLEGAL_BUILDING: "乱修滥建", CK.RELOCATION: "无序搬迁"}
KIND_WORDS: Final = {
    "乱修滥建": CK.ILLEGAL_BUILDING,
    "违法建设": CK.ILLEGAL_BUILDING,
    "违建": CK.ILLEGAL_BUILDING,
    "违法建房": CK.ILLEGAL_BUILDING,
    "无序搬迁": CK.RELOCATION,
    "搬迁": CK.RELOCATION,
    **{v: CK(v) for v in CK.values},
}
STATUS_NAMES: Final = {
    CS.FOUND: "已发现",
    CS.STOPPED: "已制止",
    CS.DEMOLISHED: "已拆除",
    CS.REGULARISED: "已补办手续",
    CS.RETURNED: "已劝返",
    CS.DISMISSED: "核实不属于",
}
STATUS_WORDS: Final = {
    **{name: status for status, name in STATUS_NAMES.items()},
    "发现": CS.FOUND,
    "待处置": CS.FOUND,
    "制止": CS.STOPPED,
    "拆除": CS.DEMOLISHED,
    "补办手续": CS.REGULARISED,
    "已完善手续": CS.REGULARISED,
    "劝返": CS.RETURNED,
    "不属实": CS.DISMISSED,
    **{v: CS(v) for v in CS.values},
}
SOURCE_NAMES: Final = {
    CaseSource.PATROL: "巡查发现",
    CaseSource.INSPECTION: "专项排查",
    CaseSource.IMPORT: "台账导入",
}
CLOSED: Final = frozenset({CS.DEMOLISHED, CS.REGULARISED, CS.RETURNED, CS.DISMISSED})
PROGRESS_EVERY: Final = 500
CHUNK: Final = 500
_SPACES: Final = str.maketrans({" ": "", "\u3000": "", "（": "(", "）": ")"})


class LedgerImportError(ImportRefused):
    """The ledger has problems; nothing was imported (``errors``: every one)."""


@dataclass(slots=True)
class LedgerSummary:
    """What an import read and wrote (or, checking only, would write)."""

    file: str
    rows: int = 0
    created: int = 0
    new_cases: int = 0
    buildings: int = 0
    relocations: int = 0
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0


# --- cells ---------------------------------------------------------------------------------


def parse_date(value: object) -> dt.date | None:
    """A date cell (see the module docstring; a month alone is its first day); None when
    unreadable."""
    return ledger.parse_date(value, month_alone=True)


def word(text: str) -> str:
    return text.translate(_SPACES).lower()


@dataclass(slots=True)
class Row:
    """One checked row, in the form the model takes."""

    line: int
    unit_code: str = ""
    kind: str = ""
    party_name: str = ""
    party_phone: str = ""
    address: str = ""
    started_on: dt.date | None = None
    found_on: dt.date | None = None
    area: Decimal | None = None
    people: int | None = None
    status: str = CS.FOUND
    stopped_on: dt.date | None = None
    closed_on: dt.date | None = None
    demolished_area: Decimal | None = None
    note: str = ""
    unit: Unit | None = None


class _Checker(LedgerChecker):
    """Checks the whole file; collects every problem (``errors``)."""

    columns = COLUMNS

    def __init__(self, header: list[str], actor: User, today: dt.date) -> None:
        super().__init__(header, actor, today)
        self.rows: list[Row] = []

    def _cleaned(self, line: int, key: str, clean: Callable[[], Any]) -> Any:
        try:
            return clean()
        except RegistersError as exc:
            self.error(line, self.column(key), exc.message)
            return None

    def _date(self, values: list[Any], key: str, line: int, *, required: bool) -> dt.date | None:
        raw = self.cell(values, key)
        if cell_text(raw) == "":
            if required:
                self.error(line, self.column(key), _("Required."))
            return None
        day = parse_date(raw)
        if day is None:
            self.error(
                line,
                self.column(key),
                _("Not a date: %(value)s (write it as 2026-05-17).") % {"value": cell_text(raw)},
            )
        elif day > self.today:
            self.error(line, self.column(key), _("%(date)s is in the future.") % {"date": day})
            return None
        elif day < actions.EARLIEST:
            self.error(line, self.column(key), _("%(date)s is too early.") % {"date": day})
            return None
        return day

    def _choice(self, values: list[Any], key: str, line: int, words: dict[str, Any]) -> str:
        text = cell_text(self.cell(values, key))
        if not text:
            return ""
        found = next((v for k, v in words.items() if word(k) == word(text)), None)
        if found is None:
            names = KIND_NAMES if key == "kind" else STATUS_NAMES
            self.error(
                line,
                self.column(key),
                _("%(value)s is not one of: %(choices)s.")
                % {"value": text, "choices": "、".join(names.values())},
            )
            return ""
        return str(found)

    def read(self, line: int, values: list[Any], found: int) -> None:
        """Check one row's cells on their own; keep the row."""
        if found > len(values):
            self.error(line, "", _("The line has more fields than the header."))
        row = Row(line=line)
        row.unit_code = self.text(values, "unit_code", line, 32)
        if not row.unit_code:
            self.error(line, self.column("unit_code"), _("Required."))
        row.kind = self._choice(values, "kind", line, KIND_WORDS)
        if not row.kind and not cell_text(self.cell(values, "kind")):
            self.error(line, self.column("kind"), _("Required."))
        row.party_name = self.text(values, "party_name", line, actions.PARTY_MAX)
        phone = cell_text(self.cell(values, "party_phone"))
        row.party_phone = (
            self._cleaned(line, "party_phone", lambda: actions.clean_phone(phone)) or ""
        )
        row.address = self.text(values, "address", line, actions.ADDRESS_MAX)
        if not row.address:
            self.error(line, self.column("address"), _("Required."))
        row.started_on = self._date(values, "started_on", line, required=True)
        row.found_on = self._date(values, "found_on", line, required=True)
        if row.started_on and row.found_on and row.started_on > row.found_on:
            self.error(
                line,
                self.column("started_on"),
                _("It cannot have been built or moved after it was found."),
            )
        area = cell_text(self.cell(values, "area"))
        row.area = self._cleaned(line, "area", lambda: actions.clean_area(area))
        demolished = cell_text(self.cell(values, "demolished_area"))
        row.demolished_area = self._cleaned(
            line, "demolished_area", lambda: actions.clean_area(demolished)
        )
        people = cell_text(self.cell(values, "people"))
        row.people = self._cleaned(line, "people", lambda: actions.clean_people(people))
        row.status = self._choice(values, "status", line, STATUS_WORDS) or CS.FOUND
        row.stopped_on = self._date(values, "stopped_on", line, required=False)
        row.closed_on = self._date(values, "closed_on", line, required=False)
        row.note = self.text(values, "note", line, actions.NOTE_MAX)
        self._status(row)
        self.rows.append(row)

    def _status(self, row: Row) -> None:
        """The dates, area and note a row's status needs, and only those."""
        line, status = row.line, row.status
        col = self.column
        if status == CS.STOPPED and row.stopped_on is None:
            self.error(line, col("stopped_on"), _("A stopped case needs the day it was stopped."))
        if status in CLOSED and row.closed_on is None:
            self.error(line, col("closed_on"), _("A closed case needs the day it was closed."))
        if status not in CLOSED and row.closed_on is not None:
            self.error(line, col("closed_on"), _("Only a closed case has a closing day."))
        if status == CS.FOUND and row.stopped_on is not None:
            self.error(line, col("status"), _("A case with a stopping day is at least stopped."))
        if status == CS.DEMOLISHED and row.demolished_area is None:
            self.error(line, col("demolished_area"), _("A demolished case needs the area."))
        if status != CS.DEMOLISHED and row.demolished_area is not None:
            self.error(line, col("demolished_area"), _("Only a demolished case has this area."))
        area, demolished = row.area, row.demolished_area
        if area is not None and demolished is not None and demolished > area:
            self.error(line, col("demolished_area"), _("More than the case's area."))
        if status in (CS.REGULARISED, CS.DISMISSED) and not row.note:
            self.error(line, col("note"), _("Give the permit, or why it is not a case."))
        if status == CS.RETURNED and row.kind == CK.ILLEGAL_BUILDING:
            self.error(line, col("status"), _("Only a disorderly relocation is moved back."))
        for key in ("stopped_on", "closed_on"):
            day = getattr(row, key)
            if day is not None and row.found_on is not None and day < row.found_on:
                self.error(line, col(key), _("The date cannot be before the case was found."))
        if row.stopped_on and row.closed_on and row.closed_on < row.stopped_on:
            self.error(line, col("closed_on"), _("The date cannot be before the case was stopped."))

    # --- the whole file -------------------------------------------------------------------

    def finish(self) -> None:
        """Units by code (and the right to manage them), duplicates in the file and in the
        register."""
        codes = sorted({r.unit_code for r in self.rows if r.unit_code})
        units: dict[str, Unit] = {}
        for start in range(0, len(codes), CHUNK):
            for unit in Unit.objects.filter(code__in=codes[start : start + CHUNK]).defer(
                "geometry"
            ):
                units[unit.code] = unit
        paths = grant_paths(self.actor, MANAGE)
        for row in self.rows:
            if not row.unit_code:
                continue
            unit = units.get(row.unit_code)
            column = self.column("unit_code")
            if unit is None:
                self.error(
                    row.line, column, _("No unit has the code %(code)s.") % {"code": row.unit_code}
                )
            elif unit.kind not in CASE_UNIT_KINDS or not unit.active:
                self.error(
                    row.line,
                    column,
                    _("%(name)s is not a village or township.") % {"name": unit.name},
                )
            elif not self.actor.is_superuser and not any(is_within(unit.path, p) for p in paths):
                self.error(
                    row.line,
                    column,
                    _("You do not manage the cases of %(name)s.") % {"name": unit.name},
                )
            else:
                row.unit = unit
        self._duplicates()

    def _duplicates(self) -> None:
        seen: dict[tuple[Any, ...], int] = {}
        keyed = [r for r in self.rows if r.unit is not None and r.kind and r.started_on]
        for row in keyed:
            assert row.unit is not None  # noqa: S101 -- kept above
            key = (row.unit.pk, row.kind, row.address, row.started_on)
            if key in seen:
                self.error(
                    row.line,
                    self.column("address"),
                    _("The same case as line %(line)d.") % {"line": seen[key]},
                )
            else:
                seen[key] = row.line
        unit_ids = sorted({key[0] for key in seen})
        for start in range(0, len(unit_ids), CHUNK):
            existing = ConstructionCase.objects.filter(
                unit_id__in=unit_ids[start : start + CHUNK]
            ).values_list("unit_id", "kind", "address", "started_on", "number")
            for unit_id, kind, address, started_on, number in existing:
                line = seen.get((unit_id, kind, address, started_on))
                if line is not None:
                    self.error(
                        line,
                        self.column("address"),
                        _("Already in the register as case %(number)s.") % {"number": number},
                    )


# --- writing -------------------------------------------------------------------------------


def _build(rows: Sequence[Row]) -> list[ConstructionCase]:
    """The cases of the checked rows, flagged and numbered (not saved)."""
    units = {r.unit.pk: r.unit for r in rows if r.unit is not None}
    policies = policies_for(units.values())
    counters: dict[str, int] = {}
    cases = []
    for row in rows:
        assert row.unit is not None and row.started_on and row.found_on  # noqa: S101 -- checked
        policy = policies[row.unit.pk]
        prefix = actions.number_prefix(row.kind, row.unit, row.found_on.year)
        if prefix not in counters:
            counters[prefix] = int(actions.next_number(prefix).removeprefix(prefix)) - 1
        counters[prefix] += 1
        closed = row.status in CLOSED
        cases.append(
            ConstructionCase(
                unit=row.unit,
                kind=row.kind,
                source=CaseSource.IMPORT,
                number=f"{prefix}{counters[prefix]:04d}",
                party_name=row.party_name,
                party_phone=row.party_phone,
                address=row.address,
                started_on=row.started_on,
                found_on=row.found_on,
                is_new=actions.is_new_case(row.started_on, policy),
                area=row.area,
                people=row.people,
                status=row.status,
                due_on=actions.due_date(row.found_on, policy),
                stopped_on=row.stopped_on,
                closed_on=row.closed_on,
                demolished_area=row.demolished_area,
                close_note=row.note if closed else "",
                description="" if closed else row.note,
            )
        )
    return cases


def import_ledger(
    source: Path | str | IO[bytes],
    *,
    actor: User,
    encoding: str | None = None,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> LedgerSummary:
    """Import the ledger of a CSV or xlsx file, all or nothing (see the module docstring),
    as ``actor`` (``registers.manage`` over every row's unit). ``dry_run`` checks only.
    Raises ``LedgerImportError`` listing every problem; nothing is written then."""
    started = time.perf_counter()
    with checked_file(
        source,
        _Checker,
        actor=actor,
        refuse=LedgerImportError,
        default_name="ledger.xlsx",
        empty=_("The file has no case rows."),
        encoding=encoding,
        progress=progress,
        every=PROGRESS_EVERY,
    ) as file:
        checker = file.checker
        summary = LedgerSummary(
            file=file.name, rows=len(checker.rows), dry_run=dry_run, ignored_columns=checker.ignored
        )
        try:
            with transaction.atomic():
                cases = _build(checker.rows)
                summary.new_cases = sum(1 for c in cases if c.is_new)
                summary.buildings = sum(1 for c in cases if c.kind == CK.ILLEGAL_BUILDING)
                summary.relocations = len(cases) - summary.buildings
                if dry_run:
                    summary.seconds = time.perf_counter() - started
                    return summary
                created = ConstructionCase.objects.bulk_create(cases, batch_size=CHUNK)
                for case in created:
                    record(
                        "registers.constructioncase.imported",
                        case,
                        actor=actor,
                        after=actions.snapshot(case),
                        note=file.name,
                    )
                summary.created = len(created)
                record_file(
                    "registers.constructioncase.ledger_imported",
                    actor=actor,
                    file=file,
                    paths=[c.unit.path for c in created],
                    counts={"cases": len(created)},
                )
        except IntegrityError as exc:
            raise LedgerImportError(
                [
                    RowError(
                        0,
                        file.name,
                        _(
                            "Someone numbered cases of these villages meanwhile; nothing was "
                            "imported (import the file again)."
                        ),
                    )
                ]
            ) from exc
    summary.seconds = time.perf_counter() - started
    return summary


# --- the template and the export ---------------------------------------------------------------

EXAMPLE: Final[dict[str, str | dt.date | Decimal | None]] = {
    "unit_code": "513401101201",
    "kind": "乱修滥建",
    "party_name": "王某某",
    "party_phone": "13800000000",
    "address": "礼州村3组12号",
    "started_on": dt.date(2026, 5, 20),
    "found_on": dt.date(2026, 6, 1),
    "area": Decimal("120.5"),
    "people": "",
    "status": "已制止",
    "stopped_on": dt.date(2026, 6, 2),
    "closed_on": None,
    "demolished_area": None,
    "note": "",
}
WIDTHS: Final = {
    "unit_code": 16,
    "kind": 10,
    "party_name": 10,
    "party_phone": 14,
    "address": 28,
    "started_on": 14,
    "found_on": 12,
    "area": 12,
    "people": 6,
    "status": 11,
    "stopped_on": 12,
    "closed_on": 12,
    "demolished_area": 10,
    "note": 30,
}
NOTES: Final = (
    ("列", "填写说明"),
    ("村(社区)编码*", "村(社区)的12位统计用区划代码；不在村(社区)内的，填乡镇(街道)代码"),
    ("类型*", "乱修滥建 或 无序搬迁"),
    ("当事人", "当事人姓名(页面上对无管理权限者打码显示)"),
    ("联系电话", "11位手机号，或带区号的固定电话(如 0834-1234567)；页面和导出中始终打码"),
    ("地址*", "建设或搬迁的位置"),
    ("建设或搬迁日期*", "决定是否为基准日(默认2015年12月31日)后新增；可只填年月"),
    ("发现日期*", "不早于建设或搬迁日期，不晚于今天"),
    ("面积(平方米)", "大于0，最多两位小数"),
    ("人数", "无序搬迁的人数"),
    ("状态", "已发现(空白即此)、已制止、已拆除、已补办手续、已劝返(仅无序搬迁)、核实不属于"),
    ("制止日期", "已制止的必填"),
    ("办结日期", "已拆除、已补办手续、已劝返、核实不属于的必填"),
    ("拆除面积", "已拆除的必填，不大于面积"),
    ("备注", "已补办手续的填许可证名称和编号；核实不属于的填理由"),
    (
        "",
        "每行一个案件；有任何一行有误则整个文件不导入。与台账中已有案件(同村、同类型、同地址、同建设日期)重复的行不导入。",
    ),
)


def template_workbook() -> bytes:
    """The empty ledger: the headers (required ones marked ``*``), one example row, and a
    sheet explaining the columns."""
    return import_template(
        "违建和无序搬迁台账",
        [
            TemplateColumn(
                header=c.headers[0] + ("*" if c.required else ""),
                width=WIDTHS[c.key],
                example=EXAMPLE[c.key],
                text=c.key in ("unit_code", "party_phone"),
            )
            for c in COLUMNS
        ],
        NOTES,
        notes_widths=(18, 90),
    )


EXTRA_HEADERS: Final = (
    ("案件编号", 26),
    ("村(社区)名称", 16),
    ("基准日后新增", 8),
    ("办结期限", 12),
    ("来源", 10),
)


def export_workbook(
    cases: Sequence[ConstructionCase], *, full_name: Callable[[ConstructionCase], bool]
) -> bytes:
    """The cases (units joined) in the ledger's columns, then the case number, unit name,
    new or not, deadline and source. Phones always masked; a name in full only where
    ``full_name(case)``."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("违建和无序搬迁台账")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    number = book.add_format({"num_format": "0.##"})
    headers = [(c.headers[0], WIDTHS[c.key]) for c in COLUMNS] + list(EXTRA_HEADERS)
    for col, (header, width) in enumerate(headers):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 1)
    for r, case in enumerate(cases, start=1):
        values: list[Any] = [
            case.unit.code,
            KIND_NAMES.get(CK(case.kind), case.kind),
            case.party_name if full_name(case) else mask_name(case.party_name),
            mask_phone(case.party_phone) if case.party_phone else "",
            case.address,
            case.started_on,
            case.found_on,
            case.area,
            case.people,
            STATUS_NAMES.get(CS(case.status), case.status),
            case.stopped_on,
            case.closed_on,
            case.demolished_area,
            case.close_note or case.description[:255],
            case.number,
            case.unit.name,
            "是" if case.is_new else "否",
            case.due_on,
            SOURCE_NAMES.get(CaseSource(case.source), case.source),
        ]
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date)
            elif isinstance(value, Decimal | int):
                sheet.write_number(r, col, float(value), number)
            else:
                sheet.write_string(r, col, safe_text(str(value)))
    sheet.autofilter(0, 0, max(len(cases), 1), len(headers) - 1)
    book.close()
    return buffer.getvalue()
