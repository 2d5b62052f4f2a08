"""Evidence of progress: checked by content, cleaned, stored by SHA-256 under the data
directory.

What happens to an upload (``prepare_evidence``):

1. At most ``conf.evidence_max_bytes()`` are read (``GRASSROOTS_SUPERVISION_EVIDENCE_MAX_MB``,
   by default the photo limit ``GRASSROOTS_PHOTO_MAX_MB``); a larger file is refused.
2. The type is decided by the bytes, never by the name or the declared type:

   * JPEG, PNG, WebP photos go through the photo cleaning of grid events
     (``events.attachments.prepare_photo``, the one named interface used here): decoded
     in full, turned upright, shrunk to 4096 px and re-encoded without metadata, so the
     EXIF GPS position and camera serial are gone before anyone sees the file;
   * PDF: starts with ``%PDF-`` and has an end-of-file marker;
   * Excel ``.xlsx`` and Word ``.docx``: a ZIP whose ``[Content_Types].xml`` declares a
     workbook or a document as its main part; macro-enabled files (``vbaProject.bin``,
     ``.xlsm``/``.docm`` content types) and ZIPs that would inflate beyond
     ``MAX_UNPACKED`` are refused.

   Documents are stored as sent; views must serve them as downloads
   (``Content-Disposition: attachment``), never inline.
3. The stored bytes are named by their SHA-256: ``MEDIA_ROOT/supervision/ab/<sha>.<ext>``
   (``MEDIA_ROOT`` is ``<data dir>/media``). Identical files are stored once; each report
   or milestone links to its file through an ``Evidence`` row.

Bad files raise ``SupervisionError(field="evidence")`` before anything is written. A file
written by a transaction that later rolls back stays on disk unreferenced (it is
content-addressed, a retry reuses it); nothing reads files without a row.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from grassroots.common import storage
from grassroots.supervision import conf
from grassroots.supervision.errors import SupervisionError

if TYPE_CHECKING:
    from grassroots.org.models import User
    from grassroots.supervision.models import Evidence, Milestone, ProgressReport, Task

FIELD = "evidence"
#: Files accepted with one report or milestone.
MAX_FILES = 9
#: A ZIP (xlsx, docx) may not unpack to more than this, nor hold more entries.
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ENTRIES = 5000

PDF = ("application/pdf", "pdf")
XLSX = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
#: The main part each accepted Office format declares in ``[Content_Types].xml``.
_OFFICE_MAIN = {
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
}
_MACRO_MARKERS = (b"macroEnabled", b"vnd.ms-office.vbaProject")
#: Every content type an ``Evidence`` row can have, with its file extension.
CONTENT_TYPES: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    PDF[0]: PDF[1],
    XLSX[0]: XLSX[1],
    DOCX[0]: DOCX[1],
}


@dataclass(frozen=True, slots=True)
class PreparedEvidence:
    """A checked (and, for photos, cleaned) file, ready to store."""

    data: bytes
    content_type: str
    extension: str
    sha256: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_photo(self) -> bool:
        return self.content_type in PHOTO_TYPES


def _refuse(message: str, code: str) -> SupervisionError:
    return SupervisionError(message, field=FIELD, code=code)


def _not_accepted() -> SupervisionError:
    return _refuse(
        _(
            "This type of file is not accepted: send a JPEG, PNG or WebP photo, a PDF, an "
            "Excel (.xlsx) or a Word (.docx) document."
        ),
        "wrong_type",
    )


def _read_limited(upload: Any) -> bytes:
    limit = conf.evidence_max_bytes()
    too_big = _("The file is larger than %(mb)s MB.") % {"mb": f"{limit / 1048576:g}"}
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _refuse(too_big, "too_large")
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            upload.seek(0)
        try:
            data = upload.read(limit + 1)
        except (AttributeError, OSError, ValueError):
            raise _refuse(_("The file could not be read."), "unreadable") from None
        if not isinstance(data, bytes):
            raise _refuse(_("The evidence must be sent as a file."), "not_a_file")
    if len(data) > limit:
        raise _refuse(too_big, "too_large")
    if not data:
        raise _refuse(_("The file is empty."), "empty")
    return data


def _name_of(upload: Any) -> str:
    name = str(getattr(upload, "name", "") or "")
    return "".join(ch for ch in os.path.basename(name) if ch.isprintable())[:255]


def _photo(data: bytes) -> tuple[bytes, str, str]:
    # The photo cleaning of grid events, through its public function: one implementation
    # of the decoder checks and the metadata stripping for the whole site.
    from grassroots.events.attachments import prepare_photo
    from grassroots.events.errors import EventError

    try:
        photo = prepare_photo(data)
    except EventError as exc:
        raise _refuse(exc.message, exc.code) from None
    return photo.data, photo.content_type, photo.extension


def _pdf(data: bytes) -> tuple[bytes, str, str]:
    if b"%%EOF" not in data[-2048:]:
        raise _refuse(_("The PDF is damaged or incomplete."), "damaged")
    return data, *PDF


def _office(data: bytes) -> tuple[bytes, str, str]:
    damaged = _refuse(_("The spreadsheet or document is damaged."), "damaged")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED:
                raise damaged
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names:
                raise _not_accepted()
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                raise damaged
            types = archive.read(info)
    except SupervisionError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, ValueError, EOFError):
        raise damaged from None
    except Exception:  # any failure on hostile input is a bad file, never a 500
        raise damaged from None
    if any(marker in types for marker in _MACRO_MARKERS) or any(
        name.lower().endswith("vbaproject.bin") for name in names
    ):
        raise _refuse(_("Files with macros are not accepted; save it as .xlsx or .docx."), "macro")
    for main, (content_type, extension) in _OFFICE_MAIN.items():
        if main in types:
            return data, content_type, extension
    raise _not_accepted()


def prepare_evidence(upload: Any) -> PreparedEvidence:
    """Check (and for photos clean) one upload: a Django ``UploadedFile``, a binary file
    or bytes. ``SupervisionError(field="evidence")`` when it is too large, empty, of a type
    not accepted by its content, damaged, or a document with macros."""
    data = _read_limited(upload)
    head = data[:16]
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        cleaned, content_type, extension = _photo(data)
    elif head.startswith(b"%PDF-"):
        cleaned, content_type, extension = _pdf(data)
    elif head.startswith(b"PK\x03\x04"):
        cleaned, content_type, extension = _office(data)
    else:
        raise _not_accepted()
    return PreparedEvidence(
        data=cleaned,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(cleaned).hexdigest(),
        original_name=_name_of(upload),
    )


def prepare_all(uploads: Iterable[Any] | None) -> list[PreparedEvidence]:
    """Check every upload before anything is written; the first bad one raises."""
    items = list(uploads or ())
    if len(items) > MAX_FILES:
        raise _refuse(_("At most %(n)d files may be sent at once.") % {"n": MAX_FILES}, "too_many")
    return [i if isinstance(i, PreparedEvidence) else prepare_evidence(i) for i in items]


def storage_path(sha256: str, extension: str) -> Path:
    """Where the file with this digest is stored."""
    return Path(settings.MEDIA_ROOT) / "supervision" / sha256[:2] / f"{sha256}.{extension}"


def evidence_path(evidence: Evidence) -> Path:
    """The file of an ``Evidence`` row on disk (for the views that serve it)."""
    return storage_path(evidence.sha256, evidence.extension)


def write_file(prepared: PreparedEvidence) -> Path:
    """Store the bytes under their digest, once; atomic (temporary file, then rename)."""
    return storage.store_once(storage_path(prepared.sha256, prepared.extension), prepared.data)


def store_evidence(
    task: Task,
    files: Sequence[PreparedEvidence],
    *,
    report: ProgressReport | None = None,
    milestone: Milestone | None = None,
    uploaded_by: User | None = None,
) -> list[Evidence]:
    """Write prepared files and their ``Evidence`` rows (inside the action's
    transaction). The same file twice in one call is stored once."""
    from grassroots.supervision.models import Evidence

    rows: list[Evidence] = []
    seen: set[str] = set()
    for item in files:
        if item.sha256 in seen:
            continue
        seen.add(item.sha256)
        write_file(item)
        rows.append(
            Evidence(
                task=task,
                report=report,
                milestone=milestone,
                sha256=item.sha256,
                content_type=item.content_type,
                extension=item.extension,
                size=item.size,
                original_name=item.original_name,
                uploaded_by=uploaded_by if uploaded_by is not None and uploaded_by.pk else None,
            )
        )
    return Evidence.objects.bulk_create(rows)
