"""Domain errors of the events app; views map them to HTTP answers.

* :class:`EventError` (and :class:`OutsideJurisdiction`) → 400, ``{field: message}``;
* :class:`IllegalTransition`, :class:`EventConflict` → 409;
* :class:`EventNotFound` → 404;
* ``django.core.exceptions.PermissionDenied`` (raised by the scope checks) → 403.

Every message is for people (translated); ``field`` names the input at fault (``None`` for
the request as a whole) and ``code`` is a stable machine-readable word.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from grassroots.common.errors import DomainError


class EventError(DomainError):
    """A rule of events was broken; nothing was changed."""


class IllegalTransition(EventError):  # noqa: N818 -- names the API documents
    """The event's current status does not allow the move (or the action) asked for."""

    default_code = "illegal_transition"
    http_status = 409

    def __init__(
        self,
        message: str | None = None,
        *,
        current: str | None = None,
        target: str | None = None,
        field: str | None = None,
    ) -> None:
        self.current = current
        self.target = target
        if message is None:
            message = gettext("An event in status “%(current)s” cannot move to “%(target)s”.") % {
                "current": _label(current),
                "target": _label(target),
            }
        super().__init__(message, field=field)


class EventConflict(EventError):  # noqa: N818 -- names the API documents
    """Another action changed the event at the same moment and won; try again."""

    default_code = "conflict"
    http_status = 409

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(
            message
            or gettext("Someone else changed this event at the same moment; reload and retry."),
            field=field,
        )


class EventNotFound(EventError):  # noqa: N818 -- names the API documents
    """No such event (or not one the caller may see)."""

    default_code = "not_found"
    http_status = 404

    def __init__(self, event_id: Any = None) -> None:
        self.event_id = event_id
        super().__init__(gettext("No such event."))


class OutsideJurisdiction(EventError):  # noqa: N818 -- names the API documents
    """The position lies outside every grid of the jurisdiction (``common.geo``)."""

    default_code = "outside_jurisdiction"

    def __init__(self, message: str, *, lon: float | None = None, lat: float | None = None) -> None:
        self.lon, self.lat = lon, lat
        super().__init__(message, field="location")


def _label(status: str | None) -> str:
    from grassroots.events.states import EventStatus

    if status is None:
        return "—"
    try:
        return str(EventStatus(status).label)
    except ValueError:
        return status
