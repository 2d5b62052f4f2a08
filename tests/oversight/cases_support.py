"""Shared fixtures and helpers of the oversight case tests (a test module imports the
autouse fixtures ``_clock`` and ``_media`` by name, and ``travel`` where it moves the clock).

The clock stands at Tuesday 2026-09-01 10:00 (Asia/Shanghai) unless a test moves it
forward (``travel``); files go to a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.oversight.actions import cases as actions
from grassroots.oversight.models import Case

CST = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 9, 1)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def at(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=CST)


NOW = at(2026, 9, 1, 10)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def travel() -> Iterator[Callable[[dt.datetime], None]]:
    """``travel(moment)`` moves the clock (forward) for the rest of the test."""
    travellers: list[Any] = []

    def _travel(moment: dt.datetime) -> None:
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield _travel
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf(name: str = "整改报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def photo(name: str = "现场.jpg") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def not_a_document(name: str = "病毒.exe") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a document", content_type="application/pdf")


def open_case(actor: Any, unit: Any, **kw: Any) -> Case:
    fields: dict[str, Any] = {
        "matter": "村集体资金使用未公开",
        "category": "finance",
        "source": "inspection",
        "findings": "2026年上半年村集体资金支出未按规定公开。",
    }
    fields.update(kw)
    return actions.open_case(actor=actor, unit=unit, **fields)


def requested(actor: Any, unit: Any, deadline: dt.date = dt.date(2026, 9, 15)) -> Case:
    """A case of ``unit`` opened by ``actor`` and sent for rectification by ``deadline``."""
    case = open_case(actor, unit)
    return actions.request_rectification(
        case, actor=actor, request="十日内在村务公开栏公开全部支出明细。", deadline=deadline
    )


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)
