"""Shared pieces of the meetings tests: a fixed clock (2026-10-20 in 西昌), a minutes
document, attendance rows, and a monthly meeting of 礼州村 planned and held through the
actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.partybuilding.actions import meetings as actions
from grassroots.partybuilding.models import Meeting

TODAY = dt.date(2026, 10, 20)
NOW = dt.datetime(2026, 10, 20, 2, tzinfo=dt.UTC)  # 10:00 in 西昌
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def media(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    return settings.MEDIA_ROOT


def minutes_pdf(name: str = "会议记录.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def rows(present: int = 5, absent: int = 2) -> list[dict[str, Any]]:
    """``present`` voting members present and ``absent`` voting members absent."""
    found = [
        {"name": f"党员{i}", "post": "支委", "voting": "1", "present": "1"} for i in range(present)
    ]
    found += [
        {"name": f"缺席{i}", "post": "委员", "voting": "1", "absence_reason": "外出务工"}
        for i in range(absent)
    ]
    return found


def planned(actor: Any, unit: Any, period: str = "2026-10", **kw: Any) -> Meeting:
    return actions.plan_meeting(actor=actor, unit=unit, kind="party_monthly", period=period, **kw)


def held(actor: Any, unit: Any, period: str = "2026-10", on: str = "2026-10-15") -> Meeting:
    meeting = planned(actor, unit, period)
    return actions.record_held(meeting.pk, actor=actor, held_on=on, attendance=rows())
