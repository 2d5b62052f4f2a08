"""The public download of a publication's bulletin (季晒通报 / 年评报告), no login.

``/public/assessment/<sha256>/bulletin.pdf`` (or ``.xlsx``): the stored bulletin, with its
Chinese file name (RFC 5987) and type. Not rendered yet: the request queues the worker job
(``request_bulletin``; rate limited per client like the portal's other public forms) and the
visitor gets a "being generated, refresh in a moment" page (202) that reloads itself. An
unknown SHA-256 or format is a 404. The bulletin comes from the publication's snapshot only.
"""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from grassroots.assessment.actions.bulletins import STALE_AFTER, file_present, request_bulletin
from grassroots.assessment.models import Bulletin, BulletinFormat, BulletinState, Publication
from grassroots.assessment.views.bulletins import file_response
from grassroots.portal import ratelimit

WINDOW: Final = 3600
#: Seconds after which the "being generated" page reloads itself.
REFRESH: Final = 5


def bulletins_per_hour() -> int:
    """Renderings a client may start in an hour (a stored bulletin is served without limit)."""
    return int(getattr(settings, "PORTAL_BULLETINS_PER_HOUR", 20))


def _stored(publication: Publication, fmt: str) -> Bulletin | None:
    found = Bulletin.objects.filter(
        publication=publication, format=fmt, state=BulletinState.DONE
    ).first()
    return found if found is not None and file_present(found) else None


def _serve(found: Bulletin, publication: Publication) -> FileResponse:
    response = file_response(found, publication)
    response["Cache-Control"] = "public, max-age=86400, immutable"  # never changes
    return response


@require_safe
def download(request: HttpRequest, sha256: str, fmt: str) -> HttpResponseBase:
    """The bulletin of the publication ``sha256`` in ``fmt`` (pdf, xlsx)."""
    if fmt not in BulletinFormat.values or len(sha256) != 64:
        raise Http404
    publication = (
        Publication.objects.select_related("scheme__root", "run")
        .defer("snapshot", "scheme__root__geometry")
        .filter(sha256=sha256.lower())
        .first()
    )
    if publication is None:
        raise Http404
    found = _stored(publication, fmt)
    if found is not None:
        return _serve(found, publication)
    # a job that has not moved for STALE_AFTER died with its worker: asked for again below
    busy = Bulletin.objects.filter(
        publication=publication,
        format=fmt,
        state__in=[BulletinState.QUEUED, BulletinState.RUNNING],
        updated_at__gt=timezone.now() - STALE_AFTER,
    ).first()
    if busy is None:
        if not ratelimit.hit(
            "bulletin", ratelimit.client_ip(request), limit=bulletins_per_hour(), window=WINDOW
        ):
            return render(request, "portal/limited.html", status=429)
        bulletin = request_bulletin(publication.pk, fmt, actor=None)
        bulletin.refresh_from_db()
        if bulletin.state == BulletinState.DONE and file_present(bulletin):
            return _serve(bulletin, publication)  # a worker running in place (tests, demo)
        busy = bulletin
    response = render(
        request,
        "portal/bulletin_pending.html",
        {"publication": publication, "bulletin": busy, "refresh": REFRESH},
        status=202,
    )
    response["Retry-After"] = str(REFRESH)
    response["Refresh"] = str(REFRESH)  # the page reloads itself (no script needed)
    response["Cache-Control"] = "no-store"
    return response
