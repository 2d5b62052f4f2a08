"""Domain errors of the supervision app; views and the API map them to HTTP answers.

* :class:`SupervisionError` → 400, ``{field: message}`` (``as_dict``);
* :class:`IllegalTransition`, :class:`SupervisionConflict` → 409;
* :class:`SupervisionNotFound` → 404;
* ``django.core.exceptions.PermissionDenied`` (raised by the scope checks) → 403.

Every message is for people (translated); ``field`` names the input at fault (``None``
for the request as a whole) and ``code`` is a stable machine-readable word. Whenever one
of these is raised, nothing has been written.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from grassroots.common.errors import DomainError


class SupervisionError(DomainError):
    """A rule of target supervision was broken; nothing was changed."""


class IllegalTransition(SupervisionError):  # noqa: N818 -- names the API documents
    """The record's current state does not allow the action asked for."""

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
            message = gettext("A task in state “%(current)s” cannot move to “%(target)s”.") % {
                "current": _label(current),
                "target": _label(target),
            }
        super().__init__(message, field=field)


class SupervisionConflict(SupervisionError):  # noqa: N818 -- names the API documents
    """Someone else acted on the same record first (or at the same moment); reload."""

    default_code = "conflict"
    http_status = 409

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(
            message or gettext("Someone else changed this task at the same moment; reload."),
            field=field,
        )


class SupervisionNotFound(SupervisionError):  # noqa: N818 -- names the API documents
    """No such task, report, milestone or request."""

    default_code = "not_found"
    http_status = 404

    def __init__(self, ref: Any = None) -> None:
        self.ref = ref
        super().__init__(gettext("No such record."))


def _label(state: str | None) -> str:
    from grassroots.supervision.states import TaskState

    if state is None:
        return "—"
    try:
        return str(TaskState(state).label)
    except ValueError:
        return state
