"""POST requests: the form of a GeoReport v2 service request, shaped for ``report_event``.

The form is the specification's: ``api_key``, ``service_code``, ``lat`` and ``long`` or
``address_string`` (``address_id`` alone is not enough: we keep no address register),
``first_name``, ``last_name``, ``phone``, ``description``, ``attribute[code]`` (and
``attribute[code][]`` for each value of a multivaluelist). ``email``, ``device_id``,
``account_id`` and ``media_url`` are accepted and not kept (an event has no field for
them; we fetch no remote media). A photo may come as a multipart file named ``media`` (a
common extension of the specification).

The checks of the content (position inside the jurisdiction, phone, attributes against the
service definition, photo) are ``report_event``'s; its errors name our field, which
:func:`open311_field` turns back into the name the client sent.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from grassroots.events.models import Category, Event, EventSource
from grassroots.open311.attributes import posted_answers
from grassroots.open311.models import ApiKey

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_CJK = re.compile(r"[\u3400-\u9fff]")
#: Title of an event: the start of the description, this long at most.
TITLE_CHARS = 60

#: Our field names (in EventError.field) → the form field of the specification.
FIELD_NAMES = {
    "lat": "lat",
    "lon": "long",
    "location": "lat/long",
    "address": "address_string",
    "contact_name": "first_name/last_name",
    "contact_phone": "phone",
    "description": "description",
    "title": "description",
    "category": "service_code",
    "photos": "media",
    "idempotency_key": "Idempotency-Key",
}


class IntakeError(Exception):
    """The request cannot be taken: ``status`` (400, 403) and a message for people."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Submission:
    """A POST shaped for ``report_event``."""

    category: Category
    title: str
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    photos: list[UploadedFile] = field(default_factory=list)


def open311_field(ours: str | None) -> str | None:
    """The name of the form field an error of ours is about (``attribute[X]`` stays)."""
    if ours is None or ours == "__all__":
        return None
    return FIELD_NAMES.get(ours, ours)


def _number(form: Any, name: str) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise IntakeError(
            _("%(name)s must be a number (WGS 84 degrees), not “%(value)s”.")
            % {"name": name, "value": raw[:40]}
        ) from None


def _contact_name(form: Any) -> str:
    first, last = form.get("first_name", "").strip(), form.get("last_name", "").strip()
    # Chinese names are written family name first, without a space.
    if _CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def _answers(form: Any) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    for key in form:
        match = _ATTRIBUTE.match(key)
        if match:
            answers.setdefault(match.group(1), []).extend(form.getlist(key))
    return answers


def parse(form: Any, files: Any) -> Submission:
    """Shape the form of a POST (a QueryDict); IntakeError for what is missing."""
    code = form.get("service_code", "").strip()
    if not code:
        raise IntakeError(_("service_code is required."))
    try:
        category = Category.objects.public().get(code=code)
    except Category.DoesNotExist:
        raise IntakeError(
            _("service_code “%(code)s” is not a service here.") % {"code": code}
        ) from None
    lat, lon = _number(form, "lat"), _number(form, "long")
    address = form.get("address_string", "").strip()
    if lat is None and lon is None and not address:
        if form.get("address_id", "").strip():
            raise IntakeError(
                _("address_id is not known here: give lat and long, or address_string.")
            )
        raise IntakeError(_("A location is required: give lat and long, or address_string."))
    description = form.get("description", "").strip()
    first_line = description.splitlines()[0].strip() if description else ""
    return Submission(
        category=category,
        title=first_line[:TITLE_CHARS] or category.name,
        description=description,
        lat=lat,
        lon=lon,
        address=address,
        contact_name=_contact_name(form),
        contact_phone=form.get("phone", "").strip(),
        attributes=posted_answers(category.attributes, _answers(form)),
        photos=list(files.getlist("media")) if files else [],
    )


def token_for(api_key: ApiKey, idempotency_key: str | None) -> str:
    """The event's idempotency key, which is also its Open311 token.

    With an ``Idempotency-Key`` header it is derived from the header and the partner, so
    a retry finds the first event; without one it is random.
    """
    if idempotency_key:
        digest = hashlib.sha256(f"{api_key.pk}:{idempotency_key}".encode()).hexdigest()
        return f"o311-{digest[:40]}"
    return f"o311-{uuid.uuid4().hex}"


def submit(submission: Submission, *, token: str) -> Event:
    """Report the event (``events.actions.report_event``) as an Open311 client."""
    from grassroots.events.actions import report_event

    return report_event(
        actor=None,
        category=submission.category,
        title=submission.title,
        source=EventSource.OPEN311,
        description=submission.description,
        lat=submission.lat,
        lon=submission.lon,
        address=submission.address,
        contact_name=submission.contact_name,
        contact_phone=submission.contact_phone,
        attributes=submission.attributes,
        photos=submission.photos,
        idempotency_key=token,
    )
