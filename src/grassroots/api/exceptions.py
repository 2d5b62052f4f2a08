"""The REST API's exception handler: DRF's, with one difference.

Django's ``Http404`` carries an English, untranslated text ("No Event matches the given
query.") that names the model; DRF passes it on as the answer. Here a 404 answers DRF's
own translated "Not found." instead, so a Chinese client reads Chinese and no internal
model name leaks.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = NotFound()
    return exception_handler(exc, context)
