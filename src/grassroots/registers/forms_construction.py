"""Forms of the construction register's pages. They only parse what a person typed; the
rules (scope, dates, areas, the moves allowed) are the actions', whose ``RegistersError``
the views put back on the field it names (``apply_error``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from grassroots.common.errors import DomainError
from grassroots.common.uploads import SpreadsheetUploadForm
from grassroots.org.models import Unit
from grassroots.registers.actions.construction import (
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    NOTE_MAX,
    PARTY_MAX,
    STAGE_PHOTOS_MAX,
)
from grassroots.registers.queries_construction import CLOSED, OPEN
from grassroots.registers.states import CaseSource, ConstructionKind, ConstructionStatus

PHOTO_TYPES = "image/jpeg,image/png,image/webp"
#: The photo stages as the pages name them (整治前 / 整治后).
STAGES = (
    ("before", pgettext_lazy("photo stage", "Before")),
    ("after", pgettext_lazy("photo stage", "After")),
)


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def number_field(label: Any, *, required: bool = False, decimal: bool = True) -> forms.CharField:
    """A number typed as text (the action checks range and decimals exactly)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal" if decimal else "numeric", "autocomplete": "off"}
        ),
    )


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Put an action's error on the form field it names (else on the form itself)."""
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def valid_data(form: forms.Form) -> dict[str, Any]:
    """The filters that parsed (a field with an error is shown with it and not applied)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v not in ("", None)}


def unit_label(unit: Unit, top: int) -> str:
    return "\u3000" * max(unit.depth - top, 0) + unit.name


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one ``<input type="file" multiple>``; cleans to a list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_TYPES}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not items:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(items) > STAGE_PHOTOS_MAX:
            raise ValidationError(
                _("At most %(n)d photos at a time."),
                code="too_many",
                params={"n": STAGE_PHOTOS_MAX},
            )
        return [super(PhotosField, self).clean(item, initial) for item in items]


# --- the list ------------------------------------------------------------------------------


class FilterForm(forms.Form):
    """The list's filters (``queries_construction.filtered_cases``)."""

    q = forms.CharField(
        label=gettext_lazy("Case number or address"), required=False, max_length=100
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    unit = forms.ChoiceField(label=gettext_lazy("Village or township"), required=False)
    found_from = date_field(gettext_lazy("Found from"), required=False)
    found_to = date_field(gettext_lazy("Found until"), required=False)
    new_only = forms.BooleanField(label=gettext_lazy("New since the baseline only"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args: Any, units: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        top = min((u.depth for u in units), default=0)
        self._choose("kind", [("", _("Any kind")), *ConstructionKind.choices])
        self._choose(
            "status",
            [
                ("", _("Any status")),
                (OPEN, _("Open (found or stopped)")),
                (CLOSED, _("Closed")),
                *ConstructionStatus.choices,
            ],
        )
        self._choose("unit", [("", _("All")), *((u.code, unit_label(u, top)) for u in units)])

    def _choose(self, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 -- declared above
        field.choices = list(choices)

    def clean_unit(self) -> Unit | None:
        code = self.cleaned_data.get("unit") or ""
        return self.units.get(code)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("found_from"), data.get("found_to")
        if first and last and first > last:
            self.add_error("found_to", _("The end is before the start."))
        return data


# --- a case ----------------------------------------------------------------------------------


class FactsForm(forms.Form):
    """The facts of a case (opening and correcting)."""

    party_name = forms.CharField(
        label=gettext_lazy("Party (name)"), required=False, max_length=PARTY_MAX
    )
    party_phone = forms.CharField(
        label=gettext_lazy("Party's phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=ADDRESS_MAX)
    started_on = date_field(gettext_lazy("Built or moved on"))
    found_on = date_field(gettext_lazy("Found on"))
    area = number_field(gettext_lazy("Area (m²)"))
    people = number_field(gettext_lazy("People who moved"), decimal=False)
    lat = number_field(gettext_lazy("Latitude"))
    lon = number_field(gettext_lazy("Longitude"))
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def facts(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {name: d.get(name) for name in self.fields if name in FACT_FIELDS}


FACT_FIELDS = (
    "party_name",
    "party_phone",
    "address",
    "lat",
    "lon",
    "description",
    "started_on",
    "found_on",
    "area",
    "people",
)


class OpenForm(FactsForm):
    """A new case: where, what, how found, the facts and the *before* photos."""

    field_order = ("unit", "kind", "source")
    unit = forms.ChoiceField(label=gettext_lazy("Village or township"))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ConstructionKind.choices)
    source = forms.ChoiceField(label=gettext_lazy("Found by"), choices=())
    photos = PhotosField(
        label=gettext_lazy("Photos before"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG or WebP; at most 9."),
    )

    def __init__(
        self, *args: Any, units: Sequence[Unit] = (), sources: Sequence[str] = (), **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.units = {str(u.pk): u for u in units}
        top = min((u.depth for u in units), default=0)
        unit_field = self.fields["unit"]
        source_field = self.fields["source"]
        assert isinstance(unit_field, forms.ChoiceField)  # noqa: S101 -- declared above
        assert isinstance(source_field, forms.ChoiceField)  # noqa: S101
        unit_field.choices = [("", "—"), *((str(u.pk), unit_label(u, top)) for u in units)]
        labels = dict(CaseSource.choices)
        source_field.choices = [(s, labels[s]) for s in sources]
        if len(units) == 1:
            self.initial.setdefault("unit", str(units[0].pk))

    def clean_unit(self) -> Unit:
        unit = self.units.get(self.cleaned_data.get("unit") or "")
        if unit is None:
            raise ValidationError(_("Choose the village or township."))
        return unit


class EditForm(FactsForm):
    """Corrections of the facts; the phone is never shown: empty keeps it."""

    clear_phone = forms.BooleanField(label=gettext_lazy("Remove the phone"), required=False)

    def __init__(self, *args: Any, masked_phone: str = "", **kw: Any) -> None:
        super().__init__(*args, **kw)
        phone = self.fields["party_phone"]
        phone.help_text = (
            _("Now %(phone)s; leave empty to keep it.") % {"phone": masked_phone}
            if masked_phone
            else _("None recorded.")
        )

    def changes(self) -> dict[str, Any]:
        """The facts to send to ``correct`` (the phone only when typed or removed)."""
        facts = self.facts()
        if self.cleaned_data.get("clear_phone"):
            facts["party_phone"] = ""
        elif not facts.get("party_phone"):
            facts.pop("party_phone", None)
        return facts


# --- the moves -------------------------------------------------------------------------------


class StopForm(forms.Form):
    stopped_on = date_field(gettext_lazy("Stopped on"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=NOTE_MAX)


class DemolishForm(forms.Form):
    closed_on = date_field(gettext_lazy("Demolished on"))
    demolished_area = number_field(gettext_lazy("Area demolished (m²)"), required=True)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=NOTE_MAX)


class RegulariseForm(forms.Form):
    closed_on = date_field(gettext_lazy("Permit granted on"))
    note = forms.CharField(
        label=gettext_lazy("Permit (kind and number)"),
        max_length=NOTE_MAX,
        help_text=gettext_lazy("E.g. 乡村建设规划许可证 乡字第2026-015号"),
    )


class ReturnForm(forms.Form):
    closed_on = date_field(gettext_lazy("Moved back on"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=NOTE_MAX)


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is not a case"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PhotoForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=STAGES)
    photos = PhotosField(
        label=gettext_lazy("Photos"), help_text=gettext_lazy("JPEG, PNG or WebP; at most 9.")
    )


# --- the import and the zero line ---------------------------------------------------------------


class LedgerImportForm(SpreadsheetUploadForm):
    """The ledger to import (checked as ``common.uploads.SpreadsheetUploadForm`` does); the
    rows are checked by ``importing.construction``."""

    file_label = gettext_lazy("Construction ledger (Excel or CSV)")


class ZeroLineForm(forms.Form):
    """The zero line's year, kind and (for the city) township."""

    #: Empty: this year.
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=2016, max_value=2100, required=False
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    township = forms.ChoiceField(label=gettext_lazy("Township"), required=False)

    def __init__(self, *args: Any, townships: Sequence[Unit] = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        kind = self.fields["kind"]
        township = self.fields["township"]
        assert isinstance(kind, forms.ChoiceField)  # noqa: S101 -- declared above
        assert isinstance(township, forms.ChoiceField)  # noqa: S101
        kind.choices = [("", _("Both kinds")), *ConstructionKind.choices]
        township.choices = [("", _("All townships")), *((t.code, t.name) for t in townships)]
        if not townships:  # one township (or a village) in sight: nothing to choose
            del self.fields["township"]
