"""Excel import of the 村集体经济 ledger (``import_income``), on the frame of
``importing.windows`` (all or nothing, every problem by line and column, each row through
the actions).

One village-year a row: ``村(社区)编码``, ``年度``, the income by source in yuan —
``经营收入``, ``发包及上交收入``, ``投资收益``, ``补助收入``, ``其他收入`` — and
``年度目标`` (yuan). An empty cell leaves that figure as it is (write 0 for none); a
village-year appears once in a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.utils.translation import gettext as _

from grassroots.common.importing import Column
from grassroots.common.workbooks import TemplateColumn, import_template
from grassroots.registers.actions import income as actions
from grassroots.registers.importing.ledger import ImportSummary
from grassroots.registers.importing.windows import (
    RegisterSheet,
    SheetRow,
    run_import,
)
from grassroots.registers.models import CollectiveIncome, IncomeTarget
from grassroots.registers.queries_income import VillageIncome
from grassroots.registers.states import IncomeSource

if TYPE_CHECKING:
    from grassroots.org.models import User

SOURCE_COLUMNS: Final = {
    IncomeSource.OPERATING: ("经营收入",),
    IncomeSource.CONTRACTING: ("发包及上交收入", "发包收入", "租赁收入"),
    IncomeSource.INVESTMENT: ("投资收益",),
    IncomeSource.SUBSIDY: ("补助收入",),
    IncomeSource.OTHER: ("其他收入",),
}
COLUMNS: Final = (
    Column("unit", ("村(社区)编码", "村编码", "社区编码", "单位编码"), required=True),
    Column("year", ("年度", "年份"), required=True),
    *(Column(str(source), headers) for source, headers in SOURCE_COLUMNS.items()),
    Column("target", ("年度目标", "目标", "年度目标(元)")),
)
HEADERS: Final = [c.headers[0] for c in COLUMNS]


class IncomeSheet(RegisterSheet):
    audit_action = "registers.collective_income.imported"
    columns = COLUMNS
    field_columns = {
        "unit": "unit",
        "year": "year",
        "amount": "target",
        "task": "target",
        **{str(s): str(s) for s in IncomeSource.values},
    }

    def __init__(self, header: list[str], actor: User, today: Any) -> None:
        super().__init__(header, actor, today)
        self.seen: dict[tuple[str, str], int] = {}
        self.units: dict[str, Any] = {}
        if not any(str(s) in self.at for s in IncomeSource.values) and "target" not in self.at:
            self.error(
                self.header_line, "", _("The file has no income column and no target column.")
            )

    def parse(self, row: SheetRow, values: list[Any]) -> None:
        code = self.required(row, values, "unit", 32)
        year = self.required(row, values, "year", 8)
        row.data.update(unit=code, year=year)
        key = (code, year)
        if code and year:
            if key in self.seen:
                self.error(
                    row.line,
                    self.column("year"),
                    _("The village's year is also on line %(line)d.") % {"line": self.seen[key]},
                )
            self.seen.setdefault(key, row.line)
        row.data["amounts"] = {
            str(s): text
            for s in IncomeSource.values
            if (text := self.text(values, str(s), row.line, 24))
        }
        row.data["target"] = self.text(values, "target", row.line, 24)

    def prepare(self) -> None:
        self.units = self.units_by_code(r.data.get("unit", "") for r in self.rows)
        for row in self.rows:
            unit = self.units.get(row.data.get("unit", ""))
            if unit is None and row.data.get("unit"):
                self.error(
                    row.line,
                    self.column("unit"),
                    _("No unit has the code %(code)s.") % {"code": row.data["unit"]},
                )
            elif unit is not None:
                self.paths.append(unit.path)

    def apply(self, row: SheetRow) -> str:
        unit = self.units[row.data["unit"]]
        year = row.data["year"]
        before = {
            "income": dict(
                CollectiveIncome.objects.filter(
                    unit=unit, year=year if year.isdecimal() else 0
                ).values_list("source", "amount")
            ),
            "target": IncomeTarget.objects.filter(unit=unit, year=year if year.isdecimal() else 0)
            .values_list("amount", flat=True)
            .first(),
        }
        after_income = before["income"]
        if row.data["amounts"]:
            after_income = actions.set_income(unit, year, row.data["amounts"], actor=self.actor)
        else:
            actions.village_of(unit, actor=self.actor)
        target = before["target"]
        if row.data["target"]:
            target = actions.set_target(
                unit, year, actor=self.actor, amount=row.data["target"]
            ).amount
        if not before["income"] and before["target"] is None:
            return "created"
        if after_income == before["income"] and target == before["target"]:
            return "unchanged"
        return "updated"


def import_income(
    source: Path | str | IO[bytes], *, actor: User, dry_run: bool = False
) -> ImportSummary:
    """Import a 村集体经济 ledger (see the module docstring)."""
    return run_import(
        source, IncomeSheet, actor=actor, dry_run=dry_run, default_name="村集体经济.xlsx"
    )


def income_rows(rows: Iterable[VillageIncome], year: int) -> Iterable[list[Any]]:
    """The export's rows, in the import's columns (villages with a figure only)."""
    for r in rows:
        if not r.amounts and r.target is None:
            continue
        yield [r.unit.code, year, *r.by_source(), r.target]


def income_template() -> bytes:
    """The empty 村集体经济 ledger: headers, one example row, and the notes."""
    columns = [
        TemplateColumn("村(社区)编码*", 16, "513401101201", text=True),
        TemplateColumn("年度*", 8, "2025", text=True),
        TemplateColumn("经营收入", 12, Decimal("120000")),
        TemplateColumn("发包及上交收入", 14, Decimal("86000")),
        TemplateColumn("投资收益", 12, Decimal("30000")),
        TemplateColumn("补助收入", 12, Decimal("50000")),
        TemplateColumn("其他收入", 12, Decimal("0")),
        TemplateColumn("年度目标", 12, Decimal("300000")),
    ]
    notes = [
        ("列", "填写说明"),
        ("村(社区)编码", "必填, 村(社区)的统计用区划代码。"),
        ("年度", "必填, 2000 年至今年; 同一村同一年度只填一行。"),
        ("各项收入", "单位元, 不小于 0, 最多两位小数; 不填则保持原数, 没有收入请填 0。"),
        ("年度目标", "单位元, 大于 0; 不填则保持原目标。"),
    ]
    return import_template("村集体经济收入", columns, notes)
