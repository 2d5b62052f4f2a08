"""Domain errors of the org app; views map them to 400/409 with the message shown."""

from __future__ import annotations


class OrgError(Exception):
    """A rule of the unit tree or of memberships was broken; the message is for people."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
