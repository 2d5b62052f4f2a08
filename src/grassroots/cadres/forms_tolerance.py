"""The forms of the error-tolerance pages. They parse; the actions judge (ranges, states,
scope), and their errors come back on the field they name (``apply_error``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.cadres import checklist as cl
from grassroots.cadres.forms import date_field, set_choices
from grassroots.cadres.models import Cadre
from grassroots.cadres.queries_tolerance import (
    cadres_for_application,
    own_cadre,
    units_for_application,
    waivable_metrics,
)
from grassroots.cadres.states import ToleranceState
from grassroots.org.models import Unit

TEXT_MAX = 10000
#: The units and cadres listed in the application's choices (any in scope is accepted).
UNITS_SHOWN = 2000
CADRES_SHOWN = 2000
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$")


def text_field(label: Any, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def count_field(label: Any, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=32767,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class MonthField(forms.CharField):
    """A month typed as ``2026-10`` (a browser's month input): its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        if isinstance(value, dt.date):
            return value.replace(day=1)
        text = str(value or "").strip()
        if not text:
            return None
        match = _MONTH.match(text)
        if match is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."), code="invalid")
        year, month = int(match[1]), int(match[2])
        if not (1 <= month <= 12 and 1 <= year <= 9999):
            raise forms.ValidationError(_("Enter a month as YYYY-MM."), code="invalid")
        return dt.date(year, month, 1)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.strftime("%Y-%m")
        return value

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value: Any) -> None:
        return None


class LookupChoiceField(forms.ChoiceField):
    """A choice whose list shows only the first entries; any value passes here and the
    form's ``clean_<name>`` looks it up (in scope)."""

    def valid_value(self, value: Any) -> bool:
        return True


# --- the application -------------------------------------------------------------------------


