"""Downloads of the Excel pages (the supervision and cadres exports and templates)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

from grassroots.common.workbooks import XLSX_TYPE


def xlsx_response(data: bytes, name: str, ascii_name: str) -> HttpResponse:
    """An .xlsx download named ``name`` (RFC 6266 ``filename*`` in UTF-8, for Chinese
    names) with ``ascii_name`` for clients that know only ``filename``; never cached (it
    may hold personal data) nor sniffed."""
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
