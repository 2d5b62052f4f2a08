"""Excel import of a competition's entries (``import_entries``), all or nothing.

One entry a row: ``轮次`` (a round of the competition, by its name), ``村(社区)编码`` or
``村(社区)名称`` (a village or community under the organiser), ``节目名称``, and
optionally ``类别`` and ``表演者``. Every row goes through ``actions.add_entry`` in one
transaction; any problem (by line and column) rolls everything back. The file is audited
(``partybuilding.competition.entries_imported``) with its name, SHA-256 and counts.
"""

from __future__ import annotations

import hashlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.audit.actions import record
from grassroots.common.importing import Column, SheetChecker, as_path, check_rows
from grassroots.common.tabular import FileUnreadable, ImportRefused, RowError, open_table
from grassroots.common.workbooks import TemplateColumn, import_template
from grassroots.org.models import Unit, User
from grassroots.partybuilding.actions import competitions as actions
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.models import Competition, Round
from grassroots.partybuilding.queries_competitions import villages_under
from grassroots.partybuilding.states import CompetitionStatus

COLUMNS: Final = (
    Column("round", ("轮次", "轮次名称", "场次"), required=True),
    Column("code", ("村(社区)编码", "村编码", "单位编码")),
    Column("name", ("村(社区)名称", "村名称", "村(社区)", "单位名称")),
    Column("title", ("节目名称", "节目"), required=True),
    Column("category", ("类别", "节目类别")),
    Column("performers", ("表演者", "演员")),
)
HEADERS: Final = {c.key: c.headers[0] for c in COLUMNS}
FIELD_COLUMNS: Final = {
    "unit": "code",
    "title": "title",
    "category": "category",
    "performers": "performers",
    "round": "round",
}
MAX_ROWS: Final = 2000


@dataclass
class EntriesSummary:
    file: str
    rows: int = 0
    created: int = 0
    dry_run: bool = False
    ignored_columns: list[str] = field(default_factory=list)


class EntrySheet(SheetChecker):
    def __init__(self, header: list[str], competition: Competition) -> None:
        super().__init__(header, COLUMNS, HEADERS)
        if "code" not in self.at and "name" not in self.at:
            self.missing(COLUMNS[1].headers + COLUMNS[2].headers)
        self.rounds = {r.name: r for r in Round.objects.filter(competition=competition)}
        villages = list(villages_under(competition))
        self.by_code = {v.code: v for v in villages}
        self.by_name: dict[str, list[Unit]] = {}
        for v in villages:
            self.by_name.setdefault(v.name, []).append(v)
        self.organiser = competition.organiser.name
        self.rows: list[tuple[int, dict[str, Any]]] = []

    def read(self, line: int, values: list[Any], found: int) -> None:
        if len(self.rows) >= MAX_ROWS:
            self.error(line, "", _("At most %(n)d rows a file.") % {"n": MAX_ROWS})
            return
        name = self.text(values, "round", line, 100)
        the_round = self.rounds.get(name)
        if the_round is None:
            self.error(
                line,
                self.column("round"),
                _("No round of this competition is named “%(name)s”.") % {"name": name}
                if name
                else _("This field is required."),
            )
        code = self.text(values, "code", line, 32)
        village_name = self.text(values, "name", line, 100)
        unit: Unit | None = None
        if code:
            unit = self.by_code.get(code)
            if unit is None:
                self.error(
                    line,
                    self.column("code"),
                    _("No village with the code %(code)s under %(organiser)s.")
                    % {"code": code, "organiser": self.organiser},
                )
        elif village_name:
            found_units = self.by_name.get(village_name, [])
            if len(found_units) == 1:
                unit = found_units[0]
            else:
                self.error(
                    line,
                    self.column("name"),
                    (
                        _("No village named %(name)s under %(organiser)s.")
                        if not found_units
                        else _("Several villages are named %(name)s: give the code.")
                    )
                    % {"name": village_name, "organiser": self.organiser},
                )
        else:
            self.error(
                line, self.column("code" if "code" in self.at else "name"), _("Give the village.")
            )
        data = {
            "round": the_round,
            "unit": unit,
            "title": self.text(values, "title", line, 200),
            "category": self.text(values, "category", line, 64),
            "performers": self.text(values, "performers", line, 500),
        }
        self.rows.append((line, data))


def import_entries(
    competition_id: int,
    source: Path | str | IO[bytes],
    *,
    actor: User,
    dry_run: bool = False,
) -> EntriesSummary:
    """Import the entries of a competition (see the module docstring). Raises
    ``ImportRefused`` listing every problem (nothing written), PermissionDenied when the
    actor does not organise the competition."""
    competition = Competition.objects.select_related("organiser").get(pk=competition_id)
    if competition.status != CompetitionStatus.DRAFT:
        raise ImportRefused(
            [RowError(0, "", _("Entries are added only while the competition is prepared."))]
        )
    with ExitStack() as stack:
        path, name = as_path(source, stack, "参赛节目.xlsx")
        try:
            table = open_table(path, stack)
        except FileUnreadable as exc:
            raise ImportRefused([RowError(0, name, str(exc))]) from exc
        sheet = EntrySheet(table.header, competition)
        if not sheet.errors:
            check_rows(table, sheet, name, None, 1000)
        if not sheet.rows and not sheet.errors:
            sheet.error(0, name, _("The file has no rows."))
        summary = EntriesSummary(
            file=name, rows=len(sheet.rows), dry_run=dry_run, ignored_columns=sheet.ignored
        )
        with transaction.atomic():
            for line, data in sheet.rows:
                if data["round"] is None or data["unit"] is None:
                    continue
                try:
                    with transaction.atomic():
                        actions.add_entry(competition.pk, data["round"].pk, data, actor=actor)
                except PartybuildingError as exc:
                    key = FIELD_COLUMNS.get(exc.field or "", "title")
                    sheet.error(line, sheet.column(key), str(exc.message))
                else:
                    summary.created += 1
            if sheet.errors or dry_run:
                transaction.set_rollback(True)
            else:
                record(
                    "partybuilding.competition.entries_imported",
                    competition,
                    actor=actor,
                    unit=competition.organiser,
                    after={
                        "file": name,
                        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                        "rows": summary.rows,
                        "created": summary.created,
                    },
                )
        if sheet.errors:
            raise ImportRefused(sheet.errors)
    return summary


def entries_template() -> bytes:
    """The empty entries workbook: headers, one example row and the notes."""
    columns = [
        TemplateColumn("轮次*", 12, "初赛"),
        TemplateColumn("村(社区)编码", 16, "513401101201", text=True),
        TemplateColumn("村(社区)名称", 12, "礼州村"),
        TemplateColumn("节目名称*", 24, "彝族达体舞"),
        TemplateColumn("类别", 10, "舞蹈"),
        TemplateColumn("表演者", 30, "礼州村文艺队"),
    ]
    notes = [
        ("列", "填写说明"),
        ("轮次", "必填, 本次竞演已建立的轮次名称 (如 初赛、决赛)。"),
        ("村(社区)编码 / 名称", "填其一; 须为主办单位辖区内的村(社区), 名称重名时请填编码。"),
        ("节目名称", "必填; 同一村同一轮次的节目名称不能重复。"),
        ("类别 / 表演者", "选填。"),
    ]
    return import_template("参赛节目", columns, notes)
