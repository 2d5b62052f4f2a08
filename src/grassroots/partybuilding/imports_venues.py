"""Excel import and export of the venue ledger (阵地台账).

One venue a row: ``村(社区)编码`` or ``村(社区)名称`` (one of the two; the code wins),
``类型`` (标准化活动阵地 / 文化院坝), ``名称``, ``地址``, ``面积(平方米)``, ``状态`` (规划 /
在建 / 建成使用 / 停用; empty: 规划 for a new venue, unchanged for one registered),
``建成日期``, ``开放时间``, ``管理员``. A village's venue of the same name is updated (its
status moved as the pages would move it), any other row registers a new venue.

All or nothing: the file (CSV in UTF-8 or GB18030, or the first sheet of an .xlsx) is read
and checked row by row; then every row is written through ``actions.venues`` — same rules,
scope checks and audit as the pages — each in a savepoint inside one transaction. Every
problem of every row is listed by line and column; with any problem, or when only
checking (``dry_run``), the transaction is rolled back. A real import ends with one audit
entry for the file (``partybuilding.venue.imported``: name, SHA-256, counts).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import TextChoices
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.importing import Column, SheetChecker, as_path, check_rows
from grassroots.common.tabular import (
    FileUnreadable,
    ImportRefused,
    RowError,
    cell_text,
    open_table,
)
from grassroots.common.workbooks import FORMULA_START, TemplateColumn, import_template, safe_text
from grassroots.org.models import PATH_SEPARATOR, VILLAGE_LEVEL, Unit
from grassroots.org.permissions import require
from grassroots.partybuilding.actions import venues as actions
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.models import Venue
from grassroots.partybuilding.permissions import RECORD
from grassroots.partybuilding.states import VenueKind, VenueStatus

if TYPE_CHECKING:
    from grassroots.org.models import User

MAX_ROWS: Final = 5000
MAX_ERRORS: Final = 500
COLUMNS: Final = (
    Column("unit_code", ("村(社区)编码", "村编码", "社区编码", "单位编码")),
    Column("unit_name", ("村(社区)名称", "村(社区)", "村名", "所属村(社区)")),
    Column("kind", ("类型", "阵地类型"), required=True),
    Column("name", ("名称", "阵地名称"), required=True),
    Column("address", ("地址",)),
    Column("area_m2", ("面积(平方米)", "面积", "建筑面积(平方米)")),
    Column("status", ("状态", "建设状态")),
    Column("built_on", ("建成日期", "建成时间", "完工日期")),
    Column("open_hours", ("开放时间",)),
    Column("manager", ("管理员", "负责人")),
)
HEADERS: Final = [c.headers[0] for c in COLUMNS]
#: The column (key) an action's field is shown under.
FIELD_COLUMNS: Final = {
    "unit": "unit_code",
    "kind": "kind",
    "name": "name",
    "address": "address",
    "area_m2": "area_m2",
    "status": "status",
    "built_on": "built_on",
    "completed_on": "built_on",
    "open_hours": "open_hours",
    "manager": "manager",
}
KIND_SYNONYMS: Final = {"活动阵地": VenueKind.ACTIVITY, "院坝": VenueKind.CULTURE_YARD}
#: The ledger's own words for the statuses (the labels of ``VenueStatus`` share their
#: msgids with other apps' statuses, so the export writes these).
STATUS_WORDS: Final = {
    VenueStatus.PLANNED: "规划",
    VenueStatus.BUILDING: "在建",
    VenueStatus.IN_USE: "建成使用",
    VenueStatus.CLOSED: "停用",
}
STATUS_SYNONYMS: Final = {
    **{word: status for status, word in STATUS_WORDS.items()},
    "已建成": VenueStatus.IN_USE,
    "使用中": VenueStatus.IN_USE,
    "建成": VenueStatus.IN_USE,
    "未建": VenueStatus.PLANNED,
}


class VenueImportError(ImportRefused):
    """The file has problems; nothing was imported (``errors``: every one)."""


@dataclass(slots=True)
class ImportSummary:
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)


# --- cells ------------------------------------------------------------------------------


_LABEL_SPACES: Final = str.maketrans({"（": "(", "）": ")", " ": None, "\u3000": None})


def _word(text: str) -> str:
    return text.translate(_LABEL_SPACES).lower()


def label_words(choices: type[TextChoices], extra: Mapping[str, str]) -> dict[str, str]:
    """Every way a sheet may name a choice: Chinese or English label, value, synonyms."""
    words: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in choices.choices:
                words[_word(str(label))] = value
    words.update({_word(v): v for v in choices.values})
    words.update({_word(k): v for k, v in extra.items()})
    return words


def chinese(choices: type[TextChoices], value: str) -> str:
    with translation.override("zh-hans"):
        return str(dict(choices.choices).get(value, value))


def _unquoted(text: str) -> str:
    text = text.replace("\x00", "")
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def _date_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = cell_text(value).replace(" 00:00:00", "").strip()
    for sep in ("/", ".", "年", "月"):
        text = text.replace(sep, "-")
    text = text.rstrip("日").strip("-")
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdecimal() for p in parts):
        return f"{int(parts[0]):04d}-{int(parts[1]):02d}-{int(parts[2]):02d}"
    return text


@dataclass
class Row:
    line: int
    data: dict[str, Any] = field(default_factory=dict)


class VenueSheet(SheetChecker):
    def __init__(self, header: list[str], actor: User) -> None:
        super().__init__(header, COLUMNS, {c.key: c.headers[0] for c in COLUMNS})
        self.actor = actor
        self.rows: list[Row] = []
        self.paths: list[str] = []
        self.kinds = label_words(VenueKind, KIND_SYNONYMS)
        self.statuses = label_words(VenueStatus, STATUS_SYNONYMS)
        if "unit_code" not in self.at and "unit_name" not in self.at:
            self.missing(COLUMNS[0].headers + COLUMNS[1].headers[:1])

    def text(self, values: list[Any], key: str, line: int, max_length: int) -> str:
        text = _unquoted(cell_text(self.cell(values, key))).strip()
        if len(text) > max_length:
            self.error(line, self.column(key), _("At most %(n)d characters.") % {"n": max_length})
            return text[:max_length]
        return text

    def _choice(self, row: Row, values: list[Any], key: str, words: dict[str, str]) -> str:
        text = self.text(values, key, row.line, 32)
        if not text:
            return ""
        value = words.get(_word(text))
        if value is None:
            self.error(row.line, self.column(key), _("Unknown value %(value)s.") % {"value": text})
            return ""
        return value

    def read(self, line: int, values: list[Any], found: int) -> None:
        if len(self.rows) >= MAX_ROWS:
            if len(self.rows) == MAX_ROWS:
                self.error(line, "", _("More than %(n)d rows: split the file.") % {"n": MAX_ROWS})
                self.rows.append(Row(line))
            return
        row = Row(line)
        d = row.data
        d["unit_code"] = self.text(values, "unit_code", line, 32)
        d["unit_name"] = self.text(values, "unit_name", line, 100)
        if not d["unit_code"] and not d["unit_name"]:
            self.error(line, self.column("unit_code"), _("Give the village's code or name."))
        d["kind"] = self._choice(row, values, "kind", self.kinds)
        if not d["kind"] and not self.text(values, "kind", line, 32):
            self.error(line, self.column("kind"), _("Required."))
        d["name"] = self.text(values, "name", line, actions.NAME_MAX)
        if not d["name"]:
            self.error(line, self.column("name"), _("Required."))
        d["status"] = self._choice(row, values, "status", self.statuses)
        d["address"] = self.text(values, "address", line, actions.ADDRESS_MAX)
        d["area_m2"] = self.text(values, "area_m2", line, 24)
        d["built_on"] = _date_text(self.cell(values, "built_on"))[:40]
        d["open_hours"] = self.text(values, "open_hours", line, actions.OPEN_HOURS_MAX)
        d["manager"] = self.text(values, "manager", line, actions.MANAGER_MAX)
        self.rows.append(row)

    def prepare(self) -> None:
        """Find each row's village among those the actor records for (by code, else by
        name; a name several villages share must be given by code)."""
        villages = list(
            Unit.objects.visible_to(self.actor, RECORD)
            .filter(kind__in=VILLAGE_LEVEL)
            .defer("geometry")
        )
        by_code = {u.code: u for u in villages}
        by_name: dict[str, list[Unit]] = {}
        for u in villages:
            by_name.setdefault(u.name, []).append(u)
        for row in self.rows:
            code, name = row.data.get("unit_code", ""), row.data.get("unit_name", "")
            unit: Unit | None = None
            if code:
                unit = by_code.get(code)
                if unit is None:
                    self.error(
                        row.line,
                        self.column("unit_code"),
                        _("No village of yours has the code %(code)s.") % {"code": code},
                    )
            elif name:
                found = by_name.get(name, [])
                if len(found) > 1:
                    self.error(
                        row.line,
                        self.column("unit_name"),
                        _("Several villages are named %(name)s: give the code.") % {"name": name},
                    )
                elif not found:
                    self.error(
                        row.line,
                        self.column("unit_name"),
                        _("No village of yours is named %(name)s.") % {"name": name},
                    )
                else:
                    unit = found[0]
            row.data["unit"] = unit
            if unit is not None:
                self.paths.append(unit.path)
        seen: dict[tuple[int, str], int] = {}
        for row in self.rows:
            unit = row.data.get("unit")
            if unit is None or not row.data.get("name"):
                continue
            key = (unit.pk, row.data["name"])
            if key in seen:
                self.error(
                    row.line,
                    self.column("name"),
                    _("The same venue is also on line %(line)d.") % {"line": seen[key]},
                )
            seen.setdefault(key, row.line)

    def apply(self, row: Row) -> str:
        d = row.data
        facts = {
            "unit": d["unit"],
            "kind": d["kind"],
            "name": d["name"],
            "address": d["address"],
            "area_m2": d["area_m2"],
            "built_on": d["built_on"],
            "open_hours": d["open_hours"],
            "manager": d["manager"],
        }
        venue = Venue.objects.filter(unit=d["unit"], name=d["name"]).first()
        if venue is None:
            actions.create_venue(
                actor=self.actor, status=d["status"] or VenueStatus.PLANNED, **facts
            )
            return "created"
        before = (venue.updated_at, venue.status)
        facts.update(lat=venue.lat, lng=venue.lng)
        venue = actions.update_venue(venue.pk, actor=self.actor, **facts)
        if d["status"] and d["status"] != venue.status:
            actions.move_venue(
                venue.pk, actor=self.actor, status=d["status"], completed_on=d["built_on"]
            )
            return "updated"
        return "unchanged" if (venue.updated_at, venue.status) == before else "updated"

    def column_of(self, field_name: str | None) -> str:
        key = FIELD_COLUMNS.get(field_name or "", "")
        return self.column(key) if key else ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _common_unit(paths: Iterable[str]) -> Unit | None:
    parts = [p.split(PATH_SEPARATOR) for p in paths]
    shared: list[str] = []
    for segment in zip(*parts, strict=False):
        if len(set(segment)) != 1:
            break
        shared.append(segment[0])
    if not shared:
        return None
    found: Unit | None = (
        Unit.objects.filter(path=PATH_SEPARATOR.join(shared)).defer("geometry").first()
    )
    return found


def import_venues(
    source: Path | str | IO[bytes], *, actor: User, dry_run: bool = False
) -> ImportSummary:
    """Import a venue ledger (see the module docstring). Raises ``VenueImportError``
    listing every problem (nothing written); PermissionDenied when ``actor`` records
    venues nowhere."""
    require(actor, RECORD)
    with ExitStack() as stack:
        path, name = as_path(source, stack, "阵地台账.xlsx")
        try:
            table = open_table(path, stack)
        except FileUnreadable as exc:
            raise VenueImportError([RowError(0, name, str(exc))]) from None
        sheet = VenueSheet(table.header, actor)
        if sheet.errors:
            raise VenueImportError(sheet.errors)
        check_rows(table, sheet, name, None, 1000)
        if not sheet.rows:
            if not sheet.errors:
                sheet.error(sheet.header_line + 1, "", _("The file has no rows."))
            raise VenueImportError(sheet.errors)
        sheet.prepare()
        # Rows already refused are not written; the others still go through the actions,
        # so that the refusal lists every problem of the file at once.
        refused = {e.line for e in sheet.errors}
        summary = ImportSummary(
            file=name, rows=len(sheet.rows), dry_run=dry_run, ignored_columns=sheet.ignored
        )
        with transaction.atomic():
            for row in sheet.rows:
                if len(sheet.errors) >= MAX_ERRORS:
                    break
                if row.line in refused:
                    continue
                try:
                    with transaction.atomic():
                        outcome = sheet.apply(row)
                except PartybuildingError as exc:
                    sheet.error(row.line, sheet.column_of(exc.field), str(exc.message))
                    continue
                except (PermissionDenied, Http404):
                    sheet.error(
                        row.line,
                        sheet.column_of("unit"),
                        _("You may not record this village's venues."),
                    )
                    continue
                setattr(summary, outcome, getattr(summary, outcome) + 1)
            if sheet.errors or dry_run:
                transaction.set_rollback(True)
            else:
                record(
                    "partybuilding.venue.imported",
                    None,
                    actor=actor,
                    unit=_common_unit(sheet.paths),
                    after={
                        "file": name,
                        "sha256": _sha256(path),
                        "rows": summary.rows,
                        "created": summary.created,
                        "updated": summary.updated,
                        "unchanged": summary.unchanged,
                    },
                )
        if sheet.errors:
            raise VenueImportError(sheet.errors)
    return summary


# --- the export and the template ----------------------------------------------------------


def venue_rows(venues: Iterable[Venue]) -> Iterable[list[Any]]:
    """The export's rows in the import's columns (then the latest inspection)."""
    for v in venues:
        yield [
            v.unit.code,
            v.unit.name,
            chinese(VenueKind, v.kind),
            v.name,
            v.address,
            v.area_m2,
            STATUS_WORDS.get(VenueStatus(v.status), v.status),
            v.built_on,
            v.open_hours,
            actions.masked(v.manager),
            v.last_inspected_on,
            v.last_score,
            ("是" if v.meets_standard else "否") if v.last_inspected_on else "",
        ]


EXPORT_HEADERS: Final = [*HEADERS, "最近检查日期", "最近得分", "是否达标"]


def rows_workbook(title: str, headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """An export workbook: bold headers (the import's), text through ``safe_text``, dates
    as dates, numbers as numbers."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, max(10, len(header) * 2 + 2))
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date)
            elif isinstance(value, int | float) or hasattr(value, "as_tuple"):
                sheet.write_number(r, col, float(value))
            else:
                sheet.write_string(r, col, safe_text(str(value)))
    book.close()
    return buffer.getvalue()


