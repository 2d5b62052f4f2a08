"""Evidence files: accepted by content, photos cleaned, documents kept as sent."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest

from grassroots.supervision.errors import SupervisionError
from grassroots.supervision.evidence import (
    DOCX,
    XLSX,
    prepare_all,
    prepare_evidence,
    storage_path,
    write_file,
)
from tests.events.photos import has_gps, image_bytes, upload

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def office(main_type: str, part: str, extra: dict[str, bytes] | None = None) -> bytes:
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'content-types"><Override PartName="/{part}" ContentType="{main_type}"/></Types>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr(part, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["村", "完成值"])  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (image_bytes("PNG"), "image/png"),
        (image_bytes("WEBP"), "image/webp"),
        (PDF_BYTES, "application/pdf"),
        (xlsx_bytes(), XLSX[0]),
        (office(DOCX_MAIN, "word/document.xml"), DOCX[0]),
    ],
)
def test_accepted_types_by_content_whatever_the_name(data: bytes, content_type: str) -> None:
    item = prepare_evidence(upload("任意名字.bin", data, "application/octet-stream"))
    assert item.content_type == content_type
    assert item.original_name == "任意名字.bin"


def test_photos_lose_their_gps_documents_stay_as_sent() -> None:
    photo = prepare_evidence(image_bytes(gps=True))
    assert not has_gps(photo.data)
    pdf = prepare_evidence(PDF_BYTES)
    assert pdf.data == PDF_BYTES


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"hello, plain text", "wrong_type"),
        (b"", "empty"),
        (b"%PDF-1.4 truncated", "damaged"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "not_an_image"),
        (b"PK\x03\x04 broken zip", "damaged"),
        (office("application/xml", "data.xml"), "wrong_type"),
        (office(XLSM_MAIN, "xl/workbook.xml"), "macro"),
        (
            office(DOCX_MAIN, "word/document.xml", {"word/vbaProject.bin": b"\0" * 10}),
            "macro",
        ),
    ],
)
def test_refused_files_name_the_field(data: bytes, code: str) -> None:
    with pytest.raises(SupervisionError) as caught:
        prepare_evidence(upload("x.jpg", data))
    assert (caught.value.field, caught.value.code) == ("evidence", code)


def test_size_and_count_limits(settings: Any) -> None:
    settings.SUPERVISION_EVIDENCE_MAX_BYTES = 100
    with pytest.raises(SupervisionError) as caught:
        prepare_evidence(PDF_BYTES + b" " * 100)
    assert caught.value.code == "too_large"
    settings.SUPERVISION_EVIDENCE_MAX_BYTES = 10**6
    with pytest.raises(SupervisionError) as caught:
        prepare_all([PDF_BYTES] * 10)
    assert caught.value.code == "too_many"


def test_files_are_stored_once_by_digest(_media: Any) -> None:
    item = prepare_evidence(PDF_BYTES)
    path = write_file(item)
    assert path == storage_path(item.sha256, "pdf")
    assert path.read_bytes() == PDF_BYTES
    assert write_file(item) == path
    assert len(list(path.parent.iterdir())) == 1
