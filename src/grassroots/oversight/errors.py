"""Domain errors of the oversight app; views map them to HTTP answers.

* :class:`OversightError` → 400 with ``{field: message}`` (``as_dict``);
* :class:`IllegalTransition`, :class:`OversightConflict` → 409;
* ``django.core.exceptions.PermissionDenied`` (raised by the scope checks) → 403, or 404
  where the page would tell that the record exists.

Every message is for people (translated, Chinese first) and names the input at fault.
Whenever one of these is raised, nothing has been written.
"""

from __future__ import annotations

from django.utils.translation import gettext

from grassroots.common.errors import DomainError


class OversightError(DomainError):
    """A rule of the oversight was broken; nothing was changed."""


class IllegalTransition(OversightError):  # noqa: N818 -- the word the other apps use
    """The record's current state does not allow the action asked for."""

    default_code = "illegal_transition"
    http_status = 409

    def __init__(self, current: str, target: str, *, field: str | None = None) -> None:
        self.current = current
        self.target = target
        super().__init__(
            gettext("A record in state “%(current)s” cannot move to “%(target)s”.")
            % {"current": current, "target": target},
            field=field,
        )


class OversightConflict(OversightError):  # noqa: N818
    """Someone else changed the record first, or it already exists."""

    default_code = "conflict"
    http_status = 409
