"""Forms of the event pages: the queue filters and one small form per action.

The forms only parse and check what a person typed; the rules of the status machine and
of scope live in the actions, whose errors the views put back on these forms' fields.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.events.attachments import MAX_PHOTOS
from grassroots.events.errors import EventError
from grassroots.events.models import Category, EventSource
from grassroots.events.states import EventStatus
from grassroots.org.models import Unit, UnitKind

NOTE_MAX = 2000
PHOTO_TYPES = "image/jpeg,image/png,image/webp"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one ``<input type="file" multiple>``; cleans to a list."""

    def __init__(self, *, max_files: int = MAX_PHOTOS, camera: bool = False, **kwargs: Any) -> None:
        attrs = {"accept": "image/*" if camera else PHOTO_TYPES}
        if camera:
            # Phones open the back camera directly; the gallery stays one tap away.
            attrs["capture"] = "environment"
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        self.max_files = max_files
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not items:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(items) > self.max_files:
            raise ValidationError(
                _("At most %(n)d photos at a time."), code="too_many", params={"n": self.max_files}
            )
        return [super(PhotosField, self).clean(item, initial) for item in items]


def apply_error(form: forms.Form, exc: EventError, aliases: dict[str, str] | None = None) -> None:
    """Put an action's error on the form field it names (else on the form itself)."""
    field = exc.field
    if field and aliases and field in aliases:
        field = aliases[field]
    if field and field in form.fields:
        form.add_error(field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def deadline_field(*, required: bool, label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _future(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value <= timezone.now():
        raise ValidationError(_("The deadline must be in the future."), code="past")
    return value


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """A form's choice field, typed (its choices are set per request)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field


class CategoryModelChoiceField(forms.ModelChoiceField[Category]):
    """Categories by code, labelled "parent / child"."""

    def label_from_instance(self, obj: Category) -> str:
        return str(obj)


# --- filters -----------------------------------------------------------------------------


class EventFilterForm(forms.Form):
    """Filters shared by the queue and the event list; an invalid field is not applied."""

    q = forms.CharField(label=_("Number or title"), required=False, max_length=100)
    category = CategoryModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
        to_field_name="code",
    )
    grid = forms.ChoiceField(label=_("Grid"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    date_from = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Reported to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        grids: Iterable[tuple[str, str]] = (),
        statuses: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        if isinstance(category, CategoryModelChoiceField):
            category.queryset = Category.objects.active().select_related("parent")
        choice_field(self, "source").choices = [("", _("All sources")), *EventSource.choices]
        shown = [s for s in EventStatus if statuses is None or s in statuses]
        choice_field(self, "status").choices = [
            ("", _("All statuses")),
            *((s.value, s.label) for s in shown),
        ]
        grid_choices = list(grids)
        if grid_choices:
            choice_field(self, "grid").choices = [("", _("All grids")), *grid_choices]
        else:
            del self.fields["grid"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def valid_data(self) -> dict[str, Any]:
        """The fields that parsed (a bad one is shown with its error and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}


def grouped_categories(categories: Sequence[Category]) -> list[tuple[Any, Any]]:
    """Choices for a ``<select>``: sub-categories grouped under their parent category.

    A top-level category without children is offered on its own.
    """
    children: dict[int, list[Category]] = {}
    for c in categories:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c)
    choices: list[tuple[Any, Any]] = [("", "——")]
    for c in categories:
        if c.parent_id is not None and any(p.pk == c.parent_id for p in categories):
            continue
        kids = children.get(c.pk)
        if kids:
            choices.append((c.name, [(k.code, k.name) for k in kids]))
        else:
            choices.append((c.code, str(c)))
    return choices


class CategoryChoiceField(forms.ChoiceField):
    """A category by code, offered grouped by parent; cleans to the Category."""

    def __init__(self, *, queryset: Any, **kwargs: Any) -> None:
        self.categories: list[Category] = list(
            queryset.select_related("parent").order_by("order", "code")
        )
        super().__init__(choices=grouped_categories(self.categories), **kwargs)

    def clean(self, value: Any) -> Category | None:
        code = str(super().clean(value) or "")
        if not code:
            return None
        for c in self.categories:
            if c.code == code:
                return c
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def valid_value(self, value: Any) -> bool:
        return any(c.code == str(value) for c in self.categories)


class IdempotencyKeyField(forms.CharField):
    """A UUID the browser (or, without JS, the server) puts into the form once.

    A resubmitted form carries the same key, and the action stores the report once.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 36)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            return str(uuid.UUID(text))
        except ValueError:
            raise ValidationError(
                _("The form's key is damaged; reload the page and try again."), code="bad_key"
            ) from None


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


def coordinate_field(label: Any, low: float, high: float) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class PositionMixin(forms.Form):
    """Latitude, longitude (from the phone's position or a tap on the map) or an address."""

    lat = coordinate_field(_("Latitude"), -90, 90)
    lon = coordinate_field(_("Longitude"), -180, 180)
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("lat"), data.get("lon")
        if self.has_error("lat") or self.has_error("lon"):
            return data
        if (lat is None) != (lon is None):
            self.add_error("lat", _("Give both latitude and longitude, or neither."))
        elif lat is None and not (data.get("address") or "").strip():
            self.add_error(
                "address", _("Give the position (locate me, or tap the map) or an address.")
            )
        return data


# --- one form per action ---------------------------------------------------------------


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DispatchForm(forms.Form):
    to_unit = forms.ChoiceField(label=_("Dispatch to"))
    resolve_by = deadline_field(required=False, label=_("Handling deadline (optional)"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, targets: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = {u.code: u for u in targets}
        departments = [(u.code, u.name) for u in targets if u.kind == UnitKind.DEPARTMENT]
        lower = [
            (u.code, f"{u.name} · {u.get_kind_display()}")
            for u in targets
            if u.kind != UnitKind.DEPARTMENT
        ]
        choices: list[tuple[Any, Any]] = [("", "——")]
        if departments:
            choices.append((_("Departments"), departments))
        if lower:
            choices.append((_("Lower units"), lower))
        choice_field(self, "to_unit").choices = choices

    def clean_to_unit(self) -> Unit:
        unit = self.targets.get(self.cleaned_data["to_unit"])
        if unit is None:
            raise ValidationError(_("Choose a unit from the list."), code="invalid_choice")
        return unit

    def clean_resolve_by(self) -> dt.datetime | None:
        return _future(self.cleaned_data.get("resolve_by"))


class DeadlineForm(forms.Form):
    resolve_by = deadline_field(required=True, label=_("New handling deadline"))
    reason = forms.CharField(
        label=_("Reason"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_resolve_by(self) -> dt.datetime | None:
        return _future(self.cleaned_data.get("resolve_by"))


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos of the result"), required=False)


class VerifyForm(forms.Form):
    PASS, REWORK = "pass", "rework"
    outcome = forms.ChoiceField(
        label=_("Result of the check"),
        choices=[(PASS, _("Passed")), (REWORK, _("Rework needed"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == self.REWORK and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what must be redone."))
        return data


class CommentForm(forms.Form):
    note = forms.CharField(
        label=_("Comment"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(label=_("Photos"), required=False)


class OnSpotForm(forms.Form):
    """就地解决: the grid worker solved it at once; a photo proves it."""

    note = forms.CharField(
        label=_("How it was solved"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photo of the result"), required=True, camera=True)


class FollowUpForm(forms.Form):
    """A grid worker's follow-up: a comment with photos, taken on the phone."""

    note = forms.CharField(
        label=_("Follow-up"), max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos"), required=False, camera=True)
