"""The archive's files, served by scope: a song's recording (with HTTP ranges, so that a
browser's — and iOS's — player can seek: ``206 Partial Content``) and a history chapter's
photos. A record outside the viewer's scope is a 404."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.views.decorators.http import require_GET

from grassroots.common.http import user_of
from grassroots.partybuilding import files
from grassroots.partybuilding.models import HistoryPhoto, Song, VillageHistory

CHUNK: Final = 64 * 1024
_RANGE: Final = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """The one range ``header`` asks for, as (first, last) inclusive; ``None`` to send the
    whole file (no header, a malformed one, or several ranges); ``False`` when the range
    cannot be satisfied (416)."""
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match or len(header) > 100:
        return None
    start_text, end_text = match.groups()
    if not start_text and not end_text:
        return None
    if not start_text:  # the last N bytes
        length = int(end_text)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(start_text)
    if end_text and int(end_text) < start:
        return None
    if start >= size:
        return False
    end = int(end_text) if end_text else size - 1
    return start, min(end, size - 1)


def _stream(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        left = length
        while left > 0:
            block = handle.read(min(CHUNK, left))
            if not block:
                break
            left -= len(block)
            yield block


def ranged(request: HttpRequest, row: Any, *, download_name: str = "") -> HttpResponseBase:
    """The file of ``row`` (``FileFields``): the whole of it (200, ``files.serve``), or the
    range the request asks for (206 with ``Content-Range``), or 416 with
    ``Content-Range: bytes */size`` when the range lies past the end. ``If-Range`` with
    another ETag than the file's (its SHA-256) gets the whole file."""
    if not getattr(row, "sha256", ""):
        raise Http404
    path = files.storage_path(row.sha256, row.content_type)
    if not path.is_file():
        raise Http404
    size = path.stat().st_size
    etag = f'"{row.sha256}"'
    wanted = byte_range(request.headers.get("Range", ""), size)
    if_range = request.headers.get("If-Range", "")
    if wanted is None or (if_range and if_range != etag):
        full = files.serve(row, download_name=download_name)
        full["Accept-Ranges"] = "bytes"
        full["ETag"] = etag
        return full
    if wanted is False:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        refused["Accept-Ranges"] = "bytes"
        return refused
    assert not isinstance(wanted, bool)  # noqa: S101
    first, last = wanted
    length = last - first + 1
    response = StreamingHttpResponse(
        _stream(path, first, length), status=206, content_type=row.content_type
    )
    response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_GET
def song_audio(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A song's recording, for the player (ranges supported)."""
    song = Song.objects.visible_to(user_of(request)).filter(pk=pk).first()
    if song is None:
        raise Http404
    return ranged(request, song, download_name=song.original_name)


@login_required
@require_GET
def history_photo(request: HttpRequest, pk: int, photo: int) -> HttpResponseBase:
    """A photo of a history chapter."""
    history = VillageHistory.objects.visible_to(user_of(request)).filter(pk=pk).first()
    if history is None:
        raise Http404
    found = HistoryPhoto.objects.filter(history=history, pk=photo).first()
    if found is None:
        raise Http404
    return files.serve(found)
