"""Forms of the decision log pages. They parse; the actions judge."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from grassroots.common.errors import DomainError
from grassroots.org.models import Unit
from grassroots.partybuilding.models import Resolution
from grassroots.partybuilding.queries_decisions import DecisionStatus
from grassroots.partybuilding.states import MatterKind

SEARCH_MAX: Final = 100
FIRST_YEAR: Final = 2000


def no_nul(value: str) -> None:
    if "\x00" in value:
        raise forms.ValidationError(_("The text holds a character that is not allowed."))


def unit_choices(units: Iterable[Unit], empty: Any) -> list[tuple[str, str]]:
    units = list(units)
    top = min((u.depth for u in units), default=0)
    return [("", str(empty))] + [(u.code, "\u3000" * (u.depth - top) + u.name) for u in units]


def valid_data(form: forms.Form) -> dict[str, Any]:
    """The filters that parsed (a field with an error is shown with it and not applied)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in ("", None)}


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Put an action's error on the form field it names (else on the form itself)."""
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


class LogFilterForm(forms.Form):
    """The log's filters: matter, status, unit, year and a search."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=SEARCH_MAX,
        validators=[no_nul],
        widget=forms.TextInput(attrs={"placeholder": _("Title, record or unit")}),
    )
    matter = forms.ChoiceField(label=_("Matter"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, units: list[Unit], years: range, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        self.fields["matter"].choices = [("", _("All matters")), *MatterKind.choices]  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("Any status")), *DecisionStatus.choices]  # type: ignore[attr-defined]
        self.fields["unit"].choices = unit_choices(units, _("All my units"))  # type: ignore[attr-defined]
        self.fields["year"].choices = [("", _("All years"))] + [  # type: ignore[attr-defined]
            (str(y), str(y)) for y in reversed(years)
        ]

    def clean_unit(self) -> Unit | None:
        code = self.cleaned_data.get("unit") or ""
        return self.units.get(code)


class LinkForm(forms.Form):
    """The resolution that authorised a decision, among those that may."""

    #: Any id parses: the action refuses a resolution that may not authorise the decision.
    resolution = forms.CharField(
        label=_("Resolution"), max_length=20, validators=[no_nul], widget=forms.Select
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        validators=[no_nul],
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, resolutions: list[Resolution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolution"].widget.choices = [("", _("Choose a resolution"))] + [
            (
                str(r.pk),
                f"{r.unit.name} {r.number} {r.title} ({r.decided_on:%Y-%m-%d}, "
                f"{r.get_matter_display()})",
            )
            for r in resolutions
        ]


class UnlinkForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the link is removed"),
        max_length=500,
        validators=[no_nul, MaxLengthValidator(500)],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RuleForm(forms.Form):
    """One matter's rule (the page holds one per matter, prefixed by the matter)."""

    required = forms.BooleanField(label=_("Needs a resolution"), required=False)
    min_amount = forms.DecimalField(
        label=_("From the amount (yuan)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Empty: whatever the amount."),
    )
