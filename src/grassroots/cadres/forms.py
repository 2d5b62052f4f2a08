"""Forms of the cadres pages (files, pool, development, grades).

The forms only parse what a person typed; the rules (scope, ID number checks, overlaps,
quotas, tallies) live in the actions, whose ``CadresError`` the views put back on the
field it names (``apply_error``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.cadres.errors import CadresError
from grassroots.cadres.ethnicities import ETHNICITIES
from grassroots.cadres.models import Cadre
from grassroots.cadres.states import (
    Appraisal,
    CadreStatus,
    Education,
    Gender,
    KeyMomentKind,
    Level,
    Outcome,
    ReserveStatus,
    TemperingKind,
    TrainingResult,
    YearGrade,
)
from grassroots.org.models import Unit

TEXT_MAX = 2000


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def text_area(label: Any, *, required: bool = False, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def number_field(label: Any, *, required: bool = True, decimal: bool = False) -> forms.CharField:
    """A number typed as text (the action checks range and decimal places exactly)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal" if decimal else "numeric", "autocomplete": "off"}
        ),
    )


def unit_choices(units: Iterable[Unit]) -> list[tuple[str, str]]:
    """``(pk, name)`` with the depth shown by indentation, in path order."""
    units = list(units)
    top = min((u.depth for u in units), default=0)
    return [(str(u.pk), "\u3000" * (u.depth - top) + u.name) for u in units]


def unit_code_choices(units: Iterable[Unit], *, empty: Any) -> list[tuple[str, str]]:
    units = list(units)
    top = min((u.depth for u in units), default=0)
    return [("", str(empty))] + [(u.code, "\u3000" * (u.depth - top) + u.name) for u in units]


def set_choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = list(choices)


def apply_error(form: forms.Form, exc: CadresError, aliases: dict[str, str] | None = None) -> None:
    """Put an action's error on the form field it names (else on the form itself)."""
    field = (aliases or {}).get(exc.field or "", exc.field)
    if field and field in form.fields:
        form.add_error(field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def valid_data(form: forms.Form) -> dict[str, Any]:
    """The filters that parsed (a field with an error is shown with it and not applied)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in ("", None)}


# --- files ----------------------------------------------------------------------------------


class CadreFilterForm(forms.Form):
    q = forms.CharField(label=pgettext_lazy("person", "Name"), required=False, max_length=64)
    unit = forms.ChoiceField(label=_("Unit and below"), required=False)
    level = forms.ChoiceField(label=pgettext_lazy("post", "Level"), required=False)
    education = forms.ChoiceField(label=_("Education"), required=False)
    gender = forms.ChoiceField(label=_("Gender"), required=False)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", unit_code_choices(units, empty=_("All units")))
        set_choices(self, "level", [("", _("Any level")), *Level.choices])
        set_choices(self, "education", [("", _("Any education")), *Education.choices])
        set_choices(self, "gender", [("", _("Any gender")), *Gender.choices])
        set_choices(self, "ethnicity", [("", _("Any ethnicity")), *[(e, e) for e in ETHNICITIES]])
        set_choices(self, "status", [("", _("Any status")), *CadreStatus.choices])


class CadreForm(forms.Form):
    """A cadre's file (new or changed)."""

    name = forms.CharField(label=pgettext_lazy("person", "name"), max_length=64)
    gender = forms.ChoiceField(label=_("gender"), choices=Gender.choices)
    ethnicity = forms.ChoiceField(label=_("ethnicity"))
    birth_date = date_field(_("date of birth"))
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("18 characters; checked against the date of birth and the gender."),
    )
    phone = forms.CharField(
        label=_("mobile phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    education = forms.ChoiceField(label=_("education"), choices=Education.choices)
    party_joined_on = date_field(_("joined the Party on"), required=False)
    grassroots_since = date_field(_("in grassroots work since"), required=False)
    unit = forms.ChoiceField(label=_("unit"))
    post = forms.CharField(label=_("current post"), max_length=100)
    level = forms.ChoiceField(label=pgettext_lazy("post", "level"), choices=Level.choices)
    post_since = date_field(
        _("in this post since"),
        required=False,
        help_text=_("A new unit, post or level opens a new line of the post history."),
    )
    login = forms.CharField(
        label=_("login"),
        required=False,
        max_length=150,
        help_text=_("The user name of the cadre's own login, if they have one."),
    )

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "ethnicity", [("", "—"), *[(e, e) for e in ETHNICITIES]])
        set_choices(self, "unit", unit_choices(units))

    @staticmethod
    def initial_of(cadre: Cadre) -> dict[str, Any]:
        return {
            "name": cadre.name,
            "gender": cadre.gender,
            "ethnicity": cadre.ethnicity,
            "birth_date": cadre.birth_date,
            "id_number": cadre.id_number,
            "phone": cadre.phone,
            "education": cadre.education,
            "party_joined_on": cadre.party_joined_on,
            "grassroots_since": cadre.grassroots_since,
            "unit": str(cadre.unit_id),
            "post": cadre.post,
            "level": cadre.level,
            "login": cadre.user.get_username() if cadre.user else "",
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Leaves office as"),
        choices=[
            (CadreStatus.LEFT, CadreStatus.LEFT.label),
            (CadreStatus.RETIRED, CadreStatus.RETIRED.label),
        ],
        widget=forms.RadioSelect,
    )
    on = date_field(_("On"), required=False)
    note = text_area(_("Note"))


class GradeForm(forms.Form):
    year = number_field(_("year"))
    grade = forms.ChoiceField(label=_("grade"), choices=YearGrade.choices)
    note = text_area(_("remarks"), rows=2)


# --- pool -----------------------------------------------------------------------------------


class PoolFilterForm(forms.Form):
    q = forms.CharField(label=pgettext_lazy("person", "Name"), required=False, max_length=64)
    status = forms.ChoiceField(label=_("Status"), required=False)
    unit = forms.ChoiceField(label=_("Nominating unit and below"), required=False)
    target_level = forms.ChoiceField(label=_("target post level"), required=False)

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "status", [("", _("Any status")), *ReserveStatus.choices])
        set_choices(self, "unit", unit_code_choices(units, empty=_("All units")))
        set_choices(self, "target_level", [("", _("Any level")), *Level.choices])


