"""Forms of the collective economy pages. They parse; the actions judge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import Unit
from grassroots.registers.forms_windows import (
    SearchForm,
    UnitField,
    number_field,
    year_choices,
)
from grassroots.registers.queries_income import SORTS
from grassroots.registers.states import IncomeSource


class IncomeFilterForm(SearchForm):
    """The table's filters: a township, the year, a village's name; and its order."""

    township = UnitField(label=_("Township"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(label=_("Order by"), required=False)

    def __init__(
        self, *args: Any, townships: list[Unit], first: int, last: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Village")
        township = self.fields["township"]
        assert isinstance(township, UnitField)  # noqa: S101
        township.set_units(townships, empty=_("All my townships"))
        year = self.fields["year"]
        assert isinstance(year, forms.ChoiceField)  # noqa: S101
        year.choices = year_choices(first, last)
        labels = {
            "name": _("Village"),
            "total": _("Total income"),
            "target": _("Target"),
            "progress": _("Share of the target"),
            "growth": _("Growth on last year"),
        }
        sort = self.fields["sort"]
        assert isinstance(sort, forms.ChoiceField)  # noqa: S101
        sort.choices = [(k, labels[k]) for k in SORTS] + [
            (f"-{k}", _("%(key)s, highest first") % {"key": labels[k]}) for k in SORTS[1:]
        ]


class IncomeForm(forms.Form):
    """A village's income of a year, one field per source (empty: none)."""

    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in IncomeSource.choices:
            self.fields[value] = number_field(label, required=False)
        self.order_fields([*IncomeSource.values, "note"])

    def amounts(self) -> dict[str, Any]:
        return {s: self.cleaned_data.get(s) or None for s in IncomeSource.values}

    def clean_note(self) -> str:
        text = str(self.cleaned_data.get("note") or "")
        if "\x00" in text:
            raise forms.ValidationError(_("Enter text without control characters."))
        return text


class TargetForm(forms.Form):
    """A village's target of a year: the amount, or a supervised task that carries it."""

    unit = forms.CharField(widget=forms.HiddenInput, max_length=32)
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2200)
    amount = number_field(
        _("Target (yuan)"),
        required=False,
        help_text=_("Leave empty to take it from the task's target."),
    )
    task_id = forms.ChoiceField(label=_("Supervised task"), required=False)

    def __init__(self, *args: Any, tasks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task = self.fields["task_id"]
        assert isinstance(task, forms.ChoiceField)  # noqa: S101
        task.choices = [("", _("None"))] + [
            (str(t.pk), f"{t.title} ({t.target_value.normalize():f} {t.target_measure})")
            for t in tasks
        ]
