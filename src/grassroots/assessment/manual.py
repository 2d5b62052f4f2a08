"""The values of the indicators that people supply: rating forms and manual entries.

A rating indicator's value for a unit is the mean of the scores (0–100) that the counted
sheets of its closed form gave the unit (a sheet counts when submitted unflagged, or
flagged and justified; the office may exclude a sheet with a reason). A manual-entry
indicator's value is the figure the office entered for the unit and period, with its
evidence. Both say in the explanation where the value came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count

from grassroots.assessment.models import (
    COUNTED_SHEETS,
    FormState,
    Indicator,
    ManualEntry,
    Rating,
    RatingForm,
    Source,
)
from grassroots.assessment.pipeline import ValueIn

Q2 = Decimal("0.01")


def manual_values(
    indicators: Sequence[Indicator], period: str, unit_ids: Sequence[int]
) -> tuple[dict[int, dict[int, ValueIn]], list[str]]:
    """``{indicator id: {unit id: value}}`` for the manual indicators, and notes for the run
    (a form still open, or none sent, leaves its indicator without data)."""
    values: dict[int, dict[int, ValueIn]] = {}
    notes: list[str] = []
    wanted = set(unit_ids)
    rated = [i for i in indicators if i.source == Source.MANUAL]
    entered = [i for i in indicators if i.source == Source.ENTRY]
    if rated:
        forms = {
            f.indicator_id: f for f in RatingForm.objects.filter(indicator__in=rated, period=period)
        }
        closed = [f.pk for f in forms.values() if f.state == FormState.CLOSED]
        rows = (
            Rating.objects.filter(sheet__form__in=closed, sheet__state__in=COUNTED_SHEETS)
            .values("sheet__form__indicator_id", "unit_id")
            .annotate(mean=Avg("score"), sheets=Count("sheet_id"))
            .order_by()
        )
        for row in rows:
            if row["unit_id"] not in wanted:
                continue
            ind_id = row["sheet__form__indicator_id"]
            mean = Decimal(str(row["mean"])).quantize(Q2, rounding=ROUND_HALF_UP)
            values.setdefault(ind_id, {})[row["unit_id"]] = ValueIn(
                mean,
                extra={"ratings": {"form": forms[ind_id].pk, "sheets": row["sheets"]}},
            )
        for ind in rated:
            form = forms.get(ind.pk)
            if form is None:
                notes.append(f"no_rating_form:{ind.code}")
            elif form.state != FormState.CLOSED:
                notes.append(f"rating_form_open:{ind.code}")
            values.setdefault(ind.pk, {})
    if entered:
        for entry in ManualEntry.objects.filter(indicator__in=entered, period=period):
            if entry.unit_id not in wanted:
                continue
            values.setdefault(entry.indicator_id, {})[entry.unit_id] = ValueIn(
                entry.value,
                extra={"entry": {"id": entry.pk, "evidence": bool(entry.evidence)}},
            )
        for ind in entered:
            values.setdefault(ind.pk, {})
    return values, notes
