"""The public download of a publication's bulletin (being built: issue 6)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def download(request: HttpRequest, sha256: str, fmt: str) -> HttpResponse:
    raise Http404
