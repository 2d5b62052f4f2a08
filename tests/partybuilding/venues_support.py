"""Shared pieces of the venues tests: a fixed day, photos, a venue made through the
action, and an inspection meeting (or not) the seeded standard."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grassroots.partybuilding.actions import venues as actions
from grassroots.partybuilding.models import ChecklistItem, Venue

TODAY = dt.date(2026, 5, 20)
NOW = dt.datetime(2026, 5, 20, 2, tzinfo=dt.UTC)  # 10:00 in 西昌


def photo(name: str = "venue.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def not_a_photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("fake.png", b"this is not an image", content_type="image/png")


def venue(actor: Any, unit: Any, name: str = "礼州村党群服务中心", **kw: Any) -> Venue:
    values: dict[str, Any] = {"kind": "activity", "status": "in_use", "built_on": "2025-01-01"}
    values.update(kw)
    return actions.create_venue(actor=actor, unit=unit, name=name, **values)


def items() -> list[ChecklistItem]:
    return list(ChecklistItem.objects.filter(active=True).order_by("order", "pk"))


def all_ids() -> list[int]:
    return [i.pk for i in items()]


def ids_without(*drop: int) -> list[int]:
    """Every active item but those at the positions ``drop`` (0-based, in order)."""
    return [i.pk for n, i in enumerate(items()) if n not in drop]


def inspect(actor: Any, v: Venue, on: dt.date | str, met: list[int], **kw: Any) -> Any:
    return actions.record_inspection(v.pk, actor=actor, inspected_on=on, met=met, **kw)
