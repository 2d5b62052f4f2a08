"""Excel import of the 防返贫监测 ledger (``import_monitoring``), on the frame of
``importing.windows`` (all or nothing, every problem by line and column, each row through
the actions).

One monitored household a row: ``户号`` and ``村(社区)编码`` (the household, which must be
registered in the grid basics), ``监测类型`` (脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户),
``风险类型`` (one or more, separated by 、 or commas: 因病、因残 …), ``纳入日期``,
``家庭人口``, ``人均纯收入(元)``, ``状态`` (监测中 / 风险已消除; empty: 监测中),
``最近回访日期``, ``帮扶措施`` (kinds separated by 、: 产业帮扶、就业帮扶 …; other words
are kept as an "other" measure), ``备注``.

A household already under monitoring has that monitoring corrected; any other starts a
new one (with its measures, begun on the 纳入日期). A 最近回访日期 later than the last
review recorded is recorded as a review with the row's income; 风险已消除 needs that date
(the review that removed the risk; the 备注 or "台账导入" is its note). A household whose
risk was already removed, on the same 纳入日期, is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.utils.translation import gettext as _

from grassroots.common.importing import Column
from grassroots.common.workbooks import TemplateColumn, import_template
from grassroots.registers.actions import poverty as actions
from grassroots.registers.importing.ledger import ImportSummary
from grassroots.registers.importing.windows import (
    RegisterSheet,
    SheetRow,
    chinese,
    label_words,
    run_import,
    word,
)
from grassroots.registers.models import MonitoredHousehold
from grassroots.registers.states import AssistanceKind, MonitorKind, MonitorStatus, Risk
from grassroots.residents.models import Household

if TYPE_CHECKING:
    from grassroots.org.models import User

COLUMNS: Final = (
    Column("household", ("户号", "户编号"), required=True),
    Column("village", ("村(社区)编码", "村编码", "社区编码", "单位编码"), required=True),
    Column("kind", ("监测类型", "监测对象类型", "户类型"), required=True),
    Column("risks", ("风险类型(顿号分隔)", "风险类型", "致贫返贫风险"), required=True),
    Column("since", ("纳入日期", "纳入监测日期", "识别日期"), required=True),
    Column("members", ("家庭人口", "家庭人口数", "人口数"), required=True),
    Column("income", ("人均纯收入(元)", "人均纯收入", "家庭人均纯收入"), required=True),
    Column("status", ("状态", "风险状态")),
    Column("reviewed_on", ("最近回访日期", "回访日期")),
    Column("assistance", ("帮扶措施",)),
    Column("note", ("备注",)),
)
HEADERS: Final = [c.headers[0] for c in COLUMNS]
_SPLIT: Final = re.compile(r"[、,，;；/\s]+")
RISK_SYNONYMS: Final = {
    "病": Risk.ILLNESS,
    "残": Risk.DISABILITY,
    "学": Risk.SCHOOLING,
    "灾": Risk.DISASTER,
    "因意外": Risk.ACCIDENT,
    "意外事故": Risk.ACCIDENT,
    "因务工就业不稳": Risk.JOBS,
    "因产业项目失败": Risk.INDUSTRY,
    "因缺劳动力": Risk.LABOUR,
}
STATUS_SYNONYMS: Final = {
    "监测": MonitorStatus.MONITORING,
    "未消除": MonitorStatus.MONITORING,
    "风险未消除": MonitorStatus.MONITORING,
    "已消除": MonitorStatus.REMOVED,
    "消除": MonitorStatus.REMOVED,
}
KIND_SYNONYMS: Final = {
    "脱贫不稳定": MonitorKind.UNSTABLE,
    "边缘易致贫": MonitorKind.EDGE,
    "突发严重困难": MonitorKind.SUDDEN,
}
IMPORT_NOTE: Final = "台账导入"


class MonitorSheet(RegisterSheet):
    audit_action = "registers.monitored.imported"
    columns = COLUMNS
    field_columns = {
        "household": "household",
        "unit": "village",
        "kind": "kind",
        "risks": "risks",
        "since": "since",
        "members": "members",
        "income_per_capita": "income",
        "reviewed_on": "reviewed_on",
        "note": "note",
        "risk_removed": "status",
        "status": "status",
        "started_on": "since",
        "description": "assistance",
    }

    def __init__(self, header: list[str], actor: User, today: Any) -> None:
        super().__init__(header, actor, today)
        self.seen: dict[tuple[str, str], int] = {}
        self.households: dict[tuple[str, str], Household] = {}
        self.open: dict[int, MonitoredHousehold] = {}
        self.removed: set[tuple[int, Any]] = set()
        self.kinds = label_words(MonitorKind, KIND_SYNONYMS)
        self.risk_words = label_words(Risk, RISK_SYNONYMS)
        self.status_words = label_words(MonitorStatus, STATUS_SYNONYMS)
        self.assistance_words = label_words(AssistanceKind)

    def parse(self, row: SheetRow, values: list[Any]) -> None:
        data = row.data
        number = self.required(row, values, "household", 32)
        village = self.required(row, values, "village", 32)
        data["key"] = (village, number)
        if number and village:
            if data["key"] in self.seen:
                self.error(
                    row.line,
                    self.column("household"),
                    _("The household %(number)s is also on line %(line)d.")
                    % {"number": number, "line": self.seen[data["key"]]},
                )
            self.seen.setdefault(data["key"], row.line)
        data["kind"] = self.choice_cell(
            row, values, "kind", self.kinds, "脱贫不稳定户、边缘易致贫户、突发严重困难户"
        )
        if data["kind"] is None and not self.text(values, "kind", row.line, 32):
            self.error(row.line, self.column("kind"), _("Required."))
        data["risks"] = self._risks(row, values)
        data["since"] = self.date_cell(row, values, "since")
        if data["since"] is None and not self.text(values, "since", row.line, 32):
            self.error(row.line, self.column("since"), _("Required."))
        data["members"] = self.required(row, values, "members", 8)
        data["income_per_capita"] = self.required(row, values, "income", 24)
        data["status"] = (
            self.choice_cell(row, values, "status", self.status_words, "监测中、风险已消除")
            or MonitorStatus.MONITORING
        )
        data["reviewed_on"] = self.date_cell(row, values, "reviewed_on")
        if data["status"] == MonitorStatus.REMOVED and data["reviewed_on"] is None:
            self.error(
                row.line,
                self.column("reviewed_on"),
                _("A household whose risk was removed needs the day of that review."),
            )
        data["assistance"] = self._assistance(self.text(values, "assistance", row.line, 255))
        data["note"] = self.text(values, "note", row.line, actions.NOTE_MAX)

    def _risks(self, row: SheetRow, values: list[Any]) -> list[str]:
        text = self.required(row, values, "risks", 100)
        risks: list[str] = []
        for part in filter(None, _SPLIT.split(text)):
            risk = self.risk_words.get(word(part))
            if risk is None:
                self.error(
                    row.line,
                    self.column("risks"),
                    _("Unknown risk %(value)s (因病、因残、因学、因灾 …).") % {"value": part},
                )
            else:
                risks.append(risk)
        return risks

    def _assistance(self, text: str) -> list[tuple[str, str]]:
        measures = []
        for part in filter(None, re.split(r"[、;；\n]+", text)):
            part = part.strip()
            kind = self.assistance_words.get(word(part), AssistanceKind.OTHER)
            measures.append((kind, part))
        return measures

    def prepare(self) -> None:
        villages = self.units_by_code(r.data["key"][0] for r in self.rows if "key" in r.data)
        numbers = {r.data["key"][1] for r in self.rows if "key" in r.data}
        wanted = [u.pk for u in villages.values()]
        found = Household.objects.filter(village_id__in=wanted, number__in=sorted(numbers))
        by_key = {(h.village_id, h.number): h for h in found.select_related("village")}
        for row in self.rows:
            code, number = row.data.get("key", ("", ""))
            if not code or not number:
                continue
            village = villages.get(code)
            if village is None:
                self.error(
                    row.line,
                    self.column("village"),
                    _("No unit has the code %(code)s.") % {"code": code},
                )
                continue
            household = by_key.get((village.pk, number))
            if household is None:
                self.error(
                    row.line,
                    self.column("household"),
                    _(
                        "No household %(number)s in %(village)s "
                        "(register it in the grid basics first)."
                    )
                    % {"number": number, "village": village.name},
                )
                continue
            self.households[row.data["key"]] = household
            self.paths.append(village.path)
        ids = [h.pk for h in self.households.values()]
        for monitored in MonitoredHousehold.objects.filter(household_id__in=ids).select_related(
            "household"
        ):
            if monitored.status == MonitorStatus.MONITORING:
                self.open[monitored.household_id] = monitored
            else:
                self.removed.add((monitored.household_id, monitored.since))

    def apply(self, row: SheetRow) -> str:
        data = row.data
        household = self.households[data["key"]]
        fields = {
            "kind": data["kind"],
            "risks": data["risks"],
            "since": data["since"],
            "members": data["members"],
            "income_per_capita": data["income_per_capita"],
            "note": data["note"],
        }
        monitored = self.open.get(household.pk)
        outcome = "updated"
        if monitored is None:
            if (household.pk, data["since"]) in self.removed:
                return "unchanged"
            monitored = actions.put_under_monitoring(
                actor=self.actor, household=household, **fields
            )
            for kind, description in data["assistance"]:
                actions.add_assistance(
                    monitored.pk,
                    actor=self.actor,
                    kind=kind,
                    started_on=data["since"],
                    description=description,
                )
            outcome = "created"
        else:
            before = actions.snapshot(monitored)
            monitored = actions.update_monitoring(monitored.pk, actor=self.actor, **fields)
            if actions.snapshot(monitored) == before:
                outcome = "unchanged"
        last = monitored.last_reviewed_on
        day = data["reviewed_on"]
        removed = data["status"] == MonitorStatus.REMOVED
        if day is not None and (last is None or day > last or (removed and day == last)):
            actions.record_review(
                monitored.pk,
                actor=self.actor,
                reviewed_on=day,
                income_per_capita=data["income_per_capita"],
                risk_removed=removed,
                note=data["note"] or IMPORT_NOTE,
            )
            outcome = "created" if outcome == "created" else "updated"
        return outcome


def import_monitoring(
    source: Path | str | IO[bytes], *, actor: User, dry_run: bool = False
) -> ImportSummary:
    """Import a 防返贫监测 ledger (see the module docstring)."""
    return run_import(
        source, MonitorSheet, actor=actor, dry_run=dry_run, default_name="防返贫监测.xlsx"
    )


def _amount(value: Any) -> Decimal | str:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def monitor_rows(monitorings: Iterable[MonitoredHousehold]) -> Iterable[list[Any]]:
    """The export's rows, in the import's columns (no names: the household number only).
    The monitorings come with their assistance prefetched."""
    for m in monitorings:
        yield [
            m.household.number,
            m.unit.code,
            chinese(MonitorKind, m.kind),
            "、".join(chinese(Risk, r) for r in m.risks),
            m.since,
            m.members,
            _amount(m.income_per_capita),
            chinese(MonitorStatus, m.status),
            m.last_reviewed_on,
            "、".join(a.description for a in m.assistance.all()),
            m.note,
        ]


def monitor_template() -> bytes:
    """The empty 防返贫监测 ledger: headers, one example row, and the notes."""
    columns = [
        TemplateColumn("户号*", 14, "H00012", text=True),
        TemplateColumn("村(社区)编码*", 16, "513401101201", text=True),
        TemplateColumn("监测类型*", 16, "边缘易致贫户"),
        TemplateColumn("风险类型(顿号分隔)*", 20, "因病、缺劳动力"),
        TemplateColumn("纳入日期*", 12, "2025-03-15", text=True),
        TemplateColumn("家庭人口*", 10, "4", text=True),
        TemplateColumn("人均纯收入(元)*", 14, Decimal("8600")),
        TemplateColumn("状态", 12, "监测中"),
        TemplateColumn("最近回访日期", 14, "2025-06-10", text=True),
        TemplateColumn("帮扶措施", 24, "健康帮扶、就业帮扶"),
        TemplateColumn("备注", 24, ""),
    ]
    notes = [
        ("列", "填写说明"),
        ("户号 / 村(社区)编码", "必填; 该户须已在网格基础信息中登记。已在监测中的户将更新其信息。"),
        ("监测类型", "脱贫不稳定户、边缘易致贫户或突发严重困难户。"),
        (
            "风险类型",
            "一项或多项, 用顿号分隔: 因病、因残、因学、因灾、因意外事故、缺劳动力、"
            "务工就业不稳、产业项目失败、其他。",
        ),
        ("纳入日期", "如 2025-03-15, 不晚于今天。"),
        ("家庭人口 / 人均纯收入(元)", "家庭人口 1 至 99; 收入不小于 0, 最多两位小数。"),
        ("状态", "监测中或风险已消除; 风险已消除须填写最近回访日期(即消除风险的那次回访)。"),
        ("最近回访日期", "晚于系统中最近一次回访的日期将记为一次回访。"),
        ("帮扶措施", "新纳入的户按顿号分隔记录, 如 产业帮扶、就业帮扶。"),
    ]
    return import_template("防返贫监测户", columns, notes)
