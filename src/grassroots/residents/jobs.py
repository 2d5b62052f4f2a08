"""Periodic work of the residents app (Huey): see each task's docstring."""

from __future__ import annotations
