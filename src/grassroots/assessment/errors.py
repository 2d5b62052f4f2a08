"""Domain errors of the assessment (a ``common.errors.DomainError``: 400, or 409 for a
state conflict), answered by views, the API and the command line alike."""

from __future__ import annotations

from grassroots.common.errors import DomainError


class AssessmentError(DomainError):
    """A request the assessment cannot carry out, with a message a person understands."""


class IllegalTransition(AssessmentError):  # noqa: N818  (the house name)
    """A state change that the record's current state does not allow."""

    default_code = "conflict"
    http_status = 409
