"""Forms of the meetings pages. They only parse what a person typed; the rules live in
``actions.meetings``, whose ``PartybuildingError`` the views put back on the field it
names (``apply_error``). The attendance and the tasks are repeated rows of plain inputs
(``att-<i>-name``…, ``task-<i>-title``…), read by ``attendance_rows`` and
``task_rows``: a phone shows each row as a small card, no script needed."""

from __future__ import annotations

import re
from typing import Any, Final

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import Unit
from grassroots.partybuilding.states import MatterKind, MeetingKind, MeetingStatus
from grassroots.registers.forms_windows import (
    SearchForm,
    UnitField,
    apply_error,
    date_field,
    number_field,
    valid_data,
    with_empty,
)

__all__ = [
    "MeetingFilterForm",
    "MeetingForm",
    "MinutesForm",
    "MissedForm",
    "RecordForm",
    "ResolutionForm",
    "apply_error",
    "attendance_rows",
    "task_rows",
    "valid_data",
]

TEXT_MAX: Final = 20000
#: The most rows a form reads (the action refuses more).
ROWS_MAX: Final = 500
_PERIOD: Final = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class PeriodField(forms.CharField):
    """A month ``YYYY-MM`` (``<input type="month">``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "month"}))
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip()
        if text and not _PERIOD.match(text):
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-10."))
        return text


class MeetingFilterForm(SearchForm):
    period = PeriodField(label=_("Month"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    unit = UnitField(label=_("Unit and below"), required=False)

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Title, unit or place")
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, UnitField)  # noqa: S101
        unit_field.set_units(units, empty=_("All my units"))
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # noqa: S101
        kind.choices = with_empty(MeetingKind.choices, _("Any kind"))
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)  # noqa: S101
        status.choices = with_empty(MeetingStatus.choices, _("Any status"))


class MissedForm(SearchForm):
    period = PeriodField(label=_("Month"), required=False)
    unit = UnitField(label=_("Unit and below"), required=False)

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Unit name or code")
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, UnitField)  # noqa: S101
        unit_field.set_units(units, empty=_("All my units"))


class MeetingForm(forms.Form):
    """Plan a meeting (``unit``, ``kind`` and ``period`` only when it is new)."""

    unit = UnitField(label=_("Unit"))
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    period = PeriodField(label=_("Month"))
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Empty: named after the unit, the month and the kind."),
    )
    planned_on = date_field(_("Planned date"), required=False)
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Empty for a monthly meeting: it starts from the unit's latest monthly "
            "assessment result and its tasks at risk."
        ),
    )
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args: Any, units: list[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is None:  # editing: the unit, kind and month stay
            for name in ("unit", "kind", "period"):
                del self.fields[name]
            self.fields["title"].required = True
        else:
            unit_field = self.fields["unit"]
            assert isinstance(unit_field, UnitField)  # noqa: S101
            unit_field.set_units(units)


class RecordForm(forms.Form):
    """The meeting as held (the attendance rows are read by ``attendance_rows``)."""

    held_on = date_field(_("Held on"))
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    chair = forms.CharField(label=_("Chaired by"), max_length=64, required=False)
    agenda = forms.CharField(
        label=_("Agenda"), max_length=TEXT_MAX, required=False, widget=forms.Textarea({"rows": 6})
    )
    note = forms.CharField(
        label=_("Note"), max_length=TEXT_MAX, required=False, widget=forms.Textarea({"rows": 3})
    )


class MinutesForm(forms.Form):
    file = forms.FileField(
        label=_("Minutes (PDF, Word, Excel or a photo of the signed pages)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,image/jpeg,image/png"}
        ),
    )


class ResolutionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX, required=False, widget=forms.Textarea({"rows": 4})
    )
    matter = forms.ChoiceField(label=_("Matter"), choices=MatterKind.choices)
    amount = number_field(_("Amount (yuan)"), required=False)
    members_total = number_field(_("Voting members"))
    members_present = number_field(_("Voting members present"))
    votes_for = number_field(_("For"))
    votes_against = number_field(_("Against"), required=False)
    votes_abstain = number_field(_("Abstained"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("members_total", "members_present", "votes_for"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"


def _count(data: QueryDict, prefix: str) -> int:
    raw = data.get(f"{prefix}-count", "")
    return min(int(raw), ROWS_MAX + 1) if raw.isdecimal() and len(raw) < 6 else 0


def attendance_rows(data: QueryDict) -> list[dict[str, Any]]:
    """The attendance rows of a record form (``att-count`` rows of ``att-<i>-name``,
    ``-post``, ``-voting``, ``-present``, ``-reason``)."""
    rows = []
    for i in range(_count(data, "att")):
        rows.append(
            {
                "name": data.get(f"att-{i}-name", ""),
                "post": data.get(f"att-{i}-post", ""),
                "voting": data.get(f"att-{i}-voting", ""),
                "present": data.get(f"att-{i}-present", ""),
                "absence_reason": data.get(f"att-{i}-reason", ""),
            }
        )
    return rows


def task_rows(data: QueryDict) -> list[dict[str, Any]]:
    """The task rows of a resolution's task form (``task-<i>-title``, ``-deadline``,
    ``-description``)."""
    return [
        {
            "title": data.get(f"task-{i}-title", ""),
            "deadline": data.get(f"task-{i}-deadline", ""),
            "description": data.get(f"task-{i}-description", ""),
        }
        for i in range(_count(data, "task"))
    ]
