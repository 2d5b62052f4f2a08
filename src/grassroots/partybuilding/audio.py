"""Recordings of the village songs, checked by their bytes (never by the file's name or
the type the browser declares): MP3 (an ID3 tag, or an MPEG audio frame sync), M4A/AAC
(an ``ftyp`` box with an audio brand), Ogg (``OggS``), WAV (``RIFF....WAVE``) and FLAC
(``fLaC``). At most ``GRASSROOTS_AUDIO_MAX_MB`` (a setting or the environment; 30 MB).

Anything else — a photo renamed ``.mp3``, a text file, an empty file — raises
``PartybuildingError`` on the ``audio`` field; nothing is written.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import PurePath
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.files import Prepared

FIELD: Final = "audio"
DEFAULT_MAX_MB: Final = 30
#: The ``ftyp`` brands of an MPEG-4 file that holds sound only.
AUDIO_BRANDS: Final = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B ", b"mp42", b"isom"})
#: Brands a phone's voice recorder writes, all MPEG-4 audio (3GPP voice memos).
SOUND_ONLY_BRANDS: Final = frozenset({b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "})


def max_bytes() -> int:
    """The largest recording accepted, in bytes: ``GRASSROOTS_AUDIO_MAX_MB`` from the
    settings when mapped there, else from the environment (30); a value that is not a
    whole number from 1 is ``ImproperlyConfigured``."""
    name = "GRASSROOTS_AUDIO_MAX_MB"
    value: Any = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "").strip() or DEFAULT_MAX_MB
    if isinstance(value, bool) or not str(value).isdecimal() or int(value) < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of megabytes, not {value!r}")
    return int(value) * 1024 * 1024


def _mpeg_frame(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits, a valid version, layer, bitrate and
    sample rate (``FF Fx``/``FF Ex`` alone matches too much binary)."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0x03
    layer = (head[1] >> 1) & 0x03
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0x03
    return version != 1 and layer != 0 and bitrate not in (0, 0x0F) and rate != 3


def _adts(head: bytes) -> bool:
    """A raw AAC stream (ADTS header: sync, layer 0)."""
    return len(head) >= 7 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0


def sniff(data: bytes) -> str | None:
    """The content type of a recording by its first bytes, None when it is not one."""
    if data[:3] == b"ID3" and len(data) > 10:
        return "audio/mpeg"
    if _mpeg_frame(data[:4]):
        return "audio/mpeg"
    if _adts(data[:7]):
        return "audio/mp4"
    if data[4:8] == b"ftyp" and data[8:12] in AUDIO_BRANDS:
        if data[8:12] in SOUND_ONLY_BRANDS:
            return "audio/mp4"
        # A generic brand (isom, mp42) is audio only if the compatible brands say so.
        size = int.from_bytes(data[:4], "big")
        compatible = data[16 : min(max(size, 16), 64)]
        if any(compatible[i : i + 4] in SOUND_ONLY_BRANDS for i in range(0, len(compatible), 4)):
            return "audio/mp4"
        return None
    if data[:4] == b"OggS":
        return "audio/ogg"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:4] == b"fLaC":
        return "audio/flac"
    return None


def prepare_audio(upload: Any, *, field: str = FIELD) -> Prepared:
    """Read and check an uploaded recording; the file ready to store, or
    ``PartybuildingError`` on ``field`` (empty, too large, not a recording)."""
    name = PurePath(str(getattr(upload, "name", "") or "")).name
    if upload is None:
        raise PartybuildingError(_("Choose a recording to upload."), field=field)
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(limit, field)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if not isinstance(data, bytes):
        raise PartybuildingError(_("The recording could not be read."), field=field)
    if not data:
        raise PartybuildingError(_("The recording is empty."), field=field)
    if len(data) > limit:
        raise _too_large(limit, field)
    content_type = sniff(data[:64])
    if content_type is None:
        raise PartybuildingError(
            _("%(name)s is not a recording: upload an MP3, M4A (AAC), Ogg, WAV or FLAC audio file.")
            % {"name": name or _("The file")},
            field=field,
            code="type",
        )
    return Prepared(data, content_type, hashlib.sha256(data).hexdigest(), name)


def _too_large(limit: int, field: str) -> PartybuildingError:
    return PartybuildingError(
        _("The recording is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)},
        field=field,
        code="size",
    )
