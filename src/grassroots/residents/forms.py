"""Forms of the grid-basics pages (places, households, residents, the lists' filters).

The forms only parse what a person typed; the rules (scope, unique numbers, ID checks,
one head, status moves) live in the actions, whose ``ResidentsError`` the views put back
on the field it names (``apply_error``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.common.errors import DomainError
from grassroots.org.models import Unit
from grassroots.residents.models import Household, Place, Resident
from grassroots.residents.queries import ListFilters
from grassroots.residents.states import (
    Gender,
    HouseholdStatus,
    PersonStatus,
    PlaceKind,
    Relationship,
    Residence,
)

NOTE_MAX = 255


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def text_field(label: Any, max_length: int, *, required: bool = False, **attrs: str) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=attrs) if attrs else None,
    )


def set_choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = list(choices)


def grid_label(grid: Unit) -> str:
    """``礼州村 · 礼州村第1网格``: a grid with its village."""
    return f"{grid.parent.name} · {grid.name}" if grid.parent else grid.name


def grid_choices(grids: Iterable[Unit]) -> list[tuple[str, str]]:
    """``(pk, village · grid)`` in path order."""
    return [(str(g.pk), grid_label(g)) for g in grids]


def apply_error(form: forms.Form, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
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


# --- the lists' filters ---------------------------------------------------------------------


class _ListFilterForm(forms.Form):
    """Search text, village and grid (by code, among the viewer's)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=64)
    village = forms.ChoiceField(label=_("Village"), required=False)
    grid = forms.ChoiceField(label=_("Grid"), required=False)

    def __init__(self, *args: Any, grids: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grids = list(grids)
        villages = {g.parent.code: g.parent for g in self.grids if g.parent is not None}
        self.villages = sorted(villages.values(), key=lambda v: v.path)
        set_choices(
            self, "village", [("", _("All villages")), *[(v.code, v.name) for v in self.villages]]
        )
        set_choices(
            self, "grid", [("", _("All grids")), *[(g.code, grid_label(g)) for g in self.grids]]
        )

    def filters(self) -> ListFilters:
        """The valid filters as the queries take them."""
        data = valid_data(self)
        code = data.get("village")
        grid_code = data.get("grid")
        return ListFilters(
            q=(data.get("q") or "").replace("\x00", ""),
            village=next((v for v in self.villages if v.code == code), None) if code else None,
            grid=next((g for g in self.grids if g.code == grid_code), None) if grid_code else None,
            status=data.get("status", ""),
            residence=data.get("residence", ""),
            kind=data.get("kind", ""),
            active=data.get("active", ""),
        )


class PlaceFilterForm(_ListFilterForm):
    kind = forms.ChoiceField(
        label=_("Kind of place"),
        required=False,
        choices=[("", _("Any kind")), *PlaceKind.choices],
    )
    active = forms.ChoiceField(
        label=pgettext_lazy("place", "In use"),
        required=False,
        choices=[
            ("", _("In use or retired")),
            ("1", pgettext_lazy("place", "In use")),
            ("0", pgettext_lazy("place", "Retired")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Name or address")


class HouseholdFilterForm(_ListFilterForm):
    status = forms.ChoiceField(
        label=_("Household status"),
        required=False,
        choices=[("", _("Any status")), *HouseholdStatus.choices],
    )
    residence = forms.ChoiceField(
        label=_("Population type"),
        required=False,
        choices=[("", _("Registered or floating")), *Residence.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Household number, address, a member's name or ID number")


# --- places ---------------------------------------------------------------------------------


class PlaceForm(forms.Form):
    grid = forms.ChoiceField(label=_("grid"))
    kind = forms.ChoiceField(label=_("kind"), choices=PlaceKind.choices)
    name = text_field(pgettext_lazy("place", "name"), 100, required=True)
    address = text_field(_("address"), 200)
    manager_name = text_field(_("manager"), 64, autocomplete="off")
    manager_phone = text_field(_("manager's phone"), 32, type="tel", autocomplete="off")
    capacity = text_field(_("rooms or people"), 8, inputmode="numeric")
    lat = text_field(_("latitude"), 16, inputmode="decimal")
    lon = text_field(_("longitude"), 16, inputmode="decimal")
    note = text_field(_("note"), NOTE_MAX)

    def __init__(self, *args: Any, grids: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "grid", grid_choices(grids))
        self.fields["capacity"].help_text = _(
            "Rooms let or people living there; staff of a business."
        )

    @staticmethod
    def initial_of(place: Place) -> dict[str, Any]:
        return {
            "grid": str(place.grid_id),
            "kind": place.kind,
            "name": place.name,
            "address": place.address,
            "manager_name": place.manager_name,
            "capacity": "" if place.capacity is None else str(place.capacity),
            "lat": "" if place.lat is None else str(place.lat),
            "lon": "" if place.lon is None else str(place.lon),
            "note": place.note,
            "active": place.active,
        }

    def values(self) -> dict[str, Any]:
        """The cleaned fields as the place actions take them."""
        data = dict(self.cleaned_data)
        data["grid"] = int(data["grid"])
        return data


class PlaceEditForm(PlaceForm):
    """A place's fields; its manager's phone is never sent back to the page (left empty it
    stays, the box removes it)."""

    clear_manager_phone = forms.BooleanField(label=_("remove the phone"), required=False)
    active = forms.BooleanField(
        label=_("in use"),
        required=False,
        help_text=_("Untick to retire a place that is gone; it stays on record."),
    )

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        kwargs.setdefault("initial", self.initial_of(place))
        super().__init__(*args, **kwargs)
        if place.manager_phone:
            self.fields["manager_phone"].help_text = _("Now %(value)s; leave empty to keep it.") % {
                "value": place.masked_manager_phone
            }
            order = list(self.fields)
            order.remove("clear_manager_phone")
            order.insert(order.index("manager_phone") + 1, "clear_manager_phone")
            self.order_fields(order)
        else:
            del self.fields["clear_manager_phone"]

    def values(self) -> dict[str, Any]:
        data = super().values()
        if data.pop("clear_manager_phone", False):
            data["manager_phone"] = ""
        elif not data.get("manager_phone"):
            data.pop("manager_phone", None)
        return data


# --- households -----------------------------------------------------------------------------


class HouseholdForm(forms.Form):
    grid = forms.ChoiceField(label=_("grid"))
    number = text_field(_("household number"), 32, required=True, autocomplete="off")
    address = text_field(_("address"), 200)
    place = forms.ChoiceField(label=_("place"), required=False)
    note = text_field(_("note"), NOTE_MAX)

    def __init__(
        self,
        *args: Any,
        grids: Iterable[Unit] = (),
        places: Iterable[Place] = (),
        with_grid: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if with_grid:
            set_choices(self, "grid", grid_choices(grids))
        else:
            del self.fields["grid"]
        set_choices(
            self,
            "place",
            [("", "—"), *[(str(p.pk), f"{p.name} · {p.grid.name}") for p in places]],
        )
        self.fields["number"].help_text = _("Unique within the village.")

    @staticmethod
    def initial_of(household: Household) -> dict[str, Any]:
        return {
            "number": household.number,
            "address": household.address,
            "place": str(household.place_id or ""),
            "note": household.note,
        }

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["place"] = int(data["place"]) if data.get("place") else None
        if "grid" in data:
            data["grid"] = int(data["grid"])
        return data


class MoveForm(forms.Form):
    grid = forms.ChoiceField(label=_("new grid"))
    note = text_field(_("note"), NOTE_MAX)

    def __init__(self, *args: Any, grids: Iterable[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "grid", grid_choices(grids))


class HouseholdStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("The household"),
        choices=[
            (HouseholdStatus.MOVED_OUT, _("moved out as a whole")),
            (HouseholdStatus.DISSOLVED, _("is dissolved (nobody left)")),
            (HouseholdStatus.ACTIVE, _("lives here again")),
        ],
        widget=forms.RadioSelect,
    )
    on = date_field(_("on"), required=False)
    note = text_field(_("note"), NOTE_MAX)


# --- residents ------------------------------------------------------------------------------


class ResidentForm(forms.Form):
    name = text_field(pgettext_lazy("person", "name"), 64, required=True, autocomplete="off")
    relationship = forms.ChoiceField(
        label=_("relationship to the head"), choices=Relationship.choices
    )
    id_number = text_field(_("ID number"), 32, autocomplete="off")
    gender = forms.ChoiceField(
        label=_("gender"), required=False, choices=[("", "—"), *Gender.choices]
    )
    birth_date = date_field(_("date of birth"), required=False)
    phone = text_field(_("phone"), 32, type="tel", autocomplete="off")
    residence = forms.ChoiceField(label=_("residence"), choices=Residence.choices)
    moved_in_on = date_field(_("moved in on"), required=False)
    note = text_field(_("note"), NOTE_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].help_text = _(
            "Optional; 18 characters. Gender and date of birth are taken from it when left empty."
        )

    def values(self) -> dict[str, Any]:
        """The cleaned fields as ``add_resident`` takes them."""
        return dict(self.cleaned_data)


class ResidentEditForm(ResidentForm):
    """A member's fields; the ID number and phone are never sent back to the page: left
    empty they stay as they are, a new one replaces them, the boxes remove them."""

    clear_id_number = forms.BooleanField(label=_("remove the ID number"), required=False)
    clear_phone = forms.BooleanField(label=_("remove the phone"), required=False)

    def __init__(self, *args: Any, person: Resident, **kwargs: Any) -> None:
        kwargs.setdefault("initial", self.initial_of(person))
        super().__init__(*args, **kwargs)
        keep = _("Now %(value)s; leave empty to keep it.")
        if person.id_number:
            self.fields["id_number"].help_text = keep % {"value": person.masked_id_number}
        else:
            del self.fields["clear_id_number"]
        if person.phone:
            self.fields["phone"].help_text = keep % {"value": person.masked_phone}
        else:
            del self.fields["clear_phone"]
        order = list(self.fields)
        for name in ("clear_id_number", "clear_phone"):
            if name in self.fields:
                order.remove(name)
                order.insert(order.index(name.removeprefix("clear_")) + 1, name)
        self.order_fields(order)

    @staticmethod
    def initial_of(person: Resident) -> dict[str, Any]:
        return {
            "name": person.name,
            "relationship": person.relationship,
            "gender": person.gender,
            "birth_date": person.birth_date,
            "residence": person.residence,
            "moved_in_on": person.moved_in_on,
            "note": person.note,
        }

    def values(self) -> dict[str, Any]:
        """The changes as ``update_resident`` takes them (ID number and phone only when
        typed or removed)."""
        data = dict(self.cleaned_data)
        for name in ("id_number", "phone"):
            if data.pop(f"clear_{name}", False):
                data[name] = ""
            elif not data.get(name):
                data.pop(name, None)
        return data


class MemberStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("What happened"),
        choices=[
            (PersonStatus.MOVED_OUT, _("Moved out")),
            (PersonStatus.DECEASED, _("Deceased")),
            (PersonStatus.PRESENT, pgettext_lazy("resident", "Moved back")),
        ],
    )
    on = date_field(_("on"))
    note = text_field(_("note"), NOTE_MAX)
