"""Forms of the homestead pages: they parse what a person typed; the rules are the
actions' (``actions.homesteads``), whose errors come back on the field they name."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.org.models import Unit
from grassroots.registers.errors import RegistersError
from grassroots.registers.states import HomesteadCaseKind, HomesteadCaseStatus
from grassroots.residents.models import Household

DATE: Final = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: Error fields of the actions that a form shows under another name.
ALIASES: Final = {"household": "household_number", "unit": "village", "on": "closed_on"}


def apply_error(form: forms.Form, exc: RegistersError) -> None:
    """Put an action's error on the form field it names (else on the form itself)."""
    name = ALIASES.get(exc.field or "", exc.field)
    if name and name in form.fields:
        form.add_error(name, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def valid_data(form: forms.Form) -> dict[str, Any]:
    """The filters that parsed (a field with an error is shown with it and not applied)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in ("", None)}


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _village_choices(villages: Iterable[Unit], blank: Any) -> list[tuple[str, Any]]:
    return [("", blank), *((v.code, v.name) for v in villages)]


# --- the register ----------------------------------------------------------------------------


class HomesteadFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Parcel, household number or holder"), required=False, max_length=64
    )
    village = forms.ChoiceField(label=_("Village"), required=False)
    oversize = forms.BooleanField(label=_("Above the area standard only"), required=False)
    multiple = forms.BooleanField(
        label=_("Households with several homesteads only"), required=False
    )
    retired = forms.BooleanField(label=_("Include parcels no longer held"), required=False)

    def __init__(self, *args: Any, villages: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "village").choices = _village_choices(villages, _("All villages"))


class HomesteadForm(forms.Form):
    """A parcel: its village (chosen when adding), the holding household by 户号, and the
    parcel's data. ``clean`` finds the household in the village."""

    village = forms.ChoiceField(label=_("Village"))
    household_number = forms.CharField(label=_("Household number (户号)"), max_length=32)
    parcel_number = forms.CharField(label=_("Parcel number (宗地编码)"), max_length=40)
    area = forms.DecimalField(label=_("Area (m²)"), max_digits=12)
    approval_document = forms.CharField(
        label=_("Approval document"), max_length=100, required=False
    )
    approved_on = forms.DateField(label=_("Approved on"), required=False, widget=DATE)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False)
    lon = forms.FloatField(label=_("Longitude"), required=False)
    geometry = forms.CharField(
        label=_("Boundary (GeoJSON)"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A GeoJSON Polygon, MultiPolygon or Point, as drawn in a GIS; optional."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, villages: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.villages = {v.code: v for v in villages}
        _choice(self, "village").choices = _village_choices(self.villages.values(), "—")

    @classmethod
    def initial_of(cls, homestead: Any) -> dict[str, Any]:
        return {
            "village": homestead.unit.code,
            "household_number": homestead.household.number,
            "parcel_number": homestead.parcel_number,
            "area": homestead.area,
            "approval_document": homestead.approval_document,
            "approved_on": homestead.approved_on,
            "address": homestead.address,
            "lat": homestead.lat,
            "lon": homestead.lon,
            "geometry": json.dumps(homestead.geometry, ensure_ascii=False)
            if homestead.geometry
            else "",
            "note": homestead.note,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        village = self.villages.get(data.get("village") or "")
        data["unit"] = village
        number = (data.get("household_number") or "").strip()
        if village is not None and number:
            household = Household.objects.filter(village=village, number=number).first()
            if household is None:
                self.add_error(
                    "household_number",
                    _("No household %(number)s in the residents register of %(village)s.")
                    % {"number": number, "village": village.name},
                )
            data["household"] = household
        return data

    def values(self) -> dict[str, Any]:
        """The fields as ``actions.homesteads`` takes them."""
        d = self.cleaned_data
        return {
            "household": d.get("household"),
            "parcel_number": d["parcel_number"],
            "area": d["area"],
            "approval_document": d.get("approval_document", ""),
            "approved_on": d.get("approved_on"),
            "address": d.get("address", ""),
            "lat": d.get("lat"),
            "lon": d.get("lon"),
            "geometry": d.get("geometry") or None,
            "note": d.get("note", ""),
        }


class RetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is no longer held"),
        max_length=255,
        help_text=_("Given back, taken back, merged with another parcel…"),
    )


class CheckForm(forms.Form):
    """Where to run the 一户一宅 check: one of the viewer's units (default the first)."""

    unit = forms.CharField(required=False, max_length=32)


# --- cases -----------------------------------------------------------------------------------

OPEN_ANY: Final = "open_any"


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Household or parcel number"), required=False, max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    village = forms.ChoiceField(label=_("Village"), required=False)

    def __init__(self, *args: Any, villages: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "kind").choices = [("", _("All kinds")), *HomesteadCaseKind.choices]
        _choice(self, "status").choices = [
            ("", _("All statuses")),
            (OPEN_ANY, _("Not closed")),
            *HomesteadCaseStatus.choices,
        ]
        _choice(self, "village").choices = _village_choices(villages, _("All villages"))


class StartRectifyingForm(forms.Form):
    measures = forms.CharField(
        label=_("Rectification measures"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What will be done: give back a parcel, pay for the excess area…"),
    )


class RectifiedForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=255)
    closed_on = forms.DateField(label=_("Rectified on"), widget=DATE)


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why there is nothing to rectify"),
        max_length=255,
        help_text=_("The finding was wrong, or the holding is lawful (依法保留)…"),
    )


#: The case's moves: the POSTed ``verb`` → its form.
MOVE_FORMS: Final[dict[str, type[forms.Form]]] = {
    HomesteadCaseStatus.RECTIFYING.value: StartRectifyingForm,
    HomesteadCaseStatus.RECTIFIED.value: RectifiedForm,
    HomesteadCaseStatus.DISMISSED.value: DismissForm,
}
