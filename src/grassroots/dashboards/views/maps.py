"""The grid map pages (being built: issue 6)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def unit_map(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404
