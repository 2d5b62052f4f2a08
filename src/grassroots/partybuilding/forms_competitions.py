"""Forms of the competitions pages (parse only; the actions hold the rules)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import Unit
from grassroots.partybuilding.states import CompetitionStatus


def _units(units: Iterable[Unit]) -> list[tuple[str, str]]:
    return [(u.code, u.name) for u in units]


#: The status filter's choice of every competition not yet published (the home page's
#: "competitions under way").
UNDER_WAY = "open"


class CompetitionFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), (UNDER_WAY, _("Under way")), *CompetitionStatus.choices],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=40)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All"))] + [(y, str(y)) for y in years]  # type: ignore[attr-defined]

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "").replace("\x00", "").strip()


class CompetitionForm(forms.Form):
    organiser = forms.ChoiceField(label=_("Organiser"))
    title = forms.CharField(label=_("Title"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    max_score = forms.DecimalField(
        label=_("Highest score"),
        min_value=Decimal("0.01"),
        max_value=Decimal(1000),
        decimal_places=2,
        initial=100,
    )
    first_prizes = forms.IntegerField(label=_("First prizes"), min_value=0, max_value=99, initial=1)
    second_prizes = forms.IntegerField(
        label=_("Second prizes"), min_value=0, max_value=99, initial=2
    )
    third_prizes = forms.IntegerField(label=_("Third prizes"), min_value=0, max_value=99, initial=3)

    def __init__(self, *args: Any, organisers: Iterable[Unit] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        if organisers is None:
            del self.fields["organiser"]
        else:
            self.fields["organiser"].choices = _units(organisers)  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name of the round"), max_length=100)
    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=99, initial=1)
    held_on = forms.DateField(
        label=_("Held on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class EntryForm(forms.Form):
    round = forms.ChoiceField(label=_("Round"))
    unit = forms.ChoiceField(label=_("Village"))
    title = forms.CharField(label=_("Programme"), max_length=200)
    category = forms.CharField(label=_("Category"), max_length=64, required=False)
    performers = forms.CharField(label=_("Performers"), max_length=500, required=False)

    def __init__(
        self, *args: Any, rounds: Iterable[Any], villages: Iterable[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [(r.pk, r.name) for r in rounds]  # type: ignore[attr-defined]
        self.fields["unit"].choices = _units(villages)  # type: ignore[attr-defined]


class JudgeForm(forms.Form):
    username = forms.CharField(
        label=_("User name of the judge"),
        max_length=150,
        help_text=_("Any active user of the platform, e.g. a rater's account."),
    )


class JustificationForm(forms.Form):
    justification = forms.CharField(
        label=_("Justification of your scores"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
