"""The grid worker's report form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.events.forms import (
    NOTE_MAX,
    CategoryChoiceField,
    IdempotencyKeyField,
    PhotosField,
    PositionMixin,
    choice_field,
    new_idempotency_key,
)
from grassroots.events.models import Category
from grassroots.org.models import Unit


class ReportForm(PositionMixin):
    category = CategoryChoiceField(label=_("Category"), queryset=Category.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotosField(label=_("Photos"), required=False, camera=True)
    contact_name = forms.CharField(
        label=_("Resident concerned (optional)"), required=False, max_length=64
    )
    contact_phone = forms.CharField(
        label=_("Resident's phone (optional)"),
        required=False,
        max_length=20,
        help_text=_(
            "With it the resident can follow the event and rate the result (by its number "
            "and the last four digits)."
        ),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    idempotency_key = IdempotencyKeyField()

    field_order = [
        "category",
        "title",
        "description",
        "photos",
        "contact_name",
        "contact_phone",
        "lat",
        "lon",
        "address",
        "unit",
        "idempotency_key",
    ]

    def __init__(self, *args: Any, units: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = CategoryChoiceField(
            label=_("Category"), queryset=Category.objects.active()
        )
        self.order_fields(self.field_order)
        self.units = {u.code: u for u in units}
        if len(units) > 1:
            choice_field(self, "unit").choices = [(u.code, u.name) for u in units]
            self.fields["unit"].help_text = _("Used when no position is given.")
        else:
            del self.fields["unit"]
        if not self.is_bound:
            key = self.fields["idempotency_key"]
            key.initial = new_idempotency_key()
            # report.js replaces a fresh key with the browser's own crypto.randomUUID().
            key.widget.attrs["data-fresh"] = "1"

    def chosen_unit(self) -> Unit | None:
        code = self.cleaned_data.get("unit") or ""
        if code in self.units:
            return self.units[code]
        return next(iter(self.units.values()), None)
