"""Forms of the 邛海天窗 pages, and the small pieces the poverty and income forms share.

The forms only parse what a person typed; the rules live in the actions, whose
``RegistersError`` the views put back on the field it names (``apply_error``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Final

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.common.errors import DomainError
from grassroots.org.models import Unit
from grassroots.registers.states import WindowStatus

TEXT_MAX: Final = 2000
GEOMETRY_MAX: Final = 200_000


# --- shared pieces -----------------------------------------------------------------------


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def number_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    """A number typed as text (the action checks its range and decimals exactly)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=24,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def unit_choices(units: Iterable[Unit], *, empty: Any = None) -> list[tuple[str, str]]:
    """``(code, name)`` indented by depth, in path order (an empty choice first when
    ``empty`` is given)."""
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


class SearchForm(forms.Form):
    """A list's text search (``q``), NUL characters refused."""

    q = forms.CharField(label=_("Search"), required=False, max_length=64)

    def clean_q(self) -> str:
        text = str(self.cleaned_data.get("q") or "")
        if "\x00" in text:
            raise forms.ValidationError(_("Enter text without control characters."))
        return text.strip()


def year_choices(first: int, last: int, *, empty: Any = None) -> list[tuple[str, str]]:
    choices = [(str(y), str(y)) for y in range(last, first - 1, -1)]
    return with_empty(choices, empty) if empty is not None else choices


# --- the parcels ---------------------------------------------------------------------------


class WindowFilterForm(SearchForm):
    unit = UnitField(label=_("Unit and below"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    plan_year = forms.TypedChoiceField(
        label=_("Plan year"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, units: list[Unit], years: range, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Code or name")
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, UnitField)  # noqa: S101
        unit_field.set_units(units, empty=_("All my units"))
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)  # noqa: S101
        status.choices = with_empty(WindowStatus.choices, _("Any status"))
        plan_year = self.fields["plan_year"]
        assert isinstance(plan_year, forms.ChoiceField)  # noqa: S101
        plan_year.choices = year_choices(years.start, years.stop - 1, empty=_("Any year"))


class GeometryField(forms.CharField):
    """A GeoJSON Polygon pasted as text (the action checks the shape)."""

    def clean(self, value: Any) -> dict[str, Any] | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            raise forms.ValidationError(_("Not valid GeoJSON text.")) from None
        if not isinstance(parsed, dict):
            raise forms.ValidationError(_("Give a GeoJSON Polygon or MultiPolygon."))
        return parsed

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        return value


class WindowForm(forms.Form):
    """A parcel's fields (new or corrected)."""

    unit = UnitField(label=_("Unit"))
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=100)
    area = number_field(_("Area to restore (m²)"))
    plan_year = forms.IntegerField(label=_("Plan year"), min_value=1900, max_value=2200)
    status = forms.ChoiceField(label=_("Status"), choices=WindowStatus.choices)
    restored_area = number_field(_("Area restored (m²)"), required=False)
    restored_on = date_field(
        _("Restored on"), required=False, help_text=_("Only when the whole area is restored.")
    )
    lat = number_field(_("Latitude"), required=False)
    lon = number_field(_("Longitude"), required=False)
    geometry = GeometryField(
        label=_("Boundary (GeoJSON)"),
        required=False,
        max_length=GEOMETRY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A GeoJSON Polygon; leave empty to place the parcel by its point."),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, UnitField)  # noqa: S101
        unit_field.set_units(units)

    def clean_code(self) -> str:
        return _no_nul(self.cleaned_data.get("code"))

    def clean_name(self) -> str:
        return _no_nul(self.cleaned_data.get("name"))

    def clean_note(self) -> str:
        return _no_nul(self.cleaned_data.get("note"))


def _no_nul(value: Any) -> str:
    text = str(value or "")
    if "\x00" in text:
        raise forms.ValidationError(_("Enter text without control characters."))
    return text


class RestoreForm(forms.Form):
    """Restoration work on a day: the area added, or the new total."""

    on = date_field(_("Day"))
    added = number_field(_("Area added (m²)"), required=False)
    total = number_field(_("Or the new total restored (m²)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def clean_note(self) -> str:
        return _no_nul(self.cleaned_data.get("note"))
