"""Bulletins of a publication: the 季晒通报 of a quarter, the 年评 report of a year (and a
month's bulletin), as an A4 PDF and as an Excel workbook, from the publication's frozen
snapshot only.

``render_pdf(publication)`` and ``render_xlsx(publication)`` return the file's bytes; the
worker job (``assessment.jobs.render_bulletin``) calls them and keeps the file (``Bulletin``).
Both render in the site's language (Chinese first), whatever the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from grassroots.assessment.bulletins.content import (
    BulletinContent,
    bulletin_content,
    bulletin_title,
)

if TYPE_CHECKING:
    from grassroots.assessment.models import Publication

Progress = Callable[[int], None]

#: The MIME type of each format.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def content_of(publication: Publication) -> BulletinContent:
    """The bulletin's content: the snapshot, its hash and dates, the scheme's root's name."""
    root = publication.scheme.root
    return bulletin_content(
        publication.snapshot,
        sha256=publication.sha256,
        area=root.name,
        published_at=timezone.localtime(publication.published_at),
        appeal_until=publication.appeal_until,
        verify_url=reverse("portal:assessment_json", args=[publication.sha256]),
    )


def render_pdf(publication: Publication, *, progress: Progress | None = None) -> bytes:
    """The bulletin of ``publication`` as PDF bytes (A4, CJK font embedded)."""
    from grassroots.assessment.bulletins.pdf import content_pdf

    with translation.override(settings.LANGUAGE_CODE):
        content = content_of(publication)
        if progress is not None:
            progress(10)
        return content_pdf(content, progress)


def render_xlsx(publication: Publication, *, progress: Progress | None = None) -> bytes:
    """The bulletin of ``publication`` as .xlsx bytes (one sheet per peer group)."""
    from grassroots.assessment.bulletins.xlsx import content_xlsx

    with translation.override(settings.LANGUAGE_CODE):
        content = content_of(publication)
        if progress is not None:
            progress(10)
        return content_xlsx(content, progress)


def render(publication: Publication, fmt: str, *, progress: Progress | None = None) -> bytes:
    """``render_pdf`` or ``render_xlsx`` by format name (``pdf`` / ``xlsx``)."""
    if fmt == "pdf":
        return render_pdf(publication, progress=progress)
    if fmt == "xlsx":
        return render_xlsx(publication, progress=progress)
    raise ValueError(f"unknown bulletin format {fmt!r}")


def download_name(publication: Publication, fmt: str) -> str:
    """The download's file name: the bulletin's title, period and version
    (``西昌市2026年第3季度乡镇(街道)目标绩效考核情况通报-2026-Q3-v1.pdf``)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = bulletin_title(
            publication.scheme.root.name,
            publication.period,
            publication.run.kind,
            publication.scheme.level,
        )
    safe = "".join(ch for ch in title if ch not in '\\/:*?"<>|\r\n\t')
    return f"{safe}-{publication.period}-v{publication.run.version}.{fmt}"


__all__ = ["CONTENT_TYPES", "content_of", "download_name", "render", "render_pdf", "render_xlsx"]
