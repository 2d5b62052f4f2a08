"""Errors of the audit app."""

from __future__ import annotations


class AuditError(Exception):
    """Base of the audit app's errors."""


class AuditRecordError(AuditError, ValueError):
    """A caller passed something ``record`` cannot write (a programming error)."""
