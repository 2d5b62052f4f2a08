"""Manual entries (one figure per unit, indicator and period, with its evidence): entered by
the city office one by one (``enter_value``) or from a spreadsheet (``import_entries``:
all or nothing, every problem by line, every row through ``enter_value`` so that each gets
its audit entry).

The spreadsheet (first sheet of an .xlsx, or a CSV in UTF-8 or GB18030) has the columns
``单位代码`` (the unit's code), ``指标代码`` (the indicator's code in the scheme), ``期间``
(``2026-10``, ``2026-Q3`` or ``2026``; an Excel date counts as its month), ``数值`` and, optionally,
``依据`` (the basis, a text).
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from grassroots.assessment.actions.ratings import check_period
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.evidence import check_evidence
from grassroots.assessment.models import Indicator, ManualEntry, Scheme, Source
from grassroots.assessment.permissions import MANAGE
from grassroots.common.importing import as_path
from grassroots.common.tabular import (
    FileUnreadable,
    ImportRefused,
    RowError,
    cell_text,
    normalise_header,
    open_table,
)
from grassroots.org.models import Unit
from grassroots.org.permissions import require
from grassroots.org.queries import SEP

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from grassroots.org.models import User

NOTE_MAX = 2000
#: ``ManualEntry.value``: 20 digits, 6 of them decimals.
VALUE_PLACES = 6
VALUE_INTEGER_DIGITS = 14
#: The columns of the import, by key: the header the template uses first.
COLUMNS: Final = {
    "unit": ("单位代码", "单位编码"),
    "indicator": ("指标代码", "指标编码"),
    "period": ("期间", "考核期间"),
    "value": ("数值", "值"),
    "note": ("依据", "说明", "备注"),
}
REQUIRED: Final = ("unit", "indicator", "period", "value")
#: An import larger than this is refused (entries are a few per unit and period).
MAX_ROWS = 20000


def check_value(value: object, *, field_name: str = "value") -> Decimal:
    """A finite number with at most 14 integer digits and 6 decimals (field ``value``)."""
    if isinstance(value, bool):
        value = None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise AssessmentError(_("Enter a number."), field=field_name, code="invalid")
    places = max(0, -int(number.as_tuple().exponent))
    if places > VALUE_PLACES:
        raise AssessmentError(
            _("At most %(n)d decimal places.") % {"n": VALUE_PLACES}, field=field_name
        )
    if number != 0 and number.adjusted() >= VALUE_INTEGER_DIGITS:
        raise AssessmentError(_("The number is too large."), field=field_name)
    return number


def in_scope(scheme: Scheme, unit: Unit) -> bool:
    """Whether the scheme assesses the unit (active, of its level, below its root)."""
    return (
        unit.active
        and unit.kind in scheme.unit_kinds
        and unit.path.startswith(scheme.root.path + SEP)
    )


def _entry_state(entry: ManualEntry) -> dict[str, Any]:
    return {
        "value": str(entry.value),
        "note": entry.note,
        "evidence": entry.evidence.name if entry.evidence else "",
    }


@transaction.atomic
def enter_value(
    indicator: Indicator,
    unit: Unit,
    period: str,
    value: Decimal,
    *,
    note: str,
    evidence: UploadedFile | None,
    actor: User,
) -> ManualEntry:
    """Enter (or correct) the figure of a manual-entry indicator for one unit and period,
    with its basis and, optionally, an evidence file (PDF, JPEG, PNG, .xlsx or .docx, at
    most 10 MB; a correction without a file keeps the earlier one). Needs
    ``assessment.manage`` over the unit, which the indicator's scheme must assess."""
    require(actor, MANAGE, unit)
    locked = (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("scheme__root")
        .filter(pk=indicator.pk)
        .first()
    )
    if locked is None or locked.source != Source.ENTRY:
        raise AssessmentError(
            _("Choose an indicator whose figures are entered by the office."), field="indicator"
        )
    scheme = locked.scheme
    if not in_scope(scheme, unit):
        raise AssessmentError(
            _("%(unit)s is not assessed by the scheme %(scheme)s.")
            % {"unit": unit.name, "scheme": scheme.name},
            field="unit",
        )
    label = check_period(scheme, period)
    number = check_value(value)
    text = (note or "").strip()
    if "\x00" in text:
        raise AssessmentError(_("Null characters are not allowed."), field="note")
    if len(text) > NOTE_MAX:
        raise AssessmentError(_("At most %(n)d characters.") % {"n": NOTE_MAX}, field="note")
    checked = check_evidence(evidence) if evidence is not None else None
    entry = (
        ManualEntry.objects.select_for_update(of=("self",))
        .filter(indicator=locked, unit=unit, period=label)
        .first()
    )
    before = None if entry is None else _entry_state(entry)
    if entry is None:
        entry = ManualEntry(indicator=locked, unit=unit, period=label)
    entry.value = number
    entry.note = text
    entry.entered_by = actor
    if checked is not None:
        entry.evidence.save(checked.name, checked.as_file(), save=False)
    entry.save()
    entry.refresh_from_db(fields=["value"])
    from grassroots.audit.actions import record

    record(
        "assessment.entry.entered",
        entry,
        actor=actor,
        before=before,
        after={**_entry_state(entry), "indicator": locked.code, "period": label},
        unit=unit,
    )
    return entry


# --- the spreadsheet import --------------------------------------------------------------


@dataclass(slots=True)
class EntryImport:
    """What an import did: rows written, of which new and corrected."""

    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    unit_code: str
    indicator_code: str
    period: str
    value: str
    note: str


#: The attribute of ``_Row`` holding each column.
ROW_FIELDS: Final = {
    "unit": "unit_code",
    "indicator": "indicator_code",
    "period": "period",
    "value": "value",
    "note": "note",
}


