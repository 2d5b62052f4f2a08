"""Forms of the selection and policy pages. They only parse what a person typed; the
rules live in the actions (``actions.selection``, ``actions.policy``), whose
``CadresError`` the views put back on the field it names (``apply_error``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.cadres.actions.policy import age_field, weight_field
from grassroots.cadres.forms import date_field, set_choices
from grassroots.cadres.models import Candidate, KeyPost, Policy
from grassroots.cadres.scoring import FACTOR_LABELS, FACTORS
from grassroots.cadres.states import Level, VacancyState
from grassroots.org.models import Unit

TEXT_MAX = 2000
#: "Open" alone is a supervised task's state (推进中) in the catalogue: a vacancy's is 待选任.
STATE_LABELS = {VacancyState.OPEN.value: pgettext_lazy("vacancy", "Open")}


def _model_field(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name} is not a model choice field")
    return field


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


class VacancyFilterForm(forms.Form):
    """Filters of the vacancy list; a field that does not parse is not applied."""

    q = forms.CharField(label=_("Post or unit"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "state",
            [
                ("", _("All states")),
                *((value, STATE_LABELS.get(value, label)) for value, label in VacancyState.choices),
            ],
        )


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{'　' * max(obj.depth - 1, 0)}{obj.name}"


class KeyPostChoiceField(forms.ModelChoiceField[KeyPost]):
    def label_from_instance(self, obj: KeyPost) -> str:
        return f"{obj.unit.name} · {obj.title} ({obj.get_level_display()})"


class VacancyForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    key_post = KeyPostChoiceField(
        label=_("Key post"),
        queryset=KeyPost.objects.none(),
        required=False,
        help_text=_("Optional: the post and its level then come from the key post."),
    )
    title = forms.CharField(label=_("Post"), required=False, max_length=100)
    level = forms.ChoiceField(label=pgettext_lazy("cadre", "Level"), required=False)

    def __init__(
        self, *args: Any, units: Sequence[Unit], key_posts: Sequence[KeyPost], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _model_field(self, "unit").queryset = Unit.objects.filter(
            pk__in=[u.pk for u in units]
        ).order_by("path")
        _model_field(self, "key_post").queryset = (
            KeyPost.objects.filter(pk__in=[k.pk for k in key_posts])
            .select_related("unit")
            .order_by("unit__path", "level", "title")
        )
        set_choices(self, "level", [("", _("The key post's level")), *Level.choices])


class DecideForm(forms.Form):
    """The committee's decision (民主集中制)."""

    members = _count(_("Committee members"))
    present = _count(_("Members present"))
    votes_for = _count(_("For"))
    votes_against = _count(_("Against"))
    abstentions = _count(_("Abstentions"))
    meeting_on = date_field(_("Meeting date"))
    chosen = forms.TypedChoiceField(label=_("Appointed"), coerce=int)
    skip_reason = forms.CharField(
        label=_("Reason for passing over higher-ranked candidates"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the one appointed is not the best-ranked eligible candidate."),
    )

    def __init__(self, *args: Any, candidates: Sequence[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "chosen",
            [
                ("", "—"),
                *(
                    (
                        c.entry_id,
                        f"#{c.rank} {c.entry.cadre.name} · {c.entry.cadre.unit.name} · {c.score}",
                    )
                    for c in candidates
                    if c.eligible
                ),
            ],
        )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PolicyForm(forms.Form):
    """Every field of a policy; weights and age limits one field per factor and level."""

    reserve_ratio = forms.CharField(
        label=_("Reserves per key post"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("1:2 is 2."),
    )
    yearly_training_hours = forms.CharField(
        label=_("Required training hours a year"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    excellent_quota_percent = forms.IntegerField(label=_("Share of Excellent grades (%)"))
    public_notice_workdays = forms.IntegerField(label=_("Public notice (working days)"))
    min_grassroots_years = forms.IntegerField(
        label=_("Years in grassroots work required for promotion")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for factor in FACTORS:
            self.fields[weight_field(factor)] = forms.IntegerField(
                label=FACTOR_LABELS[factor], help_text=_("points, 0–100")
            )
        for level, label in Level.choices:
            self.fields[age_field(level)] = forms.IntegerField(
                label=label, required=False, help_text=_("oldest age at appointment; empty: none")
            )

    @staticmethod
    def initial_of(policy: Policy, weights: dict[str, int]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "reserve_ratio": policy.reserve_ratio,
            "yearly_training_hours": policy.yearly_training_hours,
            "excellent_quota_percent": policy.excellent_quota_percent,
            "public_notice_workdays": policy.public_notice_workdays,
            "min_grassroots_years": policy.min_grassroots_years,
        }
        for factor in FACTORS:
            initial[weight_field(factor)] = weights[factor]
        for level in Level.values:
            initial[age_field(level)] = (policy.max_age or {}).get(level)
        return initial

    def weights(self) -> dict[str, Any]:
        return {f: self.cleaned_data.get(weight_field(f)) for f in FACTORS}

    def max_age(self) -> dict[str, int | None]:
        return {level: self.cleaned_data.get(age_field(level)) for level in Level.values}

    def fields_of(self, names: Sequence[str]) -> list[Any]:
        return [self[name] for name in names]

    def groups(self) -> dict[str, list[Any]]:
        """The bound fields in three groups for the page."""
        main = [
            "reserve_ratio",
            "yearly_training_hours",
            "excellent_quota_percent",
            "public_notice_workdays",
            "min_grassroots_years",
        ]
        return {
            "main": self.fields_of(main),
            "weights": self.fields_of([weight_field(f) for f in FACTORS]),
            "ages": self.fields_of([age_field(level) for level in Level.values]),
        }
