"""Photos of events, served only to people who may see the event.

Files live under ``MEDIA_ROOT/events/<sha[:2]>/<sha>.<ext>`` (``events.attachments``) and are
never exposed as static media: every request goes through the event's scope. Thumbnails
(the timeline's small pictures) are made once with Pillow and kept beside the originals.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET
from PIL import Image, UnidentifiedImageError

from grassroots.common.http import user_of
from grassroots.events.attachments import photo_path
from grassroots.events.models import Attachment, Event

THUMB_SIZE = 320


def thumb_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "thumbs" / sha256[:2] / f"{sha256}-{THUMB_SIZE}.jpg"


def make_thumbnail(source: Path, target: Path) -> None:
    """A JPEG at most THUMB_SIZE pixels wide and high, written atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image.thumbnail((THUMB_SIZE, THUMB_SIZE))
        rgb = image.convert("RGB")
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            rgb.save(out, "JPEG", quality=80, optimize=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def visible_attachment(request: HttpRequest, pk: int) -> Attachment:
    user = user_of(request)
    attachment = Attachment.objects.filter(
        pk=pk, event__in=Event.objects.visible_to(user).values("pk")
    ).first()
    if attachment is None:
        raise Http404
    return attachment


def _send(path: Path, content_type: str) -> FileResponse:
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=content_type)
    # Photos never change (named by their hash) but are private: the browser may keep them.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> FileResponse:
    attachment = visible_attachment(request, pk)
    return _send(photo_path(attachment), attachment.content_type)


@login_required
@require_GET
def thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    attachment = visible_attachment(request, pk)
    target = thumb_path(attachment.sha256)
    if not target.is_file():
        source = photo_path(attachment)
        if not source.is_file():
            raise Http404
        try:
            make_thumbnail(source, target)
        except (OSError, UnidentifiedImageError, ValueError):
            # A photo Pillow cannot shrink is shown as it is rather than not at all.
            return _send(source, attachment.content_type)
    return _send(target, "image/jpeg")
