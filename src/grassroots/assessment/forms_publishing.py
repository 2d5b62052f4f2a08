"""Forms of the appeal pages: a unit's appeal and the office's decision."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.assessment.actions.appeals import MAX_REASON


class AppealForm(forms.Form):
    """A unit appeals one of its scores (the unit and indicator are chosen on the page)."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=int)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong with the score, and which records show it."),
    )
    claimed_value = forms.DecimalField(
        label=_("Value claimed"),
        required=False,
        max_digits=20,
        decimal_places=6,
        help_text=_("The raw value you believe is right (optional)."),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("A PDF, JPEG or PNG file of at most 10 MB."),
    )

    def __init__(
        self,
        *args: Any,
        units: list[tuple[int, str]],
        indicators: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
        self.fields["indicator"].choices = indicators  # type: ignore[attr-defined]


class DecideForm(forms.Form):
    """The office accepts (with the corrected value) or refuses an appeal, with a reason."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept and recompute")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for the decision"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    corrected_value = forms.DecimalField(
        label=_("Corrected value"),
        required=False,
        max_digits=20,
        decimal_places=6,
        help_text=_("The raw value the new version uses (needed to accept)."),
    )
