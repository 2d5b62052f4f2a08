"""Forms of the oversight pages. They only parse what a person typed; the rules (scope,
deadlines, evidence, the moves allowed) are the actions', whose ``OversightError`` the
views put back on the field it names (``apply_error``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.common.errors import DomainError
from grassroots.org.models import Unit
from grassroots.oversight.actions.cases import MATTER_MAX, NOTE_MAX, REFERENCE_MAX, TEXT_MAX
from grassroots.oversight.evidence import MAX_FILES
from grassroots.oversight.queries import OPEN_GROUP
from grassroots.oversight.states import CaseCategory, CaseSource, CaseStatus

ACCEPT: Final = (
    "image/jpeg,image/png,image/webp,application/pdf,.pdf,.docx,.xlsx,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
#: The apps whose entries the audit trail's filter offers.
AUDIT_KINDS: Final = (
    ("events", gettext_lazy("Grid events")),
    ("supervision", gettext_lazy("Tasks and supervision")),
    ("registers", gettext_lazy("Special registers")),
    ("residents", gettext_lazy("Residents and places")),
    ("partybuilding", gettext_lazy("Party building")),
    ("cadres", gettext_lazy("Cadres")),
    ("assessment", gettext_lazy("Assessment")),
    ("oversight", gettext_lazy("Oversight cases")),
    ("org", gettext_lazy("Units and people")),
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


def _choices(form: forms.Form, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = list(choices)


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def text_area(label: Any, limit: int, *, required: bool = True, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        strip=False,  # the action strips and checks (NUL characters, length)
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files from one ``<input type="file" multiple>``; cleans to a list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if not items:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(items) > MAX_FILES:
            raise ValidationError(
                _("At most %(n)d files at a time."), code="too_many", params={"n": MAX_FILES}
            )
        return [super(FilesField, self).clean(item, initial) for item in items]


def _evidence(help_text: Any = "") -> FilesField:
    return FilesField(
        label=gettext_lazy("Evidence (photos, PDF, Word or Excel)"), help_text=help_text
    )


# --- the list ---------------------------------------------------------------------------


class VillageField(forms.ChoiceField):
    """A village of the viewer's scope by its code; cleans to the ``Unit``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units: dict[str, Unit] = {}

    def set_units(self, units: Sequence[Unit], blank: Any) -> None:
        self.units = {u.code: u for u in units}
        self.choices = [("", blank), *((u.code, u.name) for u in units)]

    def clean(self, value: Any) -> Unit | None:
        code = super().clean(value)
        return self.units.get(code) if code else None


class FilterForm(forms.Form):
    """The list's filters (``queries.filtered_cases``)."""

    q = forms.CharField(
        label=gettext_lazy("Number, matter or record"), required=False, max_length=100
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    source = forms.ChoiceField(label=gettext_lazy("Source"), required=False)
    unit = VillageField(label=gettext_lazy("Village"), required=False)
    year = forms.IntegerField(
        label=gettext_lazy("Year opened"), required=False, min_value=2000, max_value=2100
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args: Any, units: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self,
            "status",
            [("", _("Any status")), (OPEN_GROUP, _("Not yet closed")), *CaseStatus.choices],
        )
        _choices(self, "category", [("", _("Any category")), *CaseCategory.choices])
        _choices(self, "source", [("", _("Any source")), *CaseSource.choices])
        cast(VillageField, self.fields["unit"]).set_units(units, _("All villages"))
        if len(units) <= 1:
            del self.fields["unit"]


# --- a new case -------------------------------------------------------------------------


class OpenForm(forms.Form):
    unit = VillageField(label=gettext_lazy("Village"))
    matter = forms.CharField(label=gettext_lazy("Matter"), max_length=MATTER_MAX, strip=False)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=CaseCategory.choices)
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=CaseSource.choices)
    reference = forms.CharField(
        label=gettext_lazy("Record concerned"),
        required=False,
        max_length=REFERENCE_MAX,
        help_text=gettext_lazy(
            "Optional: the record the case is about, e.g. partybuilding.decision:12."
        ),
    )
    findings = text_area(gettext_lazy("Findings"), TEXT_MAX, rows=6)
    evidence = _evidence()

    def __init__(self, *args: Any, units: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(VillageField, self.fields["unit"]).set_units(units, _("Choose the village"))


# --- the steps of a case ----------------------------------------------------------------


class RequestForm(forms.Form):
    request = text_area(gettext_lazy("Rectification requested"), TEXT_MAX)
    deadline = date_field(gettext_lazy("Rectify by"))


class RespondForm(forms.Form):
    response = text_area(gettext_lazy("What was rectified"), TEXT_MAX)
    evidence = _evidence()


class ReturnForm(forms.Form):
    note = text_area(gettext_lazy("What is still missing"), NOTE_MAX, rows=3)
    deadline = date_field(gettext_lazy("New deadline (optional)"), required=False)


class CloseForm(forms.Form):
    conclusion = text_area(gettext_lazy("Conclusion"), TEXT_MAX)
    evidence = _evidence(
        gettext_lazy(
            "Required when a rectification was requested: the evidence that it was checked."
        )
    )


class DismissForm(forms.Form):
    reason = text_area(gettext_lazy("Reason"), NOTE_MAX, rows=3)


# --- the audit trail --------------------------------------------------------------------


class TrailFilterForm(forms.Form):
    unit = VillageField(label=gettext_lazy("Village"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of record"), required=False)
    date_from = date_field(gettext_lazy("From"), required=False)
    date_to = date_field(gettext_lazy("To"), required=False)

    def __init__(self, *args: Any, units: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(VillageField, self.fields["unit"]).set_units(units, _("All villages"))
        if len(units) <= 1:
            del self.fields["unit"]
        _choices(self, "kind", [("", _("Everything")), *AUDIT_KINDS])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
