"""The office's bulletin buttons on the publications page (生成通报 / 下载通报).

- ``GET  /assessment/publications/<pk>/bulletin/``: the publication's bulletin box (both
  formats: a button to generate, the progress while the worker renders — the box asks for
  itself again every 2 s through htmx —, or the download link);
- ``POST /assessment/publications/<pk>/bulletin/`` (``format=pdf|xlsx``): ask for it
  (``request_bulletin``), answered with the box (htmx) or back to the list;
- ``GET  /assessment/publications/<pk>/bulletin.<fmt>``: the stored file.

A publication whose run the viewer may not see is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from grassroots.assessment import access
from grassroots.assessment.actions.bulletins import (
    STALE_AFTER,
    file_present,
    may_see,
    request_bulletin,
)
from grassroots.assessment.bulletins import CONTENT_TYPES, download_name
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import Bulletin, BulletinFormat, BulletinState, Publication
from grassroots.common.http import user_of

#: States of a bulletin being rendered (the box polls).
BUSY = (BulletinState.QUEUED, BulletinState.RUNNING)


def visible_publication(request: HttpRequest, pk: int) -> Publication:
    """A publication whose run the viewer may see, else 404."""
    access.id_or_404(pk)
    found = (
        Publication.objects.select_related("scheme__root", "run")
        .defer("snapshot", "scheme__root__geometry")
        .filter(pk=pk)
        .first()
    )
    if found is None or not may_see(user_of(request), found):
        raise Http404
    return found


def bulletin_boxes(
    publications: list[Publication], found: list[Bulletin] | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Per publication, the state of each format's bulletin (one query for all of them)."""
    if found is None:
        found = list(
            Bulletin.objects.filter(publication__in=[p.pk for p in publications]).only(
                "pk", "publication_id", "format", "state", "progress", "error", "size", "updated_at"
            )
        )
    by_key = {(b.publication_id, b.format): b for b in found}
    stale_before = timezone.now() - STALE_AFTER
    boxes: dict[int, list[dict[str, Any]]] = {}
    for p in publications:
        items = []
        for fmt, label in BulletinFormat.choices:
            b = by_key.get((p.pk, fmt))
            state = b.state if b is not None else ""
            if b is not None and state in BUSY and b.updated_at <= stale_before:
                state = BulletinState.FAILED  # its worker died: offer to ask again
            items.append(
                {
                    "format": fmt,
                    "label": label,
                    "state": state,
                    "state_label": BulletinState(state).label if state else "",
                    "busy": state in BUSY,
                    "done": state == BulletinState.DONE,
                    "failed": state == BulletinState.FAILED,
                    "progress": b.progress if b is not None else 0,
                    "error": b.error if b is not None else "",
                }
            )
        boxes[p.pk] = items
    return boxes


def _box(request: HttpRequest, publication: Publication, status: int = 200) -> HttpResponse:
    items = bulletin_boxes([publication])[publication.pk]
    return render(
        request,
        "assessment/publishing/_bulletin.html",
        {"p": publication, "bulletins": items, "busy": any(i["busy"] for i in items)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def bulletin(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the bulletin box; POST ``format``: generate the bulletin (or find it ready)."""
    publication = visible_publication(request, pk)
    if request.method == "GET":
        return _box(request, publication)
    fmt = request.POST.get("format", "")
    if fmt not in BulletinFormat.values:
        return _box(request, publication, status=400)
    try:
        request_bulletin(publication.pk, fmt, actor=user_of(request))
    except AssessmentError:
        return _box(request, publication, status=400)
    if request.headers.get("HX-Request"):
        return _box(request, publication)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(reverse("assessment:publications"))


def file_response(found: Bulletin, publication: Publication) -> FileResponse:
    """The stored file as a download with its Chinese name (RFC 5987 ``filename*``)."""
    try:
        handle = found.file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download_name(publication, found.format),
        content_type=CONTENT_TYPES[found.format],
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_safe
def bulletin_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    """The stored bulletin; 404 until it is rendered."""
    if fmt not in BulletinFormat.values:
        raise Http404
    publication = visible_publication(request, pk)
    found = Bulletin.objects.filter(
        publication=publication, format=fmt, state=BulletinState.DONE
    ).first()
    if found is None or not file_present(found):
        raise Http404
    return file_response(found, publication)


__all__ = ["bulletin", "bulletin_boxes", "bulletin_file", "file_response", "visible_publication"]
