"""Forms of the supervision pages: the list filters, the new-task form and one small form
per action on a task's page.

The forms only parse what a person typed; the rules (scope, dates within the task, a split
within the target, a value within the target, the type of an evidence file) live in the
actions, whose ``SupervisionError`` the views put back on the field it names
(``apply_error``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from grassroots.common.uploads import SpreadsheetUploadForm
from grassroots.events.forms import MultipleFileInput, choice_field
from grassroots.org.models import Unit
from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.evidence import MAX_FILES
from grassroots.supervision.models import SplitBasis, TaskKind, TaskLevel
from grassroots.supervision.states import DisplayStatus

NOTE_MAX = 2000
EVIDENCE_TYPES = (
    "image/jpeg,image/png,image/webp,application/pdf,.xlsx,.docx,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def note_field(label: Any = None, *, required: bool = False, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"),
        required=required,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def number_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    """A number typed as text (the action checks range and decimal places exactly)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=24,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class EvidenceField(forms.FileField):
    """Photos and documents from one ``<input type="file" multiple>``; cleans to a list
    (the action checks each file by its content)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_TYPES}))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", _("Photos (JPEG, PNG, WebP), PDF, Excel (.xlsx) or Word (.docx).")
        )
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
        return [super(EvidenceField, self).clean(item, initial) for item in items]


def apply_error(form: forms.Form, exc: SupervisionError, aliases: dict[str, str]) -> None:
    """Put an action's error on the form field it names (else on the form itself)."""
    field = aliases.get(exc.field or "", exc.field)
    if field and field in form.fields:
        form.add_error(field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


# --- the list ----------------------------------------------------------------------------


class TaskFilterForm(forms.Form):
    """Filters of the task list; a field that does not parse is shown with its error and
    not applied."""

    q = forms.CharField(label=_("Title or document number"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    level = forms.ChoiceField(label=_("Supervision level"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    due_from = date_field(_("Deadline from"), required=False)
    due_to = date_field(_("Deadline to"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "kind").choices = [("", _("All kinds")), *TaskKind.choices]
        choice_field(self, "level").choices = [("", _("All levels")), *TaskLevel.choices]
        choice_field(self, "status").choices = [("", _("All statuses")), *DisplayStatus.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("due_from"), data.get("due_to")
        if start and end and start > end:
            self.add_error("due_to", _("The end date is before the start date."))
        return data

    def valid_data(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}


# --- a new task ----------------------------------------------------------------------------


def parse_milestones(text: str) -> list[tuple[str, dt.date]]:
    """One milestone a line: ``2026-10-31 完成选址`` (date, a space, the title)."""
    found: list[tuple[str, dt.date]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        day, _sep, title = line.partition(" ")
        try:
            due = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise ValidationError(
                _("Line %(n)d: start with a date such as 2026-10-31, then the title."),
                code="invalid",
                params={"n": number},
            ) from None
        if not title.strip():
            raise ValidationError(
                _("Line %(n)d: the milestone needs a title after the date."),
                code="invalid",
                params={"n": number},
            )
        found.append((title.strip(), due))
    return found


def label(unit: Unit) -> str:
    return f"{'　' * max(0, unit.depth - 1)}{unit.name}"


class TaskForm(forms.Form):
    """下达任务: a root task from a document, with its milestones and target."""

    title = forms.CharField(label=_("Title"), max_length=200)
    doc_number = forms.CharField(label=_("Document number"), required=False, max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices)
    level = forms.ChoiceField(
        label=_("Supervision level"), choices=TaskLevel.choices, initial=TaskLevel.NORMAL
    )
    unit = forms.ChoiceField(
        label=_("Responsible unit"),
        help_text=_(
            "Your own unit: a task to split among the units below; a unit below: its task."
        ),
    )
    co_units = forms.MultipleChoiceField(
        label=_("Co-units"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    start_date = date_field(_("Start date"), required=False, help_text=_("Today if left empty."))
    deadline = date_field(_("Deadline"))
    target_value = number_field(
        _("Target"), help_text=_("Leave empty to report progress in percent.")
    )
    target_measure = forms.CharField(
        label=_("Unit of measure"),
        required=False,
        max_length=16,
        help_text=_("For example 万元, 处, 户."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2026-10-31 完成选址"}),
        help_text=_("One a line: the date, a space, the title."),
    )
    budget = number_field(_("Budget (10,000 yuan)"), help_text=_("Livelihood projects only."))
    location = forms.CharField(label=_("Location"), required=False, max_length=200)
    beneficiaries = forms.CharField(label=_("Beneficiaries"), required=False, max_length=200)

    def __init__(self, *args: Any, units: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        choices = [(u.code, label(u)) for u in units]
        choice_field(self, "unit").choices = [("", "——"), *choices]
        choice_field(self, "co_units").choices = choices

    def clean_unit(self) -> Unit:
        unit = self.units.get(self.cleaned_data["unit"])
        if unit is None:
            raise ValidationError(_("Choose a unit from the list."), code="invalid_choice")
        return unit

    def clean_co_units(self) -> list[Unit]:
        return [self.units[c] for c in self.cleaned_data.get("co_units") or [] if c in self.units]

    def clean_milestones(self) -> list[tuple[str, dt.date]]:
        return parse_milestones(self.cleaned_data.get("milestones") or "")


# --- one form per action -----------------------------------------------------------------


class NoteForm(forms.Form):
    note = note_field()


class ReasonForm(forms.Form):
    reason = note_field(_("Reason"), required=True)


class CascadeForm(forms.Form):
    """分解下达: by hand (a share per unit), pro rata by households or population, or —
    for a task without a target — to the units ticked."""

    basis = forms.ChoiceField(
        label=_("How to split"), choices=SplitBasis.choices, widget=forms.RadioSelect
    )
    units = forms.MultipleChoiceField(
        label=_("Units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    deadline = date_field(
        _("Deadline of the sub-tasks"),
        required=False,
        help_text=_("The task's deadline if left empty; it may be earlier, not later."),
    )
    note = note_field()

    def __init__(
        self,
        *args: Any,
        units: Sequence[Unit] = (),
        with_target: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = list(units)
        self.with_target = with_target
        if with_target:
            del self.fields["units"]
            self.share_names: list[tuple[str, Unit]] = []
            for unit in self.candidates:
                name = f"share_{unit.code}"
                self.fields[name] = number_field(unit.name)
                self.share_names.append((name, unit))
            self.fields["basis"].initial = SplitBasis.MANUAL
        else:
            del self.fields["basis"]
            self.share_names = []
            choice_field(self, "units").choices = [(u.code, u.name) for u in self.candidates]
        # the note and the deadline after the shares
        order = [n for n in self.fields if n not in ("deadline", "note")]
        self.order_fields([*order, "deadline", "note"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.with_target:
            shares: dict[Unit, str] = {}
            for name, unit in self.share_names:
                raw = (data.get(name) or "").strip()
                if raw:
                    shares[unit] = raw
            data["shares"] = shares
            if data.get("basis") == SplitBasis.MANUAL and not shares:
                raise ValidationError(_("Give the share of at least one unit."), code="required")
        else:
            by_code = {u.code: u for u in self.candidates}
            data["units"] = [by_code[c] for c in data.get("units") or [] if c in by_code]
            if not data["units"]:
                self.add_error("units", _("Choose the units to assign the task to."))
        return data

    def share_fields(self) -> list[Any]:
        return [self[name] for name, _unit in self.share_names]


class ReportForm(forms.Form):
    """报送进度: the amount reached so far (a task with a target) or a percentage."""

    value = number_field(_("Amount reached so far"))
    percent = number_field(_("Progress (%)"))
    note = note_field(_("What was done"), rows=3)
    evidence = EvidenceField(label=_("Evidence"))

    def __init__(
        self, *args: Any, with_target: bool = True, measure: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if with_target:
            del self.fields["percent"]
            self.fields["value"].required = True
            if measure:
                self.fields["value"].label = _("Amount reached so far (%(measure)s)") % {
                    "measure": measure
                }
            self.fields["value"].help_text = _(
                "The total reached since the start, not this week's."
            )
        else:
            del self.fields["value"]
            self.fields["percent"].required = True


class VerifyForm(forms.Form):
    ACCEPT, RETURN = "accept", "return"
    report = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Result of the verification"),
        choices=[(ACCEPT, _("Accept: it counts")), (RETURN, _("Return with a reason"))],
        widget=forms.RadioSelect,
    )
    reason = note_field(_("Reason for returning"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == self.RETURN and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the report is returned."))
        return data


class ExtensionForm(forms.Form):
    requested_deadline = date_field(_("New deadline"))
    reason = note_field(_("Reason"), required=True)


class DecideExtensionForm(forms.Form):
    APPROVE, REFUSE = "approve", "refuse"
    request = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REFUSE, _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = note_field(_("Note or reason"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == self.REFUSE and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the extension is refused."))
        return data


class MilestoneDoneForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput)
    note = note_field()
    evidence = EvidenceField(label=_("Evidence"))


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_date = date_field(_("Due date"))


class FeasibilityForm(forms.Form):
    YES, NO = "yes", "no"
    feasible = forms.ChoiceField(
        label=_("Decision"),
        choices=[(YES, _("Feasible: carry it out")), (NO, _("Not feasible now"))],
        widget=forms.RadioSelect,
    )
    explanation = forms.CharField(
        label=_("Public explanation"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown to residents on the public portal; required when not feasible. "
            "No names, phone or ID numbers."
        ),
    )


# --- import from a spreadsheet -------------------------------------------------------------


class TaskImportForm(SpreadsheetUploadForm):
    """The task list to import: an Excel workbook (.xlsx) or a CSV file (checked as
    ``common.uploads.SpreadsheetUploadForm`` does); the rows are checked by
    ``importing.import_tasks``."""

    file_label = _("Task list (Excel or CSV)")
