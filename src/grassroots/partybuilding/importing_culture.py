"""Excel import and export of the family mottos (家训家风) and the performers' roster
(乡土文艺骨干), as the offices keep them in spreadsheets today.

An import is all or nothing: the file (CSV in UTF-8 or GB18030, or the first sheet of an
.xlsx) is read row by row, then every row is written through the archive's own action
(same rules, scope checks and audit as the pages), each in a savepoint, inside one
transaction; any problem (by line and column, in Chinese), or a check only (``dry_run``),
and everything is rolled back. A real import ends with one audit entry for the file.

**Mottos**, one a row: ``村(社区)编码``*, ``家庭``*, ``家训``*, ``家风故事``. A family
already in the village's collection (same name) is updated, else added.

**Performers**, one a row: ``村(社区)编码``*, ``姓名``*, ``特长``* (声乐, 舞蹈, …),
``所在队伍``, ``出生年份``, ``联系电话``, ``文化带头人`` (是/否), ``在册`` (是/否; empty: 是),
``备注``. A performer of the same name in the village is updated, else added. A masked phone
(as the export writes it, ``138****1234``) that matches the one on record leaves it as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.importing import Column, SheetChecker, as_path, check_rows
from grassroots.common.masking import mask_phone
from grassroots.common.tabular import FileUnreadable, ImportRefused, RowError, open_table
from grassroots.common.workbooks import TemplateColumn, import_template
from grassroots.org.models import Unit
from grassroots.org.permissions import require
from grassroots.partybuilding.actions import culture as actions
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.models import FamilyMotto, Performer
from grassroots.partybuilding.permissions import RECORD
from grassroots.partybuilding.states import PerformerSpecialty
from grassroots.registers.importing.ledger import ImportSummary, common_unit, unquoted

if TYPE_CHECKING:
    from grassroots.org.models import User

MAX_ROWS: Final = 5000
MAX_ERRORS: Final = 300

UNIT = Column("unit", ("村(社区)编码", "村编码", "社区编码", "单位编码"), required=True)
MOTTO_COLUMNS: Final = (
    UNIT,
    Column("family", ("家庭", "家庭名称", "户主"), required=True),
    Column("motto", ("家训", "家训内容", "家训家风"), required=True),
    Column("story", ("家风故事", "故事")),
)
PERFORMER_COLUMNS: Final = (
    UNIT,
    Column("name", ("姓名",), required=True),
    Column("specialty", ("特长", "专长", "类别"), required=True),
    Column("troupe", ("所在队伍", "队伍", "文艺队")),
    Column("birth_year", ("出生年份", "出生年")),
    Column("phone", ("联系电话", "电话", "手机")),
    Column("leader", ("文化带头人",)),
    Column("active", ("在册",)),
    Column("note", ("备注",)),
)
MOTTO_HEADERS: Final = [c.headers[0] for c in MOTTO_COLUMNS]
PERFORMER_HEADERS: Final = [c.headers[0] for c in PERFORMER_COLUMNS]


class CultureImportError(ImportRefused):
    """The file has problems; nothing was imported (``errors``: every one)."""


def specialty_words() -> dict[str, str]:
    """Every way a sheet may name a specialty: Chinese or English label, or its value."""
    words: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in PerformerSpecialty.choices:
                words[str(label).replace(" ", "").lower()] = value
    words.update({v: v for v in PerformerSpecialty.values})
    words.update({"声乐": "singing", "唱歌": "singing", "器乐": "instrument", "戏曲": "opera"})
    return words


def chinese_specialty(value: str) -> str:
    with translation.override("zh-hans"):
        return str(dict(PerformerSpecialty.choices).get(value, value))


class CultureSheet(SheetChecker):
    """A sheet being checked: its rows as the action's arguments, problems by line."""

    columns: tuple[Column, ...] = ()
    audit_action = ""
    #: The column (key) an action's field is shown under.
    field_columns: dict[str, str] = {}

    def __init__(self, header: list[str], actor: User) -> None:
        super().__init__(header, self.columns, {c.key: c.headers[0] for c in self.columns})
        self.actor = actor
        self.rows: list[tuple[int, dict[str, Any]]] = []
        self.units: dict[str, Unit] = {}

    def text(self, values: list[Any], key: str, line: int, max_length: int) -> str:
        return unquoted(super().text(values, key, line, max_length)).strip()

    def read(self, line: int, values: list[Any], found: int) -> None:
        if len(self.rows) >= MAX_ROWS:
            if len(self.rows) == MAX_ROWS:
                self.error(line, "", _("More than %(n)d rows: split the file.") % {"n": MAX_ROWS})
                self.rows.append((line, {}))
            return
        data: dict[str, Any] = {"unit": self.text(values, "unit", line, 32)}
        if not data["unit"]:
            self.error(line, self.column("unit"), _("Required."))
        self.parse(line, values, data)
        self.rows.append((line, data))

    def parse(self, line: int, values: list[Any], data: dict[str, Any]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        codes = sorted({d["unit"] for _line, d in self.rows if d.get("unit")})
        for start in range(0, len(codes), 900):
            found = Unit.objects.filter(code__in=codes[start : start + 900]).defer("geometry")
            self.units.update((u.code, u) for u in found)
        for line, data in self.rows:
            if data.get("unit") and data["unit"] not in self.units:
                self.error(
                    line,
                    self.column("unit"),
                    _("No unit has the code %(code)s.") % {"code": data["unit"]},
                )

    def apply(self, unit: Unit, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def column_of(self, field: str | None) -> str:
        key = self.field_columns.get(field or "", field or "")
        return self.column(key) if key in self.headers else ""


class MottoSheet(CultureSheet):
    columns = MOTTO_COLUMNS
    audit_action = "partybuilding.family_motto.imported"

    def parse(self, line: int, values: list[Any], data: dict[str, Any]) -> None:
        for key, limit in (("family", actions.NAME_MAX), ("motto", actions.MOTTO_MAX)):
            data[key] = self.text(values, key, line, limit)
            if not data[key]:
                self.error(line, self.column(key), _("Required."))
        data["story"] = self.text(values, "story", line, actions.STORY_MAX)
        pair = (data["unit"], data["family"])
        seen = getattr(self, "_seen", {})
        if all(pair) and pair in seen:
            self.error(
                line,
                self.column("family"),
                _("The same family is also on line %(line)d.") % {"line": seen[pair]},
            )
        seen.setdefault(pair, line)
        self._seen = seen

    def apply(self, unit: Unit, data: dict[str, Any]) -> str:
        fields = {k: data[k] for k in actions.MOTTO_FIELDS}
        existing = list(FamilyMotto.objects.filter(unit=unit, family=data["family"])[:2])
        if len(existing) == 1:
            before = (existing[0].motto, existing[0].story)
            motto = actions.update_motto(existing[0].pk, fields, actor=self.actor)
            return "unchanged" if (motto.motto, motto.story) == before else "updated"
        actions.create_motto(unit, fields, actor=self.actor)
        return "created"


class PerformerSheet(CultureSheet):
    columns = PERFORMER_COLUMNS
    audit_action = "partybuilding.performer.imported"

    def parse(self, line: int, values: list[Any], data: dict[str, Any]) -> None:
        data["name"] = self.text(values, "name", line, actions.NAME_MAX)
        if not data["name"]:
            self.error(line, self.column("name"), _("Required."))
        specialty = self.text(values, "specialty", line, 32)
        data["specialty"] = specialty_words().get(specialty.replace(" ", "").lower(), "")
        if not data["specialty"]:
            self.error(
                line,
                self.column("specialty"),
                _("Unknown value %(value)s (%(hint)s).")
                % {
                    "value": specialty or "—",
                    "hint": "、".join(chinese_specialty(v) for v in PerformerSpecialty.values),
                },
            )
        data["troupe"] = self.text(values, "troupe", line, actions.TROUPE_MAX)
        data["birth_year"] = self.text(values, "birth_year", line, 8).removesuffix(".0")
        data["phone"] = self.text(values, "phone", line, 20)
        data["note"] = self.text(values, "note", line, actions.NOTE_MAX)
        for key, default in (("leader", "否"), ("active", "是")):
            data[key] = self.text(values, key, line, 8) or default
        pair = (data["unit"], data["name"])
        seen = getattr(self, "_seen", {})
        if all(pair) and pair in seen:
            self.error(
                line,
                self.column("name"),
                _("The same person is also on line %(line)d.") % {"line": seen[pair]},
            )
        seen.setdefault(pair, line)
        self._seen = seen

    def apply(self, unit: Unit, data: dict[str, Any]) -> str:
        fields = {k: data[k] for k in actions.PERFORMER_FIELDS}
        existing = list(Performer.objects.filter(unit=unit, name=data["name"])[:2])
        if len(existing) == 1:
            current = existing[0]
            if "*" in fields["phone"] and fields["phone"] == mask_phone(current.phone or ""):
                del fields["phone"]
            before = actions.performer_snapshot(current)
            after = actions.update_performer(current.pk, fields, actor=self.actor)
            return "unchanged" if actions.performer_snapshot(after) == before else "updated"
        actions.create_performer(unit, fields, actor=self.actor)
        return "created"


def _write(sheet: CultureSheet, summary: ImportSummary) -> list[str]:
    paths: list[str] = []
    for line, data in sheet.rows:
        if len(sheet.errors) >= MAX_ERRORS:
            break
        unit = sheet.units[data["unit"]]
        try:
            with transaction.atomic():
                outcome = sheet.apply(unit, data)
        except PartybuildingError as exc:
            sheet.error(line, sheet.column_of(exc.field), str(exc.message))
            continue
        except (PermissionDenied, Http404):
            sheet.error(line, sheet.column("unit"), _("You may not keep this village's archive."))
            continue
        paths.append(unit.path)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
    return paths


def run_import(
    source: Path | str | IO[bytes],
    sheet_class: type[CultureSheet],
    *,
    actor: User,
    dry_run: bool,
    default_name: str,
) -> ImportSummary:
    """Check and (unless ``dry_run``) import a file, all or nothing; ``CultureImportError``
    lists every problem. PermissionDenied when ``actor`` records nowhere."""
    require(actor, RECORD)
    with ExitStack() as stack:
        path, name = as_path(source, stack, default_name)
        try:
            table = open_table(path, stack)
        except FileUnreadable as exc:
            raise CultureImportError([RowError(0, name, str(exc))]) from None
        sheet = sheet_class(table.header, actor)
        if sheet.errors:
            raise CultureImportError(sheet.errors)
        check_rows(table, sheet, name, None, 1000)
        if not sheet.rows and not sheet.errors:
            sheet.error(sheet.header_line + 1, "", _("The file has no rows."))
        if not sheet.errors:
            sheet.finish()
        if sheet.errors:
            raise CultureImportError(sheet.errors)
        summary = ImportSummary(
            file=name, rows=len(sheet.rows), dry_run=dry_run, ignored_columns=sheet.ignored
        )
        with transaction.atomic():
            paths = _write(sheet, summary)
            if sheet.errors or dry_run:
                transaction.set_rollback(True)
            else:
                record(
                    sheet.audit_action,
                    None,
                    actor=actor,
                    unit=common_unit(paths),
                    after={
                        "file": name,
                        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                        "rows": summary.rows,
                        "created": summary.created,
                        "updated": summary.updated,
                        "unchanged": summary.unchanged,
                    },
                )
        if sheet.errors:
            raise CultureImportError(sheet.errors)
    return summary


def import_mottos(
    source: Path | str | IO[bytes], *, actor: User, dry_run: bool = False
) -> ImportSummary:
    """Import a 家训家风 sheet (see the module docstring)."""
    return run_import(source, MottoSheet, actor=actor, dry_run=dry_run, default_name="家训.xlsx")


def import_performers(
    source: Path | str | IO[bytes], *, actor: User, dry_run: bool = False
) -> ImportSummary:
    """Import a 乡土文艺骨干 sheet (see the module docstring)."""
    return run_import(
        source, PerformerSheet, actor=actor, dry_run=dry_run, default_name="文艺骨干.xlsx"
    )


# --- export rows and templates ---------------------------------------------------------------


def motto_rows(mottos: Iterable[FamilyMotto]) -> Iterable[list[Any]]:
    for m in mottos:
        yield [m.unit.code, m.family, m.motto, m.story]


def performer_rows(performers: Iterable[Performer]) -> Iterable[list[Any]]:
    """The roster's rows in the import's columns, the phone masked."""
    for p in performers:
        yield [
            p.unit.code,
            p.name,
            chinese_specialty(p.specialty),
            p.troupe,
            p.birth_year,
            mask_phone(p.phone or ""),
            "是" if p.leader else "否",
            "是" if p.active else "否",
            p.note,
        ]


def motto_template() -> bytes:
    columns = [
        TemplateColumn("村(社区)编码*", 16, "513401101201", text=True),
        TemplateColumn("家庭*", 12, "王家"),
        TemplateColumn("家训*", 40, "勤俭持家，耕读传家"),
        TemplateColumn("家风故事", 60, "王家三代务农，……"),
    ]
    notes = [
        ("列", "填写说明"),
        ("村(社区)编码", "必填, 村(社区)的统计用区划代码。"),
        ("家庭", "必填, 村里对这一家的称呼, 如 王家、阿说家; 同一村已有同名家庭则更新。"),
        ("家训", "必填, 最多 500 字。"),
        ("家风故事", "选填, 最多 10000 字。"),
    ]
    return import_template("家训家风", columns, notes)


def performer_template() -> bytes:
    columns = [
        TemplateColumn("村(社区)编码*", 16, "513401101201", text=True),
        TemplateColumn("姓名*", 10, "阿说莫"),
        TemplateColumn("特长*", 10, "声乐"),
        TemplateColumn("所在队伍", 16, "礼州村文艺队"),
        TemplateColumn("出生年份", 10, "1975", text=True),
        TemplateColumn("联系电话", 14, "13800000000", text=True),
        TemplateColumn("文化带头人", 10, "是"),
        TemplateColumn("在册", 8, "是"),
        TemplateColumn("备注", 30, ""),
    ]
    notes = [
        ("列", "填写说明"),
        ("村(社区)编码", "必填, 村(社区)的统计用区划代码。"),
        ("姓名", "必填; 同一村已有同名人员则更新。"),
        ("特长", "必填: " + "、".join(chinese_specialty(v) for v in PerformerSpecialty.values)),
        ("出生年份", "选填, 四位年份。"),
        ("联系电话", "选填; 导出文件中的打码电话原样导回时保持原号码不变。"),
        ("文化带头人", "是 / 否, 不填为否。"),
        ("在册", "是 / 否, 不填为是。"),
    ]
    return import_template("乡土文艺骨干", columns, notes)
