"""The base of every app's domain errors (``events.errors``, ``supervision.errors``, …).

A domain error says which rule was broken, for people (translated), names the input at
fault (``field``; ``None`` for the request as a whole) and carries a stable machine word
(``code``) and the HTTP status an interface answers it with (``http_status``: 400 unless a
subclass says 409 or 404). Whenever one is raised, nothing has been written.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; nothing was changed."""

    default_code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code

    def as_dict(self) -> dict[str, str]:
        """``{field: message}`` (``__all__`` without a field), as a 400 body carries it."""
        return {self.field or "__all__": self.message}
