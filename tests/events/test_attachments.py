"""Photos: checked by content, EXIF stripped, orientation kept, stored by SHA-256."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grassroots.events import attachments
from grassroots.events.errors import EventError
from grassroots.events.models import Attachment
from tests.events.photos import has_gps, image_bytes, upload

pytestmark = pytest.mark.django_db


def bad(upload_: Any) -> EventError:
    with pytest.raises(EventError) as info:
        attachments.prepare_photo(upload_)
    assert info.value.field == "photos"
    return info.value


def test_gps_is_stripped_and_the_photo_stays_a_jpeg() -> None:
    original = image_bytes(gps=True, comment=b"home of Zhang San")
    assert has_gps(original)
    data, content_type = attachments.validate_photo(upload("gps.jpg", original))
    assert content_type == "image/jpeg"
    assert not has_gps(data)
    assert b"Zhang San" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert image.size == (40, 20)


def test_orientation_is_applied_to_the_pixels() -> None:
    # EXIF orientation 6: the camera held upright; viewers rotate 90° clockwise
    data, _ = attachments.validate_photo(upload("r.jpg", image_bytes(orientation=6)))
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (20, 40)
        assert image.getexif().get(0x0112) is None


@pytest.mark.parametrize(("fmt", "ctype"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_accepted(fmt: str, ctype: str) -> None:
    photo = attachments.prepare_photo(upload("x.bin", image_bytes(fmt, gps=True), "x/y"))
    assert photo.content_type == ctype
    assert photo.extension == {"PNG": "png", "WEBP": "webp"}[fmt]
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.format == fmt
        assert not image.getexif().get_ifd(0x8825)


def test_a_png_keeps_its_transparency() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(out, format="PNG")
    photo = attachments.prepare_photo(out.getvalue())
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0


def test_the_type_is_judged_by_content_not_name() -> None:
    assert bad(upload("notes.jpg", "这不是照片".encode(), "image/jpeg")).code == "not_an_image"
    # a real PNG named .jpg is a PNG
    photo = attachments.prepare_photo(upload("a.jpg", image_bytes("PNG")))
    assert photo.content_type == "image/png"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt: str) -> None:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format=fmt)
    assert bad(upload(f"a.{fmt.lower()}", out.getvalue())).code == "not_an_image"


def test_truncated_and_empty_files_are_refused() -> None:
    data = image_bytes(size=(400, 400))
    assert bad(upload("t.jpg", data[: len(data) // 2])).code == "not_an_image"
    assert bad(upload("e.jpg", b"")).code == "empty"


def test_oversize_is_refused(settings: Any) -> None:
    settings.PHOTO_MAX_BYTES = 1000
    big = image_bytes(size=(300, 300))
    assert len(big) > 1000
    assert bad(upload("big.jpg", big)).code == "too_large"
    # also when the declared size lies
    lying = SimpleUploadedFile("big.jpg", big)
    lying.size = 10
    assert bad(lying).code == "too_large"


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [8000, 20000, 100000])
def test_decompression_bombs_are_refused_before_decoding(side: int) -> None:
    assert bad(upload("bomb.png", _png_header_only(side, side))).code == "too_many_pixels"


def test_large_photos_are_shrunk(monkeypatch: Any) -> None:
    monkeypatch.setattr(attachments, "MAX_SIDE", 100)
    photo = attachments.prepare_photo(image_bytes(size=(400, 200)))
    assert (photo.width, photo.height) == (100, 50)


def test_too_many_photos() -> None:
    with pytest.raises(EventError) as info:
        attachments.prepare_photos([image_bytes()] * 10)
    assert info.value.code == "too_many"


def test_stored_by_sha256_and_deduplicated(
    report: Callable[..., Any], media: Any, grid_worker: Any
) -> None:
    first = report(photos=[upload("a.jpg", image_bytes(gps=True))])
    second = report(photos=[upload("b.jpg", image_bytes(gps=True))])
    a = Attachment.objects.get(event=first)
    b = Attachment.objects.get(event=second)
    assert a.sha256 == b.sha256
    path = attachments.photo_path(a)
    assert path == media / "events" / a.sha256[:2] / f"{a.sha256}.jpg"
    stored = path.read_bytes()
    assert hashlib.sha256(stored).hexdigest() == a.sha256
    assert a.size == len(stored)
    assert not has_gps(stored)
    assert (a.content_type, a.original_name, a.uploaded_by) == ("image/jpeg", "a.jpg", grid_worker)
    assert a.action is not None and a.action.kind == "report"
    files = [p for p in (media / "events").rglob("*") if p.is_file()]
    assert files == [path]


def test_the_same_photo_twice_on_one_event_is_one_attachment(
    report: Callable[..., Any], media: Any
) -> None:
    event = report(photos=[upload("a.jpg"), upload("again.jpg")])
    assert event.attachments.count() == 1


def test_file_like_and_bytes_inputs() -> None:
    data = image_bytes()
    from_bytes = attachments.prepare_photo(data)
    from_file = attachments.prepare_photo(io.BytesIO(data))
    assert from_bytes.sha256 == from_file.sha256
    assert from_bytes.original_name == ""
