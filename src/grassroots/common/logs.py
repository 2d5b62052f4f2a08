"""Structured logs: one JSON object a line in production, each carrying the request id.

``RequestIdMiddleware`` (``common.middleware``) gives every request an id — the caller's
``X-Request-ID`` when it is a sane token (nginx's ``$request_id``), else a new one — and
answers it in the same header. ``RequestIdFilter`` puts it on every log record written while
the request runs, so the lines of one request can be found together; ``JsonFormatter`` writes
the record as JSON (``GRASSROOTS_LOG_FORMAT=json``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str] = ContextVar("grassroots_request_id", default="")

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
#: Attributes every LogRecord has; whatever else a caller passed in ``extra`` is logged too.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def new_request_id(offered: str | None) -> str:
    """The caller's id when it is a sane token, else a new random one."""
    if offered and _SANE_ID.match(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or request_id_var.get()
        if request_id:
            data["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)
