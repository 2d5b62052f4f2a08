"""Files of the party-building records (minutes, inspection and history photos, song
recordings): checked by their bytes before anything is written, stored once by SHA-256 under
``MEDIA_ROOT/partybuilding/ab/<sha>.<ext>``, served only to whoever may see the record.

* photos go through the events' photo cleaning (decoded, turned upright, shrunk, re-encoded
  without metadata: the EXIF position is gone) — ``prepare_photos``;
* documents (minutes: PDF, Word, Excel without macros, or a photo of the signed page) go
  through the supervision evidence check — ``prepare_document``;
* recordings are checked by ``partybuilding.audio``.

A refused file raises ``PartybuildingError`` on the form's field; a file written by a
transaction that later rolls back stays on disk unreferenced (content-addressed, a retry
reuses it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404

from grassroots.common import storage
from grassroots.events import attachments
from grassroots.events.errors import EventError
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.supervision import evidence
from grassroots.supervision.errors import SupervisionError

#: Every content type a stored file can have, with its extension.
EXTENSIONS: dict[str, str] = {
    **evidence.CONTENT_TYPES,
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "audio/flac": "flac",
}
#: Served inline (a photo in a page, a recording in a player); anything else downloads.
INLINE = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/webp",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "audio/wav",
        "audio/flac",
    }
)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A checked file ready to store (``FileFields`` of a row take its attributes)."""

    data: bytes
    content_type: str
    sha256: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "bin")

    def fields(self) -> dict[str, Any]:
        """The ``FileFields`` values of a row for this file."""
        return {
            "sha256": self.sha256,
            "content_type": self.content_type,
            "size": self.size,
            "original_name": self.original_name[:255],
        }


def prepare_photos(
    uploads: Iterable[Any] | None, *, field: str, max_count: int = 9
) -> list[Prepared]:
    """Check and clean every photo before anything is written; the first bad one raises."""
    try:
        photos = attachments.prepare_photos(list(uploads or ()), max_count=max_count)
    except EventError as exc:
        raise PartybuildingError(exc.message, field=field, code=exc.code) from exc
    return [Prepared(p.data, p.content_type, p.sha256, p.original_name) for p in photos]


def prepare_document(upload: Any, *, field: str) -> Prepared:
    """Check a document (PDF, Word, Excel without macros, or a photo)."""
    try:
        doc = evidence.prepare_evidence(upload)
    except SupervisionError as exc:
        raise PartybuildingError(exc.message, field=field, code=exc.code) from exc
    return Prepared(doc.data, doc.content_type, doc.sha256, doc.original_name)


def storage_path(sha256: str, content_type: str) -> Path:
    """Where the file with this digest is stored."""
    extension = EXTENSIONS.get(content_type, "bin")
    return Path(settings.MEDIA_ROOT) / "partybuilding" / sha256[:2] / f"{sha256}.{extension}"


def write(prepared: Prepared) -> Path:
    """Store the bytes under their digest, once; atomic (temporary file, then rename)."""
    return storage.store_once(storage_path(prepared.sha256, prepared.content_type), prepared.data)


def serve(row: Any, *, download_name: str = "") -> FileResponse:
    """The file of a row with ``FileFields`` (404 when it has none or it is missing):
    photos and recordings inline, documents as a download. The caller checks the scope."""
    if not getattr(row, "sha256", ""):
        raise Http404
    path = storage_path(row.sha256, row.content_type)
    if not path.is_file():
        raise Http404
    inline = row.content_type in INLINE
    response = FileResponse(
        path.open("rb"),
        content_type=row.content_type,
        as_attachment=not inline,
        filename=download_name or row.original_name or path.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response
