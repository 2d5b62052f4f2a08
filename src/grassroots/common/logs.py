"""Structured logs: one JSON object a line in production, each carrying the request id.

``RequestIdMiddleware`` (``common.middleware``) gives every request an id — the caller's
``X-Request-ID`` when it is a sane token (nginx's ``$request_id``), else a new one — and
answers it in the same header. ``RequestIdFilter`` puts it on every log record written while
the request runs, so the lines of one request can be found together; ``JsonFormatter`` writes
the record as JSON (``GRASSROOTS_LOG_FORMAT=json``). ``MaskingFilter`` masks the ID
numbers and mobile numbers a message, its exception or its extra fields carry, the way pages
mask them (``common.masking``), before any handler writes them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from grassroots.common.masking import mask_id_number, mask_phone

request_id_var: ContextVar[str] = ContextVar("grassroots_request_id", default="")

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
#: Attributes every LogRecord has; whatever else a caller passed in ``extra`` is logged too.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


def new_request_id(offered: str | None) -> str:
    """The caller's id when it is a sane token, else a new random one."""
    if offered and _SANE_ID.match(offered):
        return offered
    return uuid.uuid4().hex


#: An 18-character citizen ID number (17 digits and a digit or X), not part of a longer token.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
#: A mainland mobile number (11 digits from 13… to 19…), with or without +86 / 86 before it.
_MOBILE = re.compile(r"(?<![\d+])(\+?86[- ]?)?(1[3-9]\d{9})(?!\d)")


def mask_personal(text: str) -> str:
    """``text`` with its ID numbers and mobile numbers masked as pages show them
    (5134************12, 138****5678)."""
    if not any(ch.isdigit() for ch in text):
        return text
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE.sub(lambda m: (m.group(1) or "") + mask_phone(m.group(2)), text)


class MaskingFilter(logging.Filter):
    """Masks personal data in what a record will print: its message (with the arguments
    merged in), its traceback and its extra string fields. Attached to the handlers, so
    no line leaves the process unmasked, whichever logger wrote it."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: logging itself reports it
            return True
        masked = mask_personal(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_personal(value))
        return True


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
                data[key] = _plain(value)
        if record.exc_text:  # the masking filter leaves the traceback it masked here
            data["exc_info"] = record.exc_text
        elif record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack_info"] = record.stack_info
        return json.dumps(data, ensure_ascii=False, default=_masked_str)


def _plain(value: Any) -> Any:
    """A value JSON can hold: Django's ``request`` extra becomes its method and path
    (without the query string, which may carry personal data)."""
    path = getattr(value, "path", None)
    method = getattr(value, "method", None)
    if isinstance(path, str) and isinstance(method, str):
        return {"method": method, "path": mask_personal(path)}
    return value


def _masked_str(value: Any) -> str:
    return mask_personal(str(value))
