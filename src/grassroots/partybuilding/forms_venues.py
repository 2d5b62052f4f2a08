"""Forms of the venues pages. They only parse what a person typed; the rules live in
``actions.venues``, whose ``PartybuildingError`` the views put back on the field it names
(``apply_error``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from grassroots.common.errors import DomainError
from grassroots.org.models import Unit
from grassroots.partybuilding.actions import venues as actions
from grassroots.partybuilding.queries_venues import MEETS_CHOICES
from grassroots.partybuilding.states import ChecklistCategory, VenueKind, VenueStatus

MAX_PHOTOS: Final = 9
PHOTO_TYPES: Final = "image/jpeg,image/png,image/webp"


def unit_choices(units: Iterable[Unit], *, empty: Any = None) -> list[tuple[str, str]]:
    """``(code, name)`` indented by depth, in path order."""
    units = list(units)
    top = min((u.depth for u in units), default=0)
    choices = [(u.code, "\u3000" * (u.depth - top) + u.name) for u in units]
    return [("", str(empty)), *choices] if empty is not None else choices


def with_empty(choices: Sequence[tuple[Any, Any]], empty: Any) -> list[tuple[Any, Any]]:
    return [("", empty), *choices]


def valid_data(form: forms.Form) -> dict[str, Any]:
    """The filters that parsed (a field with an error is shown with it and not applied)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in ("", None)}


def apply_error(form: forms.Form, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put an action's error on the form field it names (else on the form itself)."""
    field = (aliases or {}).get(exc.field or "", exc.field)
    if field and field in form.fields:
        form.add_error(field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def number_field(label: Any, *, required: bool = False) -> forms.CharField:
    """A number typed as text (the action checks its range and decimals)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class UnitField(forms.ChoiceField):
    """A unit chosen by code among ``units`` (cleaned to the Unit)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units: dict[str, Unit] = {}

    def set_units(self, units: Iterable[Unit], *, empty: Any = None) -> None:
        units = list(units)
        self.units = {u.code: u for u in units}
        self.choices = unit_choices(units, empty=empty)

    def clean(self, value: Any) -> Unit | None:
        code = super().clean(value)
        return self.units.get(code) if code else None


class VenueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    unit = UnitField(label=_("Area"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=with_empty(VenueKind.choices, _("All"))
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=with_empty(VenueStatus.choices, _("All"))
    )
    meets = forms.ChoiceField(
        label=_("Standard"), required=False, choices=with_empty(MEETS_CHOICES, _("All"))
    )

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitField)  # noqa: S101 -- declared above
        field.set_units(units, empty=_("All"))

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "").replace("\x00", "")


class VenueForm(forms.Form):
    unit = UnitField(label=_("Village"))
    kind = forms.ChoiceField(label=_("Kind"), choices=VenueKind.choices)
    name = forms.CharField(label=_("Name"), max_length=actions.NAME_MAX)
    address = forms.CharField(label=_("Address"), required=False, max_length=actions.ADDRESS_MAX)
    area_m2 = number_field(_("Floor area (m²)"))
    open_hours = forms.CharField(
        label=_("Open hours"),
        required=False,
        max_length=actions.OPEN_HOURS_MAX,
        help_text=_("For example: 周一至周五 9:00–17:00, 周末 14:00–20:00"),
    )
    manager = forms.CharField(label=_("Manager"), required=False, max_length=actions.MANAGER_MAX)
    lat = number_field(_("Latitude"))
    lng = number_field(_("Longitude"))
    built_on = date_field(_("Completed on"), required=False)

    def __init__(self, *args: Any, units: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitField)  # noqa: S101 -- declared above
        field.set_units(units)


class NewVenueForm(VenueForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=VenueStatus.choices, initial=VenueStatus.PLANNED
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=VenueStatus.choices)
    completed_on = date_field(_("Completed on"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=actions.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one ``<input type="file" multiple>``; cleans to a list (the
    action checks each one's bytes)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if len(items) > MAX_PHOTOS:
            raise ValidationError(
                _("At most %(n)d photos at a time."), code="too_many", params={"n": MAX_PHOTOS}
            )
        return [super(PhotosField, self).clean(item, initial) for item in items]


class InspectionForm(forms.Form):
    """The inspection's date, findings and photos; the items (``met`` checkboxes and
    ``note_<id>``) are read from the request by the view."""

    inspected_on = date_field(_("Inspected on"))
    note = forms.CharField(
        label=_("Findings"),
        required=False,
        max_length=actions.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotosField(label=_("Photos"), required=False)


class ChecklistItemForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=ChecklistCategory.choices)
    label = forms.CharField(label=_("Item"), max_length=actions.LABEL_MAX)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=actions.POINTS_MAX)
    required = forms.BooleanField(label=_("Required"), required=False)
