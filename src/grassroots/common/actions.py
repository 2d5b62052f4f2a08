"""Writes of the common app: importing a year of the official calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q

from grassroots.common.calendar_io import CalendarImportError, CalendarRow, check_rows
from grassroots.common.models import CalendarDay, CalendarDayKind, CalendarYear, calendar_changed

if TYPE_CHECKING:
    from grassroots.org.models import User


@dataclass(frozen=True)
class CalendarImport:
    """What ``import_calendar_year`` did."""

    year: int
    holidays: int
    workdays: int
    replaced: int
    complete: bool


def _days_of(queryset: Any) -> list[dict[str, str]]:
    return [
        {"date": day.isoformat(), "kind": kind, "name": name}
        for day, kind, name in queryset.values_list("date", "kind", "name")
    ]


@transaction.atomic
def import_calendar_year(
    rows: Sequence[CalendarRow],
    *,
    year: int,
    complete: bool,
    actor: User | None,
    source: str,
    published: dt.date | None = None,
) -> CalendarImport:
    """Replace the calendar days of the notice of ``year`` with ``rows``, all or nothing.

    The days replaced are those recorded for the notice of ``year`` and any other day at
    a date the rows give (a later notice overrides an earlier one at the same date), so
    importing the same rows twice leaves the same table. The ``CalendarYear`` row of
    ``year`` is created or updated with ``complete``, ``source`` and ``published`` (an
    import without ``complete`` marks the year incomplete). Writes one audit entry
    ``common.calendar.imported`` with the days before and after.

    Raises ``CalendarImportError`` (nothing written) when a row does not belong to the
    notice of ``year``, a make-up workday is a weekday, a date is given twice, or there
    are no rows.
    """
    from grassroots.audit.actions import record

    errors = check_rows(rows, year=year)
    if errors:
        raise CalendarImportError(errors)
    # First write of the transaction: the revision row's lock makes two imports queue
    # instead of colliding on the unique dates.
    calendar_changed()
    replaced_qs = CalendarDay.objects.filter(
        Q(notice_year=year) | Q(date__in=[row.date for row in rows])
    )
    previous = CalendarYear.objects.filter(year=year).first()
    before: dict[str, Any] = {
        "year": year,
        "complete": previous.complete if previous else None,
        "source": previous.source if previous else None,
        "days": _days_of(replaced_qs),
    }
    replaced, _by_model = replaced_qs.delete()
    CalendarDay.objects.bulk_create(
        [
            CalendarDay(
                date=row.date,
                kind=row.kind,
                name=row.name,
                note=row.note,
                notice_year=year,
            )
            for row in sorted(rows, key=lambda r: r.date)
        ]
    )
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={"complete": complete, "source": source[:200], "published": published},
    )
    calendar_changed()
    holidays = sum(1 for row in rows if row.kind == CalendarDayKind.HOLIDAY)
    record(
        "common.calendar.imported",
        calendar_year,
        actor=actor,
        before=before,
        after={
            "year": year,
            "complete": complete,
            "source": calendar_year.source,
            "published": published,
            "days": _days_of(CalendarDay.objects.filter(notice_year=year)),
        },
    )
    return CalendarImport(
        year=year,
        holidays=holidays,
        workdays=len(rows) - holidays,
        replaced=replaced,
        complete=complete,
    )


def _calendar_fields(obj: CalendarDay | CalendarYear) -> dict[str, Any]:
    names = (
        "date",
        "kind",
        "name",
        "notice_year",
        "note",
        "year",
        "complete",
        "source",
        "published",
    )
    return {n: getattr(obj, n) for n in names if hasattr(obj, n)}


@transaction.atomic
def save_calendar_entry(obj: CalendarDay | CalendarYear, *, actor: User) -> None:
    """Save a day or a year of the official calendar edited by hand (the admin).

    Only a role granted ``common.manage_calendar`` (the city office) may; the previous
    values are locked and kept in the audit entry. The model's signals give the calendar a
    new revision, so every process sees the edit.
    """
    from grassroots.audit.actions import record
    from grassroots.org.permissions import require

    require(actor, "common.manage_calendar")
    model = type(obj)
    before = None
    if obj.pk is not None:
        current = model.objects.select_for_update().filter(pk=obj.pk).first()
        before = _calendar_fields(current) if current is not None else None
    obj.save()
    verb = "created" if before is None else "changed"
    record(
        f"common.{model._meta.model_name}.{verb}",
        obj,
        actor=actor,
        before=before,
        after=_calendar_fields(obj),
    )


@transaction.atomic
def delete_calendar_entry(obj: CalendarDay | CalendarYear, *, actor: User) -> None:
    """Delete a day or a year of the official calendar (the admin), with an audit entry."""
    from grassroots.audit.actions import record
    from grassroots.org.permissions import require

    require(actor, "common.manage_calendar")
    model = type(obj)
    locked = model.objects.select_for_update().filter(pk=obj.pk).first()
    if locked is None:
        return
    record(
        f"common.{model._meta.model_name}.deleted",
        locked,
        actor=actor,
        before=_calendar_fields(locked),
    )
    locked.delete()
