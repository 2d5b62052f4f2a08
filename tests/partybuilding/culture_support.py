"""Helpers of the culture archive's tests: audio and image bytes, uploads, records."""

from __future__ import annotations

import io
import struct
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from grassroots.audit.models import AuditEntry
from grassroots.partybuilding.models import FamilyMotto, Performer, Song, VillageHistory


def wav_bytes(samples: int = 4000) -> bytes:
    """A short silent 8 kHz mono 8-bit WAV."""
    data = b"\x80" * samples
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 8000, 1, 8)
    return header + fmt + b"data" + struct.pack("<I", len(data)) + data


MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 400
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 400
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 100
MP4_VIDEO = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 100
OGG = b"OggS\x00\x02" + b"\x00" * 100
FLAC = b"fLaC\x00\x00\x00\x22" + b"\x00" * 100


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (20, 120, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "audio/mpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def song(unit: Any, title: str = "礼州之歌", **kw: Any) -> Song:
    kw.setdefault("sha256", "")
    kw.setdefault("content_type", "")
    kw.setdefault("size", 0)
    return Song.objects.create(unit=unit, unit_path=unit.path, title=title, **kw)


def history(unit: Any, title: str = "建村记", body: str = "<p>古镇</p>") -> VillageHistory:
    return VillageHistory.objects.create(unit=unit, unit_path=unit.path, title=title, body=body)


def motto(unit: Any, family: str = "王家", text: str = "勤俭持家", story: str = "") -> FamilyMotto:
    return FamilyMotto.objects.create(
        unit=unit, unit_path=unit.path, family=family, motto=text, story=story
    )


def performer(unit: Any, name: str = "阿说莫", **kw: Any) -> Performer:
    kw.setdefault("specialty", "singing")
    kw.setdefault("phone", "13912345678")
    return Performer.objects.create(unit=unit, unit_path=unit.path, name=name, **kw)


def audits(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def media_root(tmp_path: Any, settings: Any) -> Any:
    """Point MEDIA_ROOT at a temporary folder (call from a fixture)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
