"""Photos of events: checked by content, cleaned, stored by SHA-256 under the data directory.

What happens to an upload (``prepare_photo``):

1. At most ``settings.PHOTO_MAX_BYTES`` are read; a larger file is refused.
2. Pillow identifies the format from the bytes (the name and the declared type are
   ignored): JPEG, PNG and WebP only. Dimensions are checked *before* decoding
   (``MAX_PIXELS``; Pillow's own decompression-bomb guard is turned into a refusal), then
   ``verify()`` checks the structure and a full decode catches truncated files.
3. The EXIF orientation is applied to the pixels (``ImageOps.exif_transpose``), the image
   is shrunk to at most ``MAX_SIDE`` pixels on its long side, and it is re-encoded in its
   own format with no metadata but the colour profile and transparency: EXIF (GPS
   position, camera serial), XMP and comments are gone before anyone sees the file.
4. The stored bytes are named by their SHA-256: ``MEDIA_ROOT/events/ab/<sha>.<ext>``.
   Identical photos are stored once; each event links to its photo through an
   ``Attachment`` row (one per event and file).

A file written by a transaction that later rolls back stays on disk unreferenced (it is
content-addressed, so a retry reuses it); nothing reads files without a row.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from grassroots.common import storage
from grassroots.events.errors import EventError

if TYPE_CHECKING:
    from grassroots.events.models import Attachment, Event, EventAction
    from grassroots.org.models import User

#: Pillow format → (content type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
CONTENT_TYPES = frozenset(content_type for content_type, _ext in FORMATS.values())
#: Refused before decoding: more pixels than any phone camera's default output.
MAX_PIXELS = 50_000_000
#: Stored photos are shrunk to this many pixels on their long side.
MAX_SIDE = 4096
#: Photos accepted with one action.
MAX_PHOTOS = 9
JPEG_QUALITY = 85
WEBP_QUALITY = 85

FIELD = "photos"


@dataclass(frozen=True, slots=True)
class PreparedPhoto:
    """A checked and cleaned photo, ready to store."""

    data: bytes
    content_type: str
    extension: str
    sha256: str
    original_name: str
    width: int
    height: int

    @property
    def size(self) -> int:
        return len(self.data)


def _refuse(message: str, code: str) -> EventError:
    return EventError(message, field=FIELD, code=code)


def _read_limited(upload: Any) -> bytes:
    limit = int(settings.PHOTO_MAX_BYTES)
    declared = getattr(upload, "size", None)
    too_big = _("The photo is larger than %(mb)s MB.") % {"mb": f"{limit / 1048576:g}"}
    if isinstance(declared, int) and declared > limit:
        raise _refuse(too_big, "too_large")
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            upload.seek(0)
        data = upload.read(limit + 1)
        if isinstance(data, str):
            raise _refuse(_("The photo must be sent as a file."), "not_an_image")
    if len(data) > limit:
        raise _refuse(too_big, "too_large")
    if not data:
        raise _refuse(_("The photo is empty."), "empty")
    return data


def _open_checked(data: bytes) -> Image.Image:
    """Open, identify and fully decode ``data``; EventError for anything unsafe."""
    not_image = _("The file is not a JPEG, PNG or WebP photo.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data), formats=list(FORMATS))
            width, height = probe.size
            if width * height > MAX_PIXELS or width <= 0 or height <= 0:
                raise _refuse(_("The photo has too many pixels."), "too_many_pixels")
            probe.verify()
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            image.load()
        except EventError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(_("The photo has too many pixels."), "too_many_pixels") from None
        except (UnidentifiedImageError, SyntaxError, ValueError, TypeError, OSError, EOFError):
            raise _refuse(not_image, "not_an_image") from None
        except Exception:  # any decoder failure on hostile input is a bad file, never a 500
            raise _refuse(not_image, "not_an_image") from None
    if image.format not in FORMATS:
        raise _refuse(not_image, "not_an_image")
    return image


def _clean(image: Image.Image, fmt: str) -> bytes:
    """Orientation applied, size capped, re-encoded without metadata."""
    icc = image.info.get("icc_profile")
    transparency = image.info.get("transparency")
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block must not cost the photo; keep the pixels
        upright = image.copy()
    if max(upright.size) > MAX_SIDE:
        upright.thumbnail((MAX_SIDE, MAX_SIDE))
    if fmt == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
    elif fmt == "WEBP":
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
    elif upright.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        upright = upright.convert("RGBA")
    # Only what the pixels need survives: no EXIF, XMP, comments or text chunks.
    upright.info = {}
    options: dict[str, Any] = {}
    if icc:
        options["icc_profile"] = icc
    if fmt == "PNG" and transparency is not None and upright.mode in ("P", "L", "RGB"):
        options["transparency"] = transparency
    if fmt == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif fmt == "WEBP":
        options.update(quality=WEBP_QUALITY)
    out = io.BytesIO()
    upright.save(out, format=fmt, **options)
    return out.getvalue()


def prepare_photo(upload: Any) -> PreparedPhoto:
    """Check and clean one upload (a Django ``UploadedFile``, a binary file or bytes).

    Raises EventError(field="photos") with a message for people when the file is too
    large, empty, not a JPEG/PNG/WebP image by content, truncated or a decompression bomb.
    """
    data = _read_limited(upload)
    image = _open_checked(data)
    fmt = str(image.format)
    cleaned = _clean(image, fmt)
    content_type, extension = FORMATS[fmt]
    with Image.open(io.BytesIO(cleaned)) as stored:
        width, height = stored.size
    name = str(getattr(upload, "name", "") or "")
    return PreparedPhoto(
        data=cleaned,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(cleaned).hexdigest(),
        original_name="".join(ch for ch in os.path.basename(name) if ch.isprintable())[:255],
        width=width,
        height=height,
    )


def validate_photo(upload: Any) -> tuple[bytes, str]:
    """The cleaned bytes of an upload and their content type (see :func:`prepare_photo`)."""
    photo = prepare_photo(upload)
    return photo.data, photo.content_type


def prepare_photos(uploads: Iterable[Any], *, max_count: int = MAX_PHOTOS) -> list[PreparedPhoto]:
    """Check every upload before anything is written; EventError for the first bad one."""
    items = list(uploads or ())
    if len(items) > max_count:
        raise _refuse(_("At most %(n)d photos may be sent at once.") % {"n": max_count}, "too_many")
    return [item if isinstance(item, PreparedPhoto) else prepare_photo(item) for item in items]


def storage_path(sha256: str, extension: str) -> Path:
    """Where the file with this digest is stored."""
    return Path(settings.MEDIA_ROOT) / "events" / sha256[:2] / f"{sha256}.{extension}"


def photo_path(attachment: Attachment) -> Path:
    """The file of an attachment on disk (for the views that serve photos)."""
    extension = next(
        (ext for ctype, ext in FORMATS.values() if ctype == attachment.content_type), "bin"
    )
    return storage_path(attachment.sha256, extension)


def write_file(photo: PreparedPhoto) -> Path:
    """Store the bytes under their digest, once; atomic (temporary file, then rename)."""
    return storage.store_once(storage_path(photo.sha256, photo.extension), photo.data)


def store_photo(
    event: Event,
    upload: Any,
    *,
    action: EventAction | None = None,
    uploaded_by: User | None = None,
) -> Attachment:
    """Check, clean and store one photo of ``event`` (optionally of one of its actions).

    ``upload`` is an upload or a :class:`PreparedPhoto`. The same file attached twice to
    one event gives back the first ``Attachment``. Call inside the action's transaction.
    """
    from grassroots.events.models import Attachment

    photo = upload if isinstance(upload, PreparedPhoto) else prepare_photo(upload)
    existing = Attachment.objects.filter(event=event, sha256=photo.sha256).first()
    if existing is not None:
        return existing
    write_file(photo)
    return Attachment.objects.create(
        event=event,
        action=action,
        sha256=photo.sha256,
        content_type=photo.content_type,
        size=photo.size,
        original_name=photo.original_name,
        uploaded_by=uploaded_by if uploaded_by is not None and uploaded_by.pk else None,
    )


def store_photos(
    event: Event,
    photos: Sequence[PreparedPhoto],
    *,
    action: EventAction | None = None,
    uploaded_by: User | None = None,
) -> list[Attachment]:
    """Store already prepared photos (see :func:`prepare_photos`)."""
    return [store_photo(event, p, action=action, uploaded_by=uploaded_by) for p in photos]
