"""Writing a checked task sheet through the supervision actions, in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from grassroots.common.tabular import (
    RowError,
)
from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.models import Task

if TYPE_CHECKING:
    from grassroots.org.divisions import ProgressCallback
    from grassroots.org.models import User

from grassroots.supervision.importing.checking import _Checker
from grassroots.supervision.importing.columns import ImportSummary, Row, TaskImportError

# --- writing -----------------------------------------------------------------------------


class _Writer:
    """Writes checked trees through the actions."""

    def __init__(
        self,
        actor: User,
        note: str,
        checker: _Checker,
        summary: ImportSummary,
        progress: ProgressCallback | None,
        phase: str,
        total: int,
    ) -> None:
        self.actor = actor
        self.note = note
        self.checker = checker
        self.summary = summary
        self.progress = progress
        self.phase = phase
        self.total = total

    def tick(self, count: int) -> None:
        self.summary.tasks += count
        if self.progress is not None:
            self.progress(self.phase, self.summary.tasks, self.total)

    def root(self, row: Row) -> Task:
        from grassroots.supervision.actions import create_task

        assert row.unit is not None and row.deadline is not None  # noqa: S101 - checked
        task: Task = self._act(
            row,
            create_task,
            actor=self.actor,
            title=row.title,
            kind=row.kind,
            unit=row.unit,
            deadline=row.deadline,
            start_date=row.start_date,
            doc_number=row.doc_number,
            description=row.description,
            level=row.level,
            target_value=row.target_value,
            target_measure=row.target_measure,
            co_units=row.co_units,
            milestones=row.milestones,
            budget=row.budget,
            location=row.location,
            beneficiaries=row.beneficiaries,
            note=self.note,
        )
        self.summary.roots += 1
        self.summary.root_ids.append(task.pk)
        self.summary.by_kind[row.kind] += 1
        self.tick(1)
        self.children(row, task)
        return task

    def children(self, row: Row, task: Task) -> None:
        from grassroots.supervision.actions import cascade_task

        by_deadline: dict[dt.date, list[Row]] = {}
        for item in row.children:
            assert item.deadline is not None  # noqa: S101 - checked
            by_deadline.setdefault(item.deadline, []).append(item)
        made: list[tuple[Row, Task]] = []
        for deadline, rows in by_deadline.items():
            if task.target_value is not None:
                created = self._act(
                    rows[0],
                    cascade_task,
                    task.pk,
                    actor=self.actor,
                    shares={r.unit: r.target_value for r in rows},
                    deadline=deadline,
                    note=self.note,
                )
            else:
                created = self._act(
                    rows[0],
                    cascade_task,
                    task.pk,
                    actor=self.actor,
                    units=[r.unit for r in rows],
                    deadline=deadline,
                    note=self.note,
                )
            by_unit = {t.unit_id: t for t in created}
            made += [(r, by_unit[r.unit.pk]) for r in rows if r.unit is not None]
            self.tick(len(created))
        for child_row, child in made:
            self.details(child_row, child)
            self.children(child_row, child)

    def details(self, row: Row, task: Task) -> None:
        """What the cascade did not give the sub-task: other name, document number,
        level or description, co-units, livelihood details, milestones."""
        from grassroots.supervision.actions import add_milestone, update_task

        changes: dict[str, Any] = {}
        for name in ("title", "doc_number", "description", "level"):
            if getattr(row, name) != getattr(task, name):
                changes[name] = getattr(row, name)
        if row.co_units:
            changes["co_units"] = row.co_units
        for name in ("budget", "location", "beneficiaries"):
            value = getattr(row, name)
            if value not in (None, ""):
                changes[name] = value
        if changes:
            self._act(row, update_task, task.pk, actor=self.actor, changes=changes, note=self.note)
        for title, day in row.milestones:
            self._act(row, add_milestone, task.pk, actor=self.actor, title=title, due_date=day)

    def _act(self, row: Row, action: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return action(*args, **kwargs)
        except SupervisionError as exc:
            column = self.checker.column(_FIELD_COLUMNS.get(exc.field or "", "unit"))
            raise TaskImportError([RowError(row.line, column, str(exc))]) from exc
        except PermissionDenied as exc:
            raise TaskImportError(
                [RowError(row.line, self.checker.column("unit"), str(exc) or _("Not allowed."))]
            ) from exc


#: The column an action's error field is reported under.
_FIELD_COLUMNS: Final = {
    "title": "title",
    "doc_number": "doc_number",
    "kind": "kind",
    "level": "level",
    "unit": "unit",
    "issuer": "unit",
    "co_units": "co_units",
    "start_date": "start_date",
    "deadline": "deadline",
    "target_value": "target_value",
    "target_measure": "target_measure",
    "shares": "target_value",
    "units": "unit",
    "milestones": "milestones",
    "due_date": "milestones",
    "budget": "budget",
    "location": "location",
    "beneficiaries": "beneficiaries",
    "description": "description",
}
