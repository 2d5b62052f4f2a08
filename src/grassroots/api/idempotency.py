"""``Idempotency-Key`` for every write of the REST API.

A client that may retry a POST (a phone on a poor connection) sends a key of its choosing
in the ``Idempotency-Key`` header. The first request with that key (for that user) runs; its
successful answer is stored in ``events.IdempotentRequest``; a retry with the same key and the
same request gets the stored status and body back (with ``Idempotent-Replayed: true``) and
changes nothing. The same key with another request (other endpoint or other body) is refused
with 422. Keys are forgotten after 24 hours (:data:`TTL`, :func:`purge_expired`).

How two copies of one request racing are kept to one: the answer row is inserted last, in
the same transaction as the action. The second copy, finding no answer yet, runs too, but
its own insert waits on the unique (scope, key) index until the first commits, then fails:
everything the second copy did rolls back with it and it replays the first's answer. A
request that fails (4xx raised by the action, an error) writes no row, so a retry runs
again — a failure changed nothing, so running again is safe. The usual request costs two
statements here: the look-up and the insert.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from grassroots.events.models import IdempotentRequest

HEADER = "Idempotency-Key"
#: A stored answer is replayed for this long after the first request.
TTL = dt.timedelta(hours=24)
MAX_KEY = 64
REPLAYED_HEADER = "Idempotent-Replayed"

ViewMethod = Callable[..., Response]


def request_key(request: Request) -> str | None:
    """The ``Idempotency-Key`` header, stripped; ``None`` when absent or empty."""
    return request.headers.get(HEADER, "").strip() or None


def _file_digest(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _canonical(data: Any) -> Any:
    """The request's content, independent of its encoding (a retry of a multipart upload
    gets a new boundary, of a form another field order)."""
    if isinstance(data, QueryDict):
        items = []
        for key in sorted(data.keys()):
            for value in data.getlist(key):
                if hasattr(value, "chunks"):
                    items.append([key, "file", getattr(value, "name", ""), _file_digest(value)])
                else:
                    items.append([key, str(value)])
        return items
    return data


def fingerprint(request: Request) -> str:
    """SHA-256 of the method, the path and the parsed body."""
    content = json.dumps(
        [request.method, request.path, _canonical(request.data)],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _as_json(data: Any) -> Any:
    """What the JSON renderer would send, as plain JSON data (dates as text, …)."""
    return json.loads(JSONRenderer().render(data)) if data is not None else None


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the stored answers older than :data:`TTL`; returns how many.

    For a periodic job (an indexed range on ``created_at``); an expired row is also
    replaced on the spot when its key comes again.
    """
    cutoff = (now or timezone.now()) - TTL
    deleted, _by_model = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _stored(scope: str, key: str) -> IdempotentRequest | None:
    """The answer kept for this key, if any; an expired one is deleted on the spot."""
    row: IdempotentRequest | None = IdempotentRequest.objects.filter(scope=scope, key=key).first()
    if row is not None and row.created_at < timezone.now() - TTL:
        IdempotentRequest.objects.filter(pk=row.pk, created_at=row.created_at).delete()
        return None
    return row


def _refusal(message: str, code: str, http_status: int) -> Response:
    return Response({"detail": message, "code": code}, status=http_status)


def _replay(row: IdempotentRequest, method_path: str, digest: str) -> Response:
    """The stored answer, or 422 when the key came with another request."""
    if row.body.get("request_sha256") != digest or row.method_path != method_path:
        return _refusal(
            _(
                "This Idempotency-Key was used for another request; "
                "use a new key for a new request."
            ),
            "idempotency_key_reused",
            status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(row.body.get("response"), status=row.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(view: ViewMethod) -> ViewMethod:
    """Make a write view method of a DRF view honour ``Idempotency-Key`` (see module)."""

    @functools.wraps(view)
    def wrapped(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request_key(request)
        if key is None:
            return view(self, request, *args, **kwargs)
        if len(key) > MAX_KEY:
            return _refusal(
                _("The Idempotency-Key header is longer than %(n)d characters.") % {"n": MAX_KEY},
                "idempotency_key_too_long",
                status.HTTP_400_BAD_REQUEST,
            )
        scope = f"user:{request.user.pk}"
        method_path = f"{request.method} {request.path}"[:255]
        digest = fingerprint(request)
        row = _stored(scope, key)
        if row is not None:
            return _replay(row, method_path, digest)
        try:
            with transaction.atomic():
                response = view(self, request, *args, **kwargs)
                if status.is_success(response.status_code):
                    # Last, so that a racing copy waits here and then rolls back (module).
                    IdempotentRequest.objects.create(
                        key=key,
                        scope=scope,
                        method_path=method_path,
                        status_code=response.status_code,
                        body={"request_sha256": digest, "response": _as_json(response.data)},
                    )
                # An answer that is not a success is not kept: the retry runs again.
                return response
        except IntegrityError:
            row = _stored(scope, key)
            if row is None:
                raise  # not our row's conflict
            return _replay(row, method_path, digest)

    return wrapped
