"""Forms of the poverty-relapse monitoring pages. They parse; the actions judge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import Unit
from grassroots.registers.forms_windows import (
    SearchForm,
    UnitField,
    date_field,
    number_field,
    with_empty,
)
from grassroots.registers.states import AssistanceKind, MonitorKind, MonitorStatus, Risk


def _no_nul(value: Any) -> str:
    text = str(value or "")
    if "\x00" in text:
        raise forms.ValidationError(_("Enter text without control characters."))
    return text


def _set_units(form: forms.Form, name: str, units: list[Unit], empty: Any = None) -> None:
    field = form.fields[name]
    assert isinstance(field, UnitField)  # noqa: S101
    field.set_units(units, empty=empty)


class MonitorFilterForm(SearchForm):
    unit = UnitField(label=_("Village and below"), required=False)
    kind = forms.ChoiceField(label=_("Monitoring type"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    late = forms.BooleanField(label=_("Review late only"), required=False)

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Household number")
        _set_units(self, "unit", units, _("All my units"))
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)  # noqa: S101
        kind.choices = with_empty(MonitorKind.choices, _("Any type"))
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)  # noqa: S101
        status.choices = with_empty(MonitorStatus.choices, _("Any status"))


class MonitorForm(forms.Form):
    """A household put under monitoring: its village and number (户号), and the facts."""

    unit = UnitField(label=_("Village"))
    household = forms.CharField(label=_("Household number"), max_length=32)
    kind = forms.ChoiceField(label=_("Monitoring type"), choices=MonitorKind.choices)
    risks = forms.MultipleChoiceField(
        label=_("Risks"), choices=Risk.choices, widget=forms.CheckboxSelectMultiple
    )
    since = date_field(_("Monitored since"))
    members = forms.IntegerField(label=_("Household members"), min_value=1, max_value=99)
    income_per_capita = number_field(_("Income per person (yuan a year)"))
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_units(self, "unit", units)

    def clean_household(self) -> str:
        return _no_nul(self.cleaned_data.get("household")).strip()

    def clean_note(self) -> str:
        return _no_nul(self.cleaned_data.get("note"))


class ReviewForm(forms.Form):
    """A review visit (回访)."""

    reviewed_on = date_field(_("Reviewed on"))
    income_per_capita = number_field(_("Income per person (yuan a year)"))
    risk_removed = forms.BooleanField(label=_("The risk is removed"), required=False)
    note = forms.CharField(
        label=_("Note"),
        max_length=255,
        required=False,
        help_text=_("Required when the risk is removed: what changed."),
    )

    def clean_note(self) -> str:
        return _no_nul(self.cleaned_data.get("note"))


class AssistForm(forms.Form):
    """An assistance measure (帮扶措施)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AssistanceKind.choices)
    started_on = date_field(_("Started on"))
    description = forms.CharField(label=_("Description"), max_length=255)
    amount = number_field(_("Amount (yuan)"), required=False)

    def clean_description(self) -> str:
        return _no_nul(self.cleaned_data.get("description"))
