"""Ask for a publication's bulletin, and render it (the worker job's body).

A publication never changes, so neither does its bulletin: the first request for a
publication and format creates a ``Bulletin`` row and queues the job; every later request
gets that row — the stored file once the job is done, the job's progress meanwhile. Two
clicks at once start one job (the row is unique per publication and format and is locked
before it is looked at). A failed job, a job that has made no progress for
``STALE_AFTER`` (a worker died under it), or a file that has gone missing from the storage
is started again by the next request.

The job claims its row with a conditional update (queued → running), so that a job queued
twice renders once; it renders outside any transaction (seconds), reports its progress on
the row, stores the file under ``bulletins/<sha256 of the file>.<format>`` in the media
storage and marks the row done (or failed, with the error).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grassroots.assessment import access
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import Bulletin, BulletinFormat, BulletinState, Publication

if TYPE_CHECKING:
    from grassroots.org.models import User

logger = logging.getLogger(__name__)

#: A queued or running bulletin whose row has not moved for this long is started again.
STALE_AFTER = dt.timedelta(minutes=10)
#: The error kept on a failed row (characters).
ERROR_MAX = 2000


def may_see(user: Any, publication: Publication) -> bool:
    """Whether ``user`` may see the publication's run in the office pages (its scheme is
    theirs and the run is one they see: ``access.visible_runs``)."""
    return access.visible_runs(user).filter(pk=publication.run_id).exists()


def file_present(bulletin: Bulletin) -> bool:
    """Whether a done bulletin's file is still in the storage."""
    return bool(bulletin.file) and default_storage.exists(bulletin.file.name)


def _schedule(bulletin_id: int) -> None:
    from grassroots.assessment.jobs import render_bulletin

    render_bulletin(bulletin_id)


@transaction.atomic
def request_bulletin(publication_id: int, fmt: str, *, actor: User | None) -> Bulletin:
    """The bulletin of a publication in ``fmt`` (``pdf`` or ``xlsx``): the stored one when it
    exists, else a queued job rendering it (one job however often it is asked for).

    ``actor`` None is the public portal (a publication is public); a person must be able to
    see the publication's run (PermissionDenied otherwise). An unknown format is refused
    (400); an unknown publication raises ``Publication.DoesNotExist``.
    """
    if fmt not in BulletinFormat.values:
        raise AssessmentError(_("Unknown bulletin format."), field="format")
    publication = (
        Publication.objects.select_related("scheme__root", "run")
        .defer("snapshot", "scheme__root__geometry")
        .get(pk=publication_id)
    )
    if actor is not None and not may_see(actor, publication):
        raise PermissionDenied
    bulletin, created = Bulletin.objects.get_or_create(
        publication=publication,
        format=fmt,
        defaults={"requested_by": actor, "state": BulletinState.QUEUED},
    )
    before: dict[str, Any] = {}
    if not created:
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if bulletin.state == BulletinState.DONE and file_present(bulletin):
            return bulletin  # the cache: a publication's bulletin never changes
        busy = bulletin.state in (BulletinState.QUEUED, BulletinState.RUNNING)
        if busy and bulletin.updated_at > timezone.now() - STALE_AFTER:
            return bulletin  # being rendered
        before = {"state": bulletin.state, "progress": bulletin.progress}
        bulletin.state = BulletinState.QUEUED
        bulletin.progress = 0
        bulletin.error = ""
        bulletin.requested_by = actor
        bulletin.save(update_fields=["state", "progress", "error", "requested_by", "updated_at"])
    from grassroots.audit.actions import record

    record(
        "assessment.bulletin.requested",
        bulletin,
        actor=actor,
        before=before or None,
        after={"state": BulletinState.QUEUED, "format": fmt, "sha256": publication.sha256},
        unit=publication.scheme.root,
    )
    pk = bulletin.pk
    transaction.on_commit(lambda: _schedule(pk), robust=True)
    return bulletin


def _progress(bulletin_id: int) -> Any:
    last = [-1]

    def report(percent: int) -> None:
        percent = max(0, min(99, int(percent)))
        if percent != last[0]:
            last[0] = percent
            Bulletin.objects.filter(pk=bulletin_id, state=BulletinState.RUNNING).update(
                progress=percent, updated_at=timezone.now()
            )

    return report


def _store(data: bytes, fmt: str) -> tuple[str, str]:
    """Keep the file under its content's SHA-256; (storage name, sha256)."""
    digest = hashlib.sha256(data).hexdigest()
    name = f"bulletins/{digest}.{fmt}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    return name, digest


def render_bulletin_now(bulletin_id: int) -> str:
    """Render a queued bulletin (the job's body): claim it (queued → running; anything else
    is left alone and its state returned), render it from the publication's snapshot with
    progress, store the file and mark it done — or failed, with the error."""
    from grassroots.assessment.bulletins import render
    from grassroots.audit.actions import record

    claimed = Bulletin.objects.filter(pk=bulletin_id, state=BulletinState.QUEUED).update(
        state=BulletinState.RUNNING, progress=1, updated_at=timezone.now()
    )
    bulletin = Bulletin.objects.select_related("publication__scheme__root").get(pk=bulletin_id)
    if claimed != 1:
        return str(bulletin.state)
    started = time.perf_counter()
    try:
        data = render(bulletin.publication, bulletin.format, progress=_progress(bulletin_id))
        name, digest = _store(data, bulletin.format)
    except Exception as exc:  # any failure is shown on the page; a new request retries
        logger.exception("bulletin %s failed", bulletin_id)
        Bulletin.objects.filter(pk=bulletin_id, state=BulletinState.RUNNING).update(
            state=BulletinState.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX],
            updated_at=timezone.now(),
        )
        return str(BulletinState.FAILED)
    seconds = Decimal(f"{time.perf_counter() - started:.2f}")
    with transaction.atomic():
        done = Bulletin.objects.filter(pk=bulletin_id, state=BulletinState.RUNNING).update(
            state=BulletinState.DONE,
            progress=100,
            file=name,
            file_sha256=digest,
            size=len(data),
            seconds=seconds,
            error="",
            updated_at=timezone.now(),
        )
        if done == 1:
            bulletin.refresh_from_db()
            record(
                "assessment.bulletin.rendered",
                bulletin,
                actor=None,
                before={"state": BulletinState.RUNNING},
                after={"state": BulletinState.DONE, "file_sha256": digest, "seconds": seconds},
                unit=bulletin.publication.scheme.root,
            )
    return str(BulletinState.DONE if done == 1 else bulletin.state)


__all__ = ["file_present", "may_see", "render_bulletin_now", "request_bulletin"]
