"""How the REST API answers errors. The exception handler is DRF's, with one difference.

Django's ``Http404`` carries an English, untranslated text ("No Event matches the given
query.") that names the model; DRF passes it on as the answer. Here a 404 answers DRF's
own translated "Not found." instead, so a Chinese client reads Chinese and no internal
model name leaks. ``DomainErrorsMixin`` answers the apps' domain errors.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from grassroots.common.errors import DomainError


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = NotFound()
    return exception_handler(exc, context)


class DomainErrorsMixin:
    """Domain errors (``common.errors.DomainError`` of any app) as HTTP answers: 409 or 404
    with ``{detail, code}`` when the error says so, else 400 ``{field: [message]}``."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, DomainError):
            if exc.http_status != status.HTTP_400_BAD_REQUEST:
                return Response({"detail": exc.message, "code": exc.code}, status=exc.http_status)
            field = exc.field if exc.field and exc.field != "__all__" else None
            exc = ValidationError({field or api_settings.NON_FIELD_ERRORS_KEY: [exc.message]})
        return super().handle_exception(exc)  # type: ignore[misc,no-any-return]
