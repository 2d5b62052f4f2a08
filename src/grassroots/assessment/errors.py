"""Domain errors of the assessment, mapped to 400/409 by views and commands."""

from __future__ import annotations


class AssessmentError(Exception):
    """A request the assessment cannot carry out, with a message a person understands."""


class IllegalTransition(AssessmentError):  # noqa: N818  (the house name)
    """A run state change that its current state does not allow."""
