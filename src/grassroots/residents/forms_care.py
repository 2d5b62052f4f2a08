"""Forms of the care pages: they parse what was typed; the rules are the actions'."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.events.forms import (
    CategoryChoiceField,
    IdempotencyKeyField,
    PhotosField,
    choice_field,
    new_idempotency_key,
)
from grassroots.events.models import Category
from grassroots.org.models import Unit
from grassroots.residents.actions.care import (
    EVERY_MAX,
    FINDINGS_MAX,
    NAME_MAX,
    NOTE_MAX,
    ORDER_MAX,
    REASON_MAX,
)
from grassroots.residents.errors import ResidentsError
from grassroots.residents.models import KeyGroup
from grassroots.residents.queries_care import CareFilter
from grassroots.residents.states import Met

DATE_INPUT = {"type": "date"}
STATES = [
    ("open", _("In care")),
    ("ended", _("Care ended")),
    ("all", _("All")),
]


def apply_error(form: forms.Form, exc: ResidentsError) -> None:
    """Put an action's error on the field it names (else on the form itself)."""
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")
    )


def _group_choices(groups: Iterable[KeyGroup], *, blank: Any = None) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", blank)] if blank is not None else []
    return [*choices, *((g.code, g.name) for g in groups)]


def _unit_choices(units: Iterable[Unit]) -> list[tuple[str, str]]:
    return [("", str(_("All units")))] + [(u.code, u.name) for u in units]


class KeyGroupForm(forms.Form):
    """A key group: created with a code, changed without."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=32,
        help_text=_("Lowercase letters, digits, “-” and “_”; it cannot change later."),
    )
    name = forms.CharField(label=pgettext_lazy("group", "Name"), max_length=NAME_MAX)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    visit_every_days = forms.IntegerField(
        label=_("Visit every (days)"), min_value=1, max_value=EVERY_MAX
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=ORDER_MAX, initial=0)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, group: KeyGroup | None = None, **kwargs: Any) -> None:
        if group is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": group.name,
                "description": group.description,
                "visit_every_days": group.visit_every_days,
                "order": group.order,
                "active": group.active,
            }
        super().__init__(*args, **kwargs)
        self.group = group
        if group is not None:
            del self.fields["code"]


class CareFilterForm(forms.Form):
    q = forms.CharField(label=pgettext_lazy("person", "Name"), required=False, max_length=64)
    group = forms.ChoiceField(label=_("Key group"), required=False)
    unit = forms.ChoiceField(label=_("Unit and below"), required=False)
    state = forms.ChoiceField(label=_("Care"), required=False, choices=STATES)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(
        self, *args: Any, groups: Iterable[KeyGroup] = (), units: Iterable[Unit] = (), **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        choice_field(self, "group").choices = _group_choices(groups, blank=_("All groups"))
        choice_field(self, "unit").choices = _unit_choices(units)

    def filters(self) -> CareFilter:
        """What parsed (a field with an error is shown with it and not applied)."""
        if not self.is_bound:
            return CareFilter()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return CareFilter(
            q=data.get("q") or "",
            group=data.get("group") or "",
            unit=data.get("unit") or "",
            overdue=bool(data.get("overdue")),
            state=data.get("state") or "open",
        )


class OverdueFilterForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit and below"), required=False)
    group = forms.ChoiceField(label=_("Key group"), required=False)

    def __init__(
        self, *args: Any, groups: Iterable[KeyGroup] = (), units: Iterable[Unit] = (), **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        choice_field(self, "group").choices = _group_choices(groups, blank=_("All groups"))
        choice_field(self, "unit").choices = _unit_choices(units)

    def value(self, name: str) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return str(self.cleaned_data.get(name) or "")


class AddToGroupForm(forms.Form):
    group = forms.ChoiceField(label=_("Key group"))
    since = date_field(_("In care since"))
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)

    def __init__(self, *args: Any, groups: Iterable[KeyGroup] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = {g.code: g for g in groups}
        choice_field(self, "group").choices = _group_choices(self.groups.values(), blank="——")
        self.fields["since"].initial = timezone.localdate()

    def chosen_group(self) -> KeyGroup:
        return self.groups[self.cleaned_data["group"]]


class EndCareForm(forms.Form):
    ended_on = date_field(_("Care ended on"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. no longer needs care")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()


class VisitForm(forms.Form):
    """The visit form on the phone; ``problem_found`` opens an event with the category
    and title."""

    visited_on = date_field(_("Visited on"))
    met = forms.ChoiceField(
        label=_("Who did you meet?"), choices=Met.choices, widget=forms.RadioSelect
    )
    findings = forms.CharField(
        label=_("What was found"),
        required=False,
        max_length=FINDINGS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when nobody was met or a problem was found."),
    )
    photos = PhotosField(label=_("Photos"), required=False, camera=True)
    problem_found = forms.BooleanField(
        label=_("A problem was found: open an event"), required=False
    )
    category = CategoryChoiceField(
        label=_("Category of the problem"), queryset=Category.objects.none(), required=False
    )
    title = forms.CharField(label=_("Title of the problem"), max_length=120, required=False)
    idempotency_key = IdempotencyKeyField()

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = CategoryChoiceField(
            label=_("Category of the problem"),
            queryset=Category.objects.active(),
            required=False,
        )
        self.fields["visited_on"].initial = today or timezone.localdate()
        self.fields["visited_on"].widget.attrs["max"] = (today or timezone.localdate()).isoformat()
        if not self.is_bound:
            key = self.fields["idempotency_key"]
            key.initial = new_idempotency_key()
            key.widget.attrs["data-fresh"] = "1"
