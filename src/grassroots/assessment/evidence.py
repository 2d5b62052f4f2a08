"""Evidence files of the assessment (依据: a manual entry's document, an appeal's proof).

``check_evidence`` decides whether an upload may be stored, by its bytes and its name
together: a PDF, a JPEG or PNG photo, an Excel workbook (.xlsx) or a Word document (.docx),
at most 10 MB. The name's extension must agree with the content (a renamed executable is
refused whatever it is called). Photos are decoded in full and re-encoded without their
metadata (the EXIF GPS position and camera serial are gone); Office files must be real
workbooks or documents without macros and must not inflate beyond a bound. Anything else
is an ``AssessmentError`` on the field ``evidence``, raised before anything is written.
Views serve the stored files as downloads only.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from grassroots.assessment.errors import AssessmentError

FIELD = "evidence"
MAX_BYTES = 10 * 1024 * 1024
#: A ZIP (xlsx, docx) may not unpack to more than this, nor hold more entries.
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ENTRIES = 5000
#: Photos beyond this many pixels are refused (a decompression bomb is not a photo).
MAX_PIXELS = 60_000_000

#: Accepted extensions and the kind of content each must hold.
KINDS: dict[str, str] = {
    "pdf": "pdf",
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "xlsx": "xlsx",
    "docx": "docx",
}
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_OFFICE_MAIN = {
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
}
_MACRO_MARKERS = (b"macroEnabled", b"vnd.ms-office.vbaProject")
#: What the file inputs offer (the check is still done on the server).
ACCEPT = ".pdf,.jpg,.jpeg,.png,.xlsx,.docx"


@dataclass(frozen=True, slots=True)
class CheckedEvidence:
    """A checked file, ready to be stored in a ``FileField``."""

    data: bytes
    name: str
    kind: str

    def as_file(self) -> ContentFile[bytes]:
        return ContentFile(self.data, name=self.name)


def _refuse(message: str, code: str) -> AssessmentError:
    return AssessmentError(message, field=FIELD, code=code)


def _not_accepted() -> AssessmentError:
    return _refuse(
        _(
            "This type of file is not accepted: send a PDF, a JPEG or PNG photo, an Excel "
            "(.xlsx) or a Word (.docx) document."
        ),
        "wrong_type",
    )


def content_type_of(name: str) -> str:
    """The content type a stored file is served with, from its extension."""
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    return CONTENT_TYPES.get(KINDS.get(ext, ""), "application/octet-stream")


def _read(upload: Any) -> bytes:
    too_big = _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > MAX_BYTES:
        raise _refuse(too_big, "too_large")
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    try:
        data = upload.read(MAX_BYTES + 1)
    except (AttributeError, OSError, ValueError):
        raise _refuse(_("The file could not be read."), "unreadable") from None
    if not isinstance(data, bytes):
        raise _refuse(_("The evidence must be sent as a file."), "not_a_file")
    if len(data) > MAX_BYTES:
        raise _refuse(too_big, "too_large")
    if not data:
        raise _refuse(_("The file is empty."), "empty")
    return data


def _sniff(data: bytes) -> str | None:
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _photo(data: bytes, kind: str) -> bytes:
    from PIL import Image, ImageOps

    damaged = _refuse(_("The photo is damaged or not a photo."), "damaged")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise damaged
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                upright = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if kind == "jpeg":
                    if upright.mode not in ("RGB", "L"):
                        upright = upright.convert("RGB")
                    upright.save(out, format="JPEG", quality=90)
                else:
                    upright.save(out, format="PNG")
    except AssessmentError:
        raise
    except Exception:  # any failure on hostile input is a bad file, never a 500
        raise damaged from None
    return out.getvalue()


def _office(data: bytes) -> str:
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
    except AssessmentError:
        raise
    except Exception:  # zipfile, zlib and OS errors on hostile input alike
        raise damaged from None
    if any(m in types for m in _MACRO_MARKERS) or any(
        n.lower().endswith("vbaproject.bin") for n in names
    ):
        raise _refuse(_("Files with macros are not accepted; save it as .xlsx or .docx."), "macro")
    for main, kind in _OFFICE_MAIN.items():
        if main in types:
            return kind
    raise _not_accepted()


def _safe_name(name: str, kind: str) -> str:
    base = os.path.basename(name.replace("\\", "/"))
    stem = os.path.splitext(base)[0]
    stem = "".join(ch for ch in stem if ch.isprintable())[:80]
    try:
        stem = get_valid_filename(stem)
    except Exception:  # Django refuses names like "." or ""
        stem = "evidence"
    extension = "jpg" if kind == "jpeg" else kind
    return f"{stem or 'evidence'}.{extension}"


def check_evidence(upload: Any) -> CheckedEvidence:
    """Check one upload (a Django ``UploadedFile`` or any binary file with a ``name``).

    Raises ``AssessmentError(field="evidence")`` when it is too large, empty, of a type not
    accepted, its name and content disagree, or it is damaged or carries macros."""
    name = str(getattr(upload, "name", "") or "")
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    expected = KINDS.get(extension)
    if expected is None:
        raise _not_accepted()
    data = _read(upload)
    found = _sniff(data)
    if found == "zip":
        found = _office(data)
    if found is None:
        raise _not_accepted()
    if found != expected:
        raise _refuse(
            _("The file's name says .%(ext)s but its content is something else.")
            % {"ext": extension},
            "mismatch",
        )
    if found == "pdf" and b"%%EOF" not in data[-2048:]:
        raise _refuse(_("The PDF is damaged or incomplete."), "damaged")
    if found in ("jpeg", "png"):
        data = _photo(data, found)
    return CheckedEvidence(data=data, name=_safe_name(name, found), kind=found)