def _period_cell(value: Any) -> str:
    """``2026-10`` typed into Excel becomes a date: read it back as its month."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    return cell_text(value)


def _read(source: Path | str | IO[bytes]) -> tuple[str, list[_Row], list[str]]:
    with ExitStack() as stack:
        path, name = as_path(source, stack, "entries.xlsx")
        try:
            table = open_table(path, stack)
        except FileUnreadable as exc:
            raise ImportRefused([RowError(0, name, str(exc))]) from None
        at: dict[str, int] = {}
        headers = [normalise_header(h) for h in table.header]
        for key, names in COLUMNS.items():
            for candidate in names:
                if candidate in headers:
                    at[key] = headers.index(candidate)
                    break
        missing = [COLUMNS[k][0] for k in REQUIRED if k not in at]
        ignored = [h for i, h in enumerate(table.header) if h and i not in at.values()]
        rows: list[_Row] = []
        count = 0
        # every row is read even when the file is refused: a workbook read in part keeps
        # its file open
        try:
            for line, values, _found in table.rows:
                count += 1
                if missing or count > MAX_ROWS:
                    continue

                def get(key: str, values: list[Any] = values) -> Any:
                    return values[at[key]] if key in at else ""

                rows.append(
                    _Row(
                        line=line,
                        unit_code=cell_text(get("unit")),
                        indicator_code=cell_text(get("indicator")),
                        period=_period_cell(get("period")),
                        value=cell_text(get("value")),
                        note=cell_text(get("note")),
                    )
                )
        except FileUnreadable as exc:
            raise ImportRefused([RowError(0, name, str(exc))]) from None
    if missing:
        raise ImportRefused([RowError(1, col, _("This column is missing.")) for col in missing])
    if count > MAX_ROWS:
        raise ImportRefused([RowError(0, name, _("At most %(n)d rows.") % {"n": MAX_ROWS})])
    return name, rows, ignored


def import_entries(scheme: Scheme, source: Path | str | IO[bytes], *, actor: User) -> EntryImport:
    """Import the manual entries of a spreadsheet into ``scheme``, all or nothing.

    Every row is checked (unit and indicator known, period, number, no row twice) and then
    written through :func:`enter_value` in one transaction; any problem, found by the check
    or refused by the action (scope, an indicator not entered by hand), rolls the whole
    file back and raises ``ImportRefused`` listing every problem by line and column."""
    require(actor, MANAGE, scheme.root)
    name, rows, ignored = _read(source)
    summary = EntryImport(file=name, ignored_columns=ignored)
    head = {key: names[0] for key, names in COLUMNS.items()}
    errors: list[RowError] = []
    if not rows:
        raise ImportRefused([RowError(2, "", _("The file has no rows."))])
    # a NUL character cannot be stored, nor even looked up, in PostgreSQL: refuse its cell
    nul = [
        RowError(row.line, head[key], _("Null characters are not allowed."))
        for row in rows
        for key, attr in ROW_FIELDS.items()
        if "\x00" in getattr(row, attr)
    ]
    if nul:
        raise ImportRefused(nul)
    units = {
        u.code: u
        for u in Unit.objects.filter(code__in={r.unit_code for r in rows}).defer("geometry")
    }
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(scheme=scheme, code__in={r.indicator_code for r in rows})
    }
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if not row.unit_code:
            errors.append(RowError(row.line, head["unit"], _("This field is required.")))
        elif row.unit_code not in units:
            errors.append(RowError(row.line, head["unit"], _("No unit has this code.")))
        if not row.indicator_code:
            errors.append(RowError(row.line, head["indicator"], _("This field is required.")))
        elif row.indicator_code not in indicators:
            errors.append(
                RowError(
                    row.line, head["indicator"], _("The scheme has no indicator of this code.")
                )
            )
        try:
            label = check_period(scheme, row.period)
        except AssessmentError as exc:
            errors.append(RowError(row.line, head["period"], exc.message))
            label = row.period
        try:
            check_value(row.value)
        except AssessmentError as exc:
            errors.append(RowError(row.line, head["value"], exc.message))
        if len(row.note) > NOTE_MAX:
            errors.append(
                RowError(row.line, head["note"], _("At most %(n)d characters.") % {"n": NOTE_MAX})
            )
        key = (row.unit_code, row.indicator_code, label)
        if key in seen:
            errors.append(
                RowError(
                    row.line,
                    head["unit"],
                    _("The same unit, indicator and period as line %(line)d.")
                    % {"line": seen[key]},
                )
            )
        else:
            seen[key] = row.line
    if errors:
        raise ImportRefused(errors)
    column_of = {"unit": head["unit"], "indicator": head["indicator"], "period": head["period"]}
    column_of |= {"value": head["value"], "note": head["note"]}
    with transaction.atomic():
        for row in rows:
            unit, indicator = units[row.unit_code], indicators[row.indicator_code]
            try:
                with transaction.atomic():
                    before = ManualEntry.objects.filter(
                        indicator=indicator, unit=unit, period=check_period(scheme, row.period)
                    ).exists()
                    enter_value(
                        indicator,
                        unit,
                        row.period,
                        Decimal(row.value),
                        note=row.note,
                        evidence=None,
                        actor=actor,
                    )
            except AssessmentError as exc:
                column = column_of.get(exc.field or "", head["unit"])
                errors.append(RowError(row.line, column, exc.message))
                continue
            except PermissionDenied:
                errors.append(
                    RowError(row.line, head["unit"], _("You may not enter figures for this unit."))
                )
                continue
            summary.rows += 1
            if before:
                summary.updated += 1
            else:
                summary.created += 1
        if errors:
            raise ImportRefused(errors)
    return summary
