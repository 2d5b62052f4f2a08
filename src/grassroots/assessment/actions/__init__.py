"""Writes of the assessment (every state change is an action here)."""

from __future__ import annotations

from grassroots.assessment.actions.compute import compute_run

__all__ = ["compute_run"]
