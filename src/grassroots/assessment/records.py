"""The records behind a score, as rows a page or the API can show and link.

A metric's ``evidence(unit, period)`` is a queryset of another app's records (events,
tasks, urges…). The assessment knows no other app's models: it reads the records'
fields by name and links each to its page through the URL names below. Personal data
(contacts, reporters, descriptions) is never among the fields shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

#: The page of a record: model label → (URL name, attribute holding the page's key).
PAGES: dict[str, tuple[str, str]] = {
    "events.event": ("events:detail", "pk"),
    "supervision.task": ("supervision:detail", "pk"),
    "supervision.urge": ("supervision:detail", "task_id"),
    "supervision.progressreport": ("supervision:detail", "task_id"),
}
#: The fields a row may show, in this order (those the model has).
SHOWN_FIELDS: tuple[str, ...] = (
    "number",
    "title",
    "status",
    "state",
    "kind",
    "reported_at",
    "deadline",
    "resolve_by",
    "closed_at",
    "completed_at",
    "created_at",
)
#: Never shown, whatever the model (personal data).
HIDDEN = frozenset({"contact_name", "contact_phone", "reporter", "description", "phone"})
#: Annotations the metrics add to their evidence, shown when present.
ANNOTATIONS: tuple[str, ...] = ("in_numerator", "verified_then")


@dataclass(frozen=True, slots=True)
class RecordRow:
    model: str
    id: int
    label: str
    url: str
    #: (field name, column name, shown value) of every field shown.
    cells: tuple[tuple[str, str, str], ...]
    #: Whether the record counts in the metric's numerator (None: the metric does not say).
    counted: bool | None


def _fields(model: type[Model]) -> list[str]:
    names = {f.name for f in model._meta.get_fields() if getattr(f, "concrete", False)}
    return [f for f in SHOWN_FIELDS if f in names and f not in HIDDEN][:6]


def _verbose(model: type[Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def headers(model: type[Model]) -> list[str]:
    """The column names (the fields' verbose names) of ``model``'s rows."""
    return [_verbose(model, f) for f in _fields(model)]


def _cell(obj: Model, name: str) -> str:
    display = getattr(obj, f"get_{name}_display", None)
    if callable(display):
        return str(display())
    value = getattr(obj, name, None)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def page_url(obj: Model) -> str:
    """The page of the record, or "" when it has none."""
    found = PAGES.get(obj._meta.label_lower)
    if found is None:
        return ""
    name, attr = found
    try:
        return reverse(name, args=[getattr(obj, attr)])
    except NoReverseMatch:
        return ""


def label_of(obj: Model) -> str:
    for name in ("number", "title"):
        value = getattr(obj, name, None)
        if value:
            return str(value)
    return f"{obj._meta.verbose_name} {obj.pk}"


def rows(objects: Any) -> list[RecordRow]:
    """Rows of the records (an iterable of one model's instances)."""
    found: list[RecordRow] = []
    for obj in objects:
        fields = _fields(type(obj))
        counted = getattr(obj, "in_numerator", None)
        found.append(
            RecordRow(
                model=obj._meta.label_lower,
                id=int(obj.pk),
                label=label_of(obj),
                url=page_url(obj),
                cells=tuple((f, _verbose(type(obj), f), _cell(obj, f)) for f in fields),
                counted=None if counted is None else bool(counted),
            )
        )
    return found
