"""Evidence files of progress reports and milestones, served only to people who may see
the task.

Files live under ``MEDIA_ROOT/supervision/`` (``supervision.evidence``) and are never
exposed as static media. Photos are shown inline (with a small thumbnail for the page);
PDF, Excel and Word documents are always sent as downloads (``Content-Disposition:
attachment``) with ``X-Content-Type-Options: nosniff``, never rendered by the browser.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET
from PIL import UnidentifiedImageError

from grassroots.common.http import user_of
from grassroots.events.views.photos import make_thumbnail, thumb_path
from grassroots.supervision.evidence import PHOTO_TYPES, evidence_path
from grassroots.supervision.models import Evidence, Task


def visible_evidence(request: HttpRequest, pk: int) -> Evidence:
    user = user_of(request)
    row: Evidence | None = Evidence.objects.filter(
        pk=pk, task__in=Task.objects.visible_to(user).values("pk")
    ).first()
    if row is None:
        raise Http404
    return row


def download_name(row: Evidence) -> str:
    name = row.original_name or f"evidence-{row.pk}"
    if not name.lower().endswith("." + row.extension):
        name = f"{name}.{row.extension}"
    return name


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    row = visible_evidence(request, pk)
    path = evidence_path(row)
    if not path.is_file():
        raise Http404
    photo = row.content_type in PHOTO_TYPES
    response = FileResponse(
        path.open("rb"),
        content_type=row.content_type,
        as_attachment=not photo,
        filename=download_name(row),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_GET
def evidence_thumbnail(request: HttpRequest, pk: int) -> FileResponse:
    row = visible_evidence(request, pk)
    if row.content_type not in PHOTO_TYPES:
        raise Http404
    source = evidence_path(row)
    if not source.is_file():
        raise Http404
    target = thumb_path(row.sha256)
    content_type = "image/jpeg"
    if not target.is_file():
        try:
            make_thumbnail(source, target)
        except (OSError, UnidentifiedImageError, ValueError):
            target, content_type = source, row.content_type
    response = FileResponse(target.open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response
