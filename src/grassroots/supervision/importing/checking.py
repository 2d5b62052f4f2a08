"""Checking a task sheet: every row, every problem by line and column, nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from grassroots.common.importing import SheetChecker
from grassroots.common.tabular import cell_text
from grassroots.org.models import Unit
from grassroots.supervision.models import Task, TaskKind, TaskLevel
from grassroots.supervision.permissions import DEPLOY

if TYPE_CHECKING:
    from grassroots.org.models import User

from grassroots.supervision.importing.columns import (
    _MILESTONE_SEPARATORS,
    _NOT_SPLIT_TO,
    _SEPARATORS,
    COLUMNS,
    HEADERS,
    KIND_NAMES,
    KIND_WORDS,
    LEVEL_WORDS,
    Row,
    _num,
    _Units,
    parse_date,
    parse_number,
)

# --- checking ----------------------------------------------------------------------------


class _Checker(SheetChecker):
    """Checks the whole file; collects every problem (``errors``)."""

    def __init__(self, header: list[str], actor: User | None, today: dt.date) -> None:
        super().__init__(header, COLUMNS, HEADERS)
        self.actor = actor
        self.today = today
        self.rows: list[Row] = []

    def date(self, values: list[Any], key: str, line: int) -> dt.date | None:
        raw = self.cell(values, key)
        if raw in ("", None):
            return None
        day = parse_date(raw)
        if day is None:
            self.error(
                line,
                self.column(key),
                _("Not a date: %(value)s (write it as 2026-12-31).") % {"value": cell_text(raw)},
            )
        return day

    def number(self, values: list[Any], key: str, line: int) -> Decimal | None:
        raw = self.cell(values, key)
        if cell_text(raw) == "":
            return None
        number = parse_number(raw)
        if isinstance(number, str):
            self.error(line, self.column(key), number)
            return None
        return number

    def read(self, line: int, values: list[Any], found: int) -> None:
        """Check one row's cells on their own; keep the row."""
        if found > len(values):
            self.error(line, "", _("The line has more fields than the header."))
        row = Row(
            line=line,
            number=self.text(values, "number", line, 32),
            parent=self.text(values, "parent", line, 32),
        )
        if not row.number:
            self.error(line, self.column("number"), _("Give the row a number."))
        row.title = self.text(values, "title", line, 200)
        row.doc_number = self.text(values, "doc_number", line, 64)
        row.description = self.text(values, "description", line, 20000)
        kind = self.text(values, "kind", line, 16)
        if kind:
            row.kind = KIND_WORDS.get(kind, "")
            if not row.kind:
                self.error(
                    line,
                    self.column("kind"),
                    _("Unknown type %(value)s (重点任务, 民生工程 or 专项行动).") % {"value": kind},
                )
        level = self.text(values, "level", line, 16)
        if level:
            row.level = LEVEL_WORDS.get(level, "")
            if not row.level:
                self.error(
                    line,
                    self.column("level"),
                    _("Unknown supervision level %(value)s (一般, 重点 or 挂牌督办).")
                    % {"value": level},
                )
        row.unit_text = self.text(values, "unit", line, 200)
        if not row.unit_text:
            self.error(line, self.column("unit"), _("Give the responsible unit."))
        co_units = self.text(values, "co_units", line, 2000)
        row.co_unit_texts = [t.strip() for t in _SEPARATORS.split(co_units) if t.strip()]
        row.start_date = self.date(values, "start_date", line)
        row.deadline = self.date(values, "deadline", line)
        if row.deadline is None and cell_text(self.cell(values, "deadline")) == "":
            self.error(line, self.column("deadline"), _("Give the deadline."))
        row.target_value = self.number(values, "target_value", line)
        row.target_measure = self.text(values, "target_measure", line, 16)
        row.budget = self.number(values, "budget", line)
        row.location = self.text(values, "location", line, 200)
        row.beneficiaries = self.text(values, "beneficiaries", line, 200)
        self._milestones(row, self.text(values, "milestones", line, 4000))
        self.rows.append(row)

    def _milestones(self, row: Row, text: str) -> None:
        for item in _MILESTONE_SEPARATORS.split(text):
            item = item.strip()
            if not item:
                continue
            title, _at, day_text = item.rpartition("@")
            if not _at:
                title, _at, day_text = item.rpartition("＠")
            day = parse_date(day_text.strip()) if _at else None
            if not title.strip() or day is None:
                self.error(
                    row.line,
                    self.column("milestones"),
                    _("Write a milestone as name@date, e.g. 完成立项@2026-03-31: %(value)s")
                    % {"value": item},
                )
                continue
            row.milestones.append((title.strip()[:200], day))

    # --- the whole file ----------------------------------------------------------------

    def link(self) -> list[Row]:
        """Join the rows into trees; the roots in file order (problems listed)."""
        by_number: dict[str, Row] = {}
        for row in self.rows:
            if not row.number:
                continue
            first = by_number.get(row.number)
            if first is not None:
                self.error(
                    row.line,
                    self.column("number"),
                    _("The number %(number)s is used on line %(line)d already.")
                    % {"number": row.number, "line": first.line},
                )
                continue
            by_number[row.number] = row
        roots: list[Row] = []
        for row in self.rows:
            if by_number.get(row.number) is not row:
                continue
            if not row.parent:
                roots.append(row)
                continue
            parent = by_number.get(row.parent)
            if parent is None or parent is row:
                self.error(
                    row.line,
                    self.column("parent"),
                    _("No row numbered %(number)s in the file.") % {"number": row.parent},
                )
                continue
            row.parent_row = parent
            parent.children.append(row)
        # Rows that are not below a root sit in a loop of parents.
        reached: set[int] = set()
        stack = list(roots)
        while stack:
            row = stack.pop()
            reached.add(row.line)
            stack.extend(row.children)
        for row in self.rows:
            if row.parent and row.parent_row is not None and row.line not in reached:
                self.error(
                    row.line,
                    self.column("parent"),
                    _("The parent numbers go round in a circle."),
                )
        return roots

    def check_tree(self, roots: list[Row], units: _Units) -> None:
        """Units, inheritance, dates and targets, parents before children."""
        existing = _existing_roots(roots)
        seen_roots: dict[tuple[str, str, int], int] = {}
        for root in roots:
            self._root(root, units)
            if root.unit is not None:
                key = (root.title, root.doc_number, root.unit.pk)
                if key in seen_roots:
                    self.error(
                        root.line,
                        self.column("title"),
                        _("The same task for the same unit is on line %(line)d already.")
                        % {"line": seen_roots[key]},
                    )
                seen_roots.setdefault(key, root.line)
                if key in existing:
                    self.error(
                        root.line,
                        self.column("title"),
                        _(
                            "This task (the same name and document number) was deployed to "
                            "%(unit)s already."
                        )
                        % {"unit": root.unit.name},
                    )
            stack = [root]
            while stack:
                row = stack.pop()
                self._common(row, units)
                self._children(row, units)
                stack.extend(reversed(row.children))

    def _root(self, row: Row, units: _Units) -> None:
        if not row.title:
            self.error(row.line, self.column("title"), _("Give the task's name."))
        if not row.kind:
            self.error(row.line, self.column("kind"), _("Give the type of the task."))
        row.level = row.level or TaskLevel.NORMAL
        row.start_date = row.start_date or self.today
        if row.unit_text:
            found = units.find(row.unit_text)
            if isinstance(found, str):
                self.error(row.line, self.column("unit"), found)
            else:
                row.unit = found
                self._issuer(row, found)

    def _issuer(self, row: Row, unit: Unit) -> None:
        from grassroots.supervision.actions._base import granting_unit_id

        actor = self.actor
        if actor is not None and actor.is_superuser:
            return
        if granting_unit_id(actor, DEPLOY, unit) is None:
            self.error(
                row.line,
                self.column("unit"),
                _("You may not deploy tasks to %(unit)s.") % {"unit": unit.name},
            )

    def _common(self, row: Row, units: _Units) -> None:
        """Checks of every row once its inherited values are known."""
        if row.unit is None:
            return
        for text in row.co_unit_texts:
            found = units.find(text)
            if isinstance(found, str):
                self.error(row.line, self.column("co_units"), found)
            elif found.pk == row.unit.pk:
                self.error(
                    row.line,
                    self.column("co_units"),
                    _("The responsible unit cannot also be a co-unit."),
                )
            elif found not in row.co_units:
                row.co_units.append(found)
        if row.start_date and row.deadline and row.deadline < row.start_date:
            self.error(
                row.line,
                self.column("deadline"),
                _("The deadline %(deadline)s is before the start date %(start)s.")
                % {"deadline": row.deadline.isoformat(), "start": row.start_date.isoformat()},
            )
        if row.start_date and row.deadline:
            for title, day in row.milestones:
                if not row.start_date <= day <= row.deadline:
                    self.error(
                        row.line,
                        self.column("milestones"),
                        _(
                            "The milestone %(title)s (%(date)s) is not between the start "
                            "date and the deadline."
                        )
                        % {"title": title, "date": day.isoformat()},
                    )
        if row.kind and row.kind != TaskKind.LIVELIHOOD:
            for key, value in (
                ("budget", row.budget),
                ("location", row.location),
                ("beneficiaries", row.beneficiaries),
            ):
                if value not in (None, ""):
                    self.error(
                        row.line,
                        self.column(key),
                        _("Budget, location and beneficiaries belong to livelihood projects."),
                    )

    def _children(self, parent: Row, units: _Units) -> None:
        if not parent.children:
            return
        taken: dict[int, int] = {}
        total = Decimal(0)
        for row in parent.children:
            self._inherit(row, parent)
            if parent.unit is None or not row.unit_text:
                continue
            found = units.find(row.unit_text, below=parent.unit)
            if isinstance(found, str):
                self.error(row.line, self.column("unit"), found)
                continue
            if found.parent_id != parent.unit.pk or found.kind in _NOT_SPLIT_TO:
                self.error(
                    row.line,
                    self.column("unit"),
                    _("%(unit)s is not directly below %(parent)s (the parent task's unit).")
                    % {"unit": found.name, "parent": parent.unit.name},
                )
                continue
            if found.pk in taken:
                self.error(
                    row.line,
                    self.column("unit"),
                    _("%(unit)s has a share of this task on line %(line)d already.")
                    % {"unit": found.name, "line": taken[found.pk]},
                )
                continue
            taken[found.pk] = row.line
            row.unit = found
            if row.target_value is not None:
                total += row.target_value
        if parent.target_value is not None and total > parent.target_value:
            self.error(
                parent.line,
                self.column("target_value"),
                _("The sub-tasks' targets add up to %(total)s, more than this target %(target)s.")
                % {"total": _num(total), "target": _num(parent.target_value)},
            )

    def _inherit(self, row: Row, parent: Row) -> None:
        """A sub-task takes what the cascade gives it; different values are problems
        where the cascade cannot honour them."""
        row.title = row.title or parent.title
        row.doc_number = row.doc_number or parent.doc_number
        row.description = row.description or parent.description
        row.level = row.level or parent.level
        for key, own, inherited in (
            ("kind", row.kind, parent.kind),
            ("target_measure", row.target_measure, parent.target_measure),
        ):
            if own and inherited and own != inherited:
                self.error(
                    row.line,
                    self.column(key),
                    _("A sub-task has its parent task's %(column)s (%(value)s).")
                    % {
                        "column": self.column(key),
                        "value": KIND_NAMES.get(TaskKind(inherited), inherited)
                        if key == "kind"
                        else inherited,
                    },
                )
        row.kind = parent.kind
        row.target_measure = parent.target_measure
        if row.start_date is not None and parent.start_date and row.start_date != parent.start_date:
            self.error(
                row.line,
                self.column("start_date"),
                _("A sub-task starts with its parent task (%(date)s).")
                % {"date": parent.start_date.isoformat()},
            )
        row.start_date = parent.start_date
        if row.deadline and parent.deadline and row.deadline > parent.deadline:
            self.error(
                row.line,
                self.column("deadline"),
                _("The deadline %(deadline)s is after the parent task's deadline %(parent)s.")
                % {"deadline": row.deadline.isoformat(), "parent": parent.deadline.isoformat()},
            )
        if parent.target_value is not None and row.target_value is None:
            self.error(
                row.line,
                self.column("target_value"),
                _("The parent task has a target: give this unit's share."),
            )
        if parent.target_value is None and row.target_value is not None:
            self.error(
                row.line,
                self.column("target_value"),
                _("The parent task has no target to split."),
            )


def _existing_roots(roots: Iterable[Row]) -> set[tuple[str, str, int]]:
    titles = {row.title for row in roots if row.title}
    if not titles:
        return set()
    return set(
        Task.objects.filter(parent__isnull=True, title__in=titles)
        .not_cancelled()
        .values_list("title", "doc_number", "unit_id")
    )
