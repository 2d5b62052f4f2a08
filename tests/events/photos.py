"""Photo bytes for tests: real images made with Pillow, with and without EXIF GPS."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (40, 20),
    *,
    gps: bool = False,
    orientation: int | None = None,
    color: tuple[int, int, int] = (200, 30, 30),
    comment: bytes | None = None,
) -> bytes:
    """An image in ``fmt``; with ``gps`` it carries an EXIF GPS position (西昌)."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if gps:
        gps_ifd = exif.get_ifd(GPS_IFD)
        gps_ifd[1] = "N"
        gps_ifd[2] = (27.0, 53.0, 24.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (102.0, 15.0, 36.0)
        exif[0x010F] = "PhoneMaker"  # camera make
    if orientation is not None:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    options: dict[str, object] = {}
    if gps or orientation is not None:
        options["exif"] = exif.tobytes()
    if comment is not None and fmt == "JPEG":
        options["comment"] = comment
    image.save(out, format=fmt, **options)
    return out.getvalue()


def upload(
    name: str = "photo.jpg", content: bytes | None = None, content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, image_bytes() if content is None else content, content_type=content_type
    )


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return bool(exif.get_ifd(GPS_IFD)) or b"GPS" in data or b"PhoneMaker" in data
