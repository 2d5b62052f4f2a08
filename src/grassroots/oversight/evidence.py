"""Files of the oversight cases (the committee's findings, the village's response, the
closure): checked by their bytes with the supervision's evidence check (photos decoded,
turned upright and re-encoded without metadata; PDF, Word .docx and Excel .xlsx without
macros), stored once by SHA-256 under ``MEDIA_ROOT/oversight/ab/<sha>.<ext>``, served
only to whoever sees the case — photos inline, documents as downloads.

A refused file raises ``OversightError(field="evidence")`` before anything is written; a
file written by a transaction that later rolls back stays on disk unreferenced
(content-addressed: a retry reuses it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from grassroots.common import storage
from grassroots.org.models import User
from grassroots.oversight.errors import OversightError
from grassroots.oversight.models import Case, CaseEvidence, Step
from grassroots.supervision import evidence as checks
from grassroots.supervision.errors import SupervisionError

FIELD: Final = "evidence"
#: Files sent with one step at most.
MAX_FILES: Final = 9
#: Shown in the page rather than downloaded.
INLINE: Final = frozenset({"image/jpeg", "image/png", "image/webp"})

Prepared = checks.PreparedEvidence


def prepare(uploads: Iterable[Any] | None) -> list[Prepared]:
    """Check (and clean) every file before anything is written; the first bad one raises
    ``OversightError`` on ``evidence``."""
    items = [u for u in (uploads or ()) if u]
    if len(items) > MAX_FILES:
        raise OversightError(
            _("At most %(n)d files may be sent at once.") % {"n": MAX_FILES}, field=FIELD
        )
    prepared: list[Prepared] = []
    for item in items:
        try:
            prepared.append(checks.prepare_evidence(item))
        except SupervisionError as exc:
            raise OversightError(exc.message, field=FIELD, code=exc.code) from None
    return prepared


def storage_path(sha256: str, content_type: str) -> Path:
    """Where the file with this digest is stored."""
    extension = checks.CONTENT_TYPES.get(content_type, "bin")
    return Path(settings.MEDIA_ROOT) / "oversight" / sha256[:2] / f"{sha256}.{extension}"


def write(prepared: Prepared) -> Path:
    """Store the bytes under their digest, once; atomic (temporary file, then rename)."""
    return storage.store_once(storage_path(prepared.sha256, prepared.content_type), prepared.data)


def store(
    case: Case, step: Step, files: Sequence[Prepared], actor: User | None
) -> list[CaseEvidence]:
    """Write the files and their rows for ``step`` (a file sent twice in one step once)."""
    rows = []
    for item in {f.sha256: f for f in files}.values():
        write(item)
        rows.append(
            CaseEvidence.objects.create(
                case=case,
                step=step,
                sha256=item.sha256,
                content_type=item.content_type,
                size=item.size,
                original_name=item.original_name[:255],
                uploaded_by=actor if actor is not None and actor.pk else None,
            )
        )
    return rows


def serve(row: CaseEvidence) -> FileResponse:
    """The file of ``row`` (404 when missing on disk): photos inline, documents as a
    download. The caller checks the scope."""
    path = storage_path(row.sha256, row.content_type)
    if not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        content_type=row.content_type,
        as_attachment=row.content_type not in INLINE,
        filename=row.original_name or path.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response