def venue_template() -> bytes:
    """The empty ledger: headers, one example row, and the notes."""
    columns = [
        TemplateColumn("村(社区)编码", 16, "513401101201", text=True),
        TemplateColumn("村(社区)名称", 12, "礼州村"),
        TemplateColumn("类型*", 14, "标准化活动阵地"),
        TemplateColumn("名称*", 20, "礼州村党群服务中心"),
        TemplateColumn("地址", 24, "礼州村一组"),
        TemplateColumn("面积(平方米)", 12, "260"),
        TemplateColumn("状态", 10, "建成使用"),
        TemplateColumn("建成日期", 12, timezone.localdate().replace(month=1, day=1)),
        TemplateColumn("开放时间", 20, "周一至周五 9:00-17:00"),
        TemplateColumn("管理员", 10, "张三"),
    ]
    notes = [
        ("列", "填写说明"),
        ("村(社区)编码 / 名称", "至少填一项; 两项都填时以编码为准。名称重复的村请填编码。"),
        ("类型", "必填: 标准化活动阵地 或 文化院坝。"),
        ("名称", "必填; 同一村(社区)的同名阵地会被更新, 否则新增。"),
        ("面积(平方米)", "不小于 0, 最多两位小数。"),
        ("状态", "规划、在建、建成使用 或 停用; 已登记阵地的状态按规定顺序变更。"),
        ("建成日期", "如 2024-05-17, 不能晚于今天。"),
    ]
    return import_template("阵地台账", columns, notes)