class NominateForm(forms.Form):
    unit = forms.ChoiceField(label=_("nominating unit"))
    target_level = forms.ChoiceField(label=_("target post level"), choices=Level.choices)
    voters = number_field(_("people taking part in the recommendation"))
    votes = number_field(_("recommendation votes"))
    reason = text_area(_("grounds for the nomination"), required=True, rows=4)

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", unit_choices(units))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("admit", _("Admit into the pool")), ("reject", _("Do not admit"))],
        widget=forms.RadioSelect,
    )
    entered_on = date_field(_("entered the pool on"), required=False)
    note = text_area(_("review opinion"))


class RemoveForm(forms.Form):
    reason = text_area(_("reason for leaving"), required=True)
    exited_on = date_field(_("left the pool on"), required=False)


class KeyPostForm(forms.Form):
    unit = forms.ChoiceField(label=_("unit"))
    title = forms.CharField(label=_("post"), max_length=100)
    level = forms.ChoiceField(label=pgettext_lazy("post", "level"), choices=Level.choices)

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", unit_choices(units))


# --- development ----------------------------------------------------------------------------


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("course"), max_length=200)
    provider = forms.CharField(label=_("provider"), max_length=100)
    hours = number_field(_("hours"), decimal=True)
    started_on = date_field(_("from"))
    ended_on = date_field(_("to"))
    result = forms.ChoiceField(
        label=pgettext_lazy("training", "result"), choices=TrainingResult.choices
    )


class MentorForm(forms.Form):
    mentor = forms.ChoiceField(label=_("mentor"))
    started_on = date_field(_("from"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(self, *args: Any, mentors: Iterable[Cadre] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "mentor",
            [("", "—"), *[(str(c.pk), f"{c.name} · {c.unit.name} · {c.post}") for c in mentors]],
        )


class EndForm(forms.Form):
    ended_on = date_field(_("to"), required=False)


class TemperingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind of work"), choices=TemperingKind.choices)
    unit = forms.ChoiceField(label=_("where"))
    post = forms.CharField(label=_("post"), max_length=100)
    started_on = date_field(_("from"))
    planned_end = date_field(_("planned end"))

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "unit", unit_choices(units))


class EvaluateForm(forms.Form):
    appraisal = forms.ChoiceField(label=_("evaluation"), choices=Appraisal.choices)
    remarks = text_area(_("evaluation remarks"), required=True, rows=4)
    ended_on = date_field(_("ended on"), required=False)


class ReasonForm(forms.Form):
    reason = text_area(_("reason for cancelling"), required=True)


class KeyMomentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (k.value, k.label)
            for k in (KeyMomentKind.EMERGENCY, KeyMomentKind.COMMENDATION, KeyMomentKind.WARNING)
        ],
    )
    occurred_on = date_field(_("date"))
    title = forms.CharField(label=_("title"), max_length=200)
    detail = text_area(_("details"))
    outcome = forms.ChoiceField(
        label=_("outcome"),
        required=False,
        choices=[("", _("As the kind says")), *Outcome.choices],
        help_text=_("Emergencies and commendations count to their credit, warnings against."),
    )
