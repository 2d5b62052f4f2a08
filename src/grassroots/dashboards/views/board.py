"""The dashboards per level (being built: issue 6)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def mine(request: HttpRequest) -> HttpResponse:
    raise Http404


def unit(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404