class ApplyForm(forms.Form):
    """An application (容错申请): by a unit over the units it may apply for, or by the
    cadre themself (their own file and unit)."""

    unit = LookupChoiceField(label=_("Unit"))
    cadre = LookupChoiceField(
        label=_("Cadre"),
        required=False,
        help_text=_("Leave empty for a case of the unit itself."),
    )
    title = forms.CharField(label=_("The mistake"), max_length=200)
    facts = text_field(_("Facts"), rows=6)
    occurred_on = date_field(_("When it happened"))
    affected_month = MonthField(
        label=_("Assessment month concerned"),
        help_text=_("The month whose assessment deductions the mistake caused."),
    )
    metric = forms.ChoiceField(
        label=_("Assessment item concerned"),
        required=False,
        help_text=_("A deduction or veto indicator of this year's assessment schemes."),
    )
    items = forms.IntegerField(
        label=_("Items to waive"),
        required=False,
        min_value=0,
        max_value=9999,
        initial=0,
        help_text=_("How many of the item's counted cases the mistake caused."),
    )

    def __init__(self, *args: Any, user: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own = own_cadre(user)
        self.unit_qs = units_for_application(user)
        scoped = list(self.unit_qs[:UNITS_SHOWN])
        units = list(scoped)
        if self.own is not None and all(u.pk != self.own.unit_id for u in units):
            units.insert(0, self.own.unit)
        set_choices(
            self,
            "unit",
            [
                ("", "—"),
                *((str(u.pk), f"{u.name} ({u.code})") for u in units),
            ],
        )
        self.cadre_qs = cadres_for_application(user)
        cadres = list(self.cadre_qs[:CADRES_SHOWN])
        set_choices(
            self,
            "cadre",
            [
                ("", _("None: the unit's own case")),
                *((str(c.pk), f"{c.name} · {c.unit.name} · {c.post}") for c in cadres),
            ],
        )
        if self.own is not None and not scoped:  # the cadre applies for themself only
            self.fields["cadre"].required = True
            self.initial.setdefault("cadre", str(self.own.pk))
            self.initial.setdefault("unit", str(self.own.unit_id))
        set_choices(
            self,
            "metric",
            [
                ("", _("None")),
                *((c.metric, c.label) for c in waivable_metrics([today.year, today.year - 1])),
            ],
        )

    def clean_unit(self) -> Unit:
        key = str(self.cleaned_data.get("unit") or "")
        unit = (
            self.unit_qs.filter(pk=int(key)).first() if key.isascii() and key.isdecimal() else None
        )
        if unit is None and self.own is not None and key == str(self.own.unit_id):
            unit = self.own.unit
        if unit is None:
            raise forms.ValidationError(_("Choose a unit."), code="invalid")
        return unit

    def clean_cadre(self) -> Cadre | None:
        key = str(self.cleaned_data.get("cadre") or "")
        if not key:
            return None
        found = (
            self.cadre_qs.filter(pk=int(key)).first() if key.isascii() and key.isdecimal() else None
        )
        if found is None:
            raise forms.ValidationError(_("Choose a cadre."), code="invalid")
        return found

    def clean_items(self) -> int:
        return int(self.cleaned_data.get("items") or 0)


# --- verification and decision ---------------------------------------------------------------

YES, NO = "yes", "no"


class ChecklistForm(forms.Form):
    """The four published conditions, each met or not, with a note."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for condition in cl.CONDITIONS:
            self.fields[f"{condition.key}_met"] = forms.ChoiceField(
                label=str(condition.label),
                help_text=str(condition.guidance),
                choices=[(YES, _("Met")), (NO, _("Not met"))],
                widget=forms.RadioSelect,
            )
            self.fields[f"{condition.key}_note"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=cl.NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @classmethod
    def initial_from(cls, stored: Any) -> dict[str, str]:
        initial: dict[str, str] = {}
        for f in cl.findings(stored):
            if f.met is not None:
                initial[f"{f.condition.key}_met"] = YES if f.met else NO
            initial[f"{f.condition.key}_note"] = f.note
        return initial

    def pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The (met, note) fields of each condition, in the published order."""
        return [(self[f"{c.key}_met"], self[f"{c.key}_note"]) for c in cl.CONDITIONS]

    def entries(self) -> dict[str, tuple[bool | None, str]]:
        data = self.cleaned_data
        return {
            c.key: (
                {YES: True, NO: False}.get(str(data.get(f"{c.key}_met") or "")),
                str(data.get(f"{c.key}_note") or ""),
            )
            for c in cl.CONDITIONS
        }


TOLERATE, REFUSE = "tolerate", "refuse"


class DecisionForm(forms.Form):
    """The committee's decision (集体研究决定) with its vote and reasons."""

    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[(TOLERATE, _("Tolerate (goes under public notice)")), (REFUSE, _("Refuse"))],
        widget=forms.RadioSelect,
    )
    meeting_on = date_field(_("Meeting date"))
    members = count_field(_("Committee members"))
    present = count_field(_("Members present"))
    votes_for = count_field(_("For"))
    votes_against = count_field(_("Against"))
    abstentions = count_field(_("Abstentions"))
    reason = text_field(_("Reasons of the decision"))


class WithdrawForm(forms.Form):
    reason = text_field(_("Why (optional)"), required=False, rows=2)


class AnswerForm(forms.Form):
    """The answer to one objection."""

    UPHOLD, DISMISS = "uphold", "dismiss"

    objection = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ChoiceField(
        label=_("The objection is"),
        choices=[
            (UPHOLD, _("Upheld: the case is not tolerated")),
            (DISMISS, _("Dismissed")),
        ],
        widget=forms.RadioSelect,
    )
    answer = text_field(_("Answer"))


class MeasureForm(forms.Form):
    description = text_field(_("Measure"))
    responsible = forms.CharField(label=_("Responsible"), max_length=100)
    due_on = date_field(_("Due on"))


class CompleteMeasureForm(forms.Form):
    measure = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    done_on = date_field(_("Done on"))
    note = text_field(_("What was done"), rows=2)


# --- the list --------------------------------------------------------------------------------


class FilterForm(forms.Form):
    """Filters of the case list; a field that does not parse is shown with its error and
    not applied."""

    q = forms.CharField(label=_("Number, title or cadre"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    month = MonthField(label=_("Assessment month"), required=False)

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "state", [("", _("All states")), *ToleranceState.choices])
        set_choices(self, "unit", [("", _("All units")), *units])
