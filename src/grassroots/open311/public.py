"""What Open311 shows of our data: services, service definitions, service requests.

Everything here is public (GET needs no key), so a request shows no name or phone of
anyone, the position only to about 100 m (three decimals), and digits that look like a
mobile or ID number in the description are masked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from grassroots.common.masking import mask_id_number, mask_phone
from grassroots.events.models import ActionKind, Category, Event, EventAction
from grassroots.events.states import CLOSED_STATUSES, EventStatus
from grassroots.open311.attributes import definitions

#: Decimals of lat/long shown to the public: 0.001° is about 100 m.
POSITION_DECIMALS = 3

_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def w3c(moment: dt.datetime | None) -> str | None:
    """2026-11-25T09:30:00+08:00: local time with its offset (W3C / ISO 8601)."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def scrub(text: str) -> str:
    """Mask what looks like an ID number or a mobile number in free text."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)


def services() -> QuerySet[Category]:
    return Category.objects.public().select_related("parent").order_by("order", "code")


def service_data(category: Category) -> dict[str, Any]:
    parent = category.parent
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(definitions(category.attributes)),
        "type": "realtime",
        "keywords": category.keywords,
        "group": parent.name if parent is not None else category.name,
    }


def service_definition_data(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": definitions(category.attributes)}


def public_requests() -> QuerySet[Event]:
    """Events that Open311 lists: in public categories, with a number."""
    reasons = EventAction.objects.filter(kind=ActionKind.REJECT).order_by("-created_at", "-id")
    return (
        Event.objects.filter(category__public=True, number__isnull=False)
        .select_related("category", "assignee")
        .prefetch_related(Prefetch("actions", queryset=reasons, to_attr="rejections"))
        .only(
            "number",
            "title",
            "description",
            "category__code",
            "category__name",
            "status",
            "assignee__name",
            "address",
            "lat",
            "lon",
            "reported_at",
            "updated_at",
            "resolve_by",
        )
        .order_by("-reported_at", "-id")
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, POSITION_DECIMALS)


def status_notes(event: Event) -> str:
    """Our status in words, and the reason when the event was refused."""
    notes = str(event.get_status_display())
    if event.status == EventStatus.REJECTED:
        rejections: list[EventAction] = getattr(event, "rejections", [])
        if rejections and rejections[0].note:
            notes = f"{notes}: {scrub(rejections[0].note)}"
    return notes


def request_data(event: Event) -> dict[str, Any]:
    """One service request as GET requests shows it."""
    return {
        "service_request_id": event.number,
        "status": "closed" if event.status in CLOSED_STATUSES else "open",
        "status_notes": status_notes(event),
        "service_name": event.category.name,
        "service_code": event.category.code,
        "description": scrub(event.description or event.title),
        "agency_responsible": event.assignee.name,
        "service_notice": "",
        "requested_datetime": w3c(event.reported_at),
        "updated_datetime": w3c(event.updated_at),
        "expected_datetime": w3c(event.resolve_by),
        "address": event.address,
        "address_id": None,
        "zipcode": None,
        "lat": _round(event.lat),
        "long": _round(event.lon),
        # Photos are for the staff; we keep no public media of a request.
        "media_url": None,
    }


def requests_data(events: Iterable[Event]) -> list[dict[str, Any]]:
    return [request_data(event) for event in events]
