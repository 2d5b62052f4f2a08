"""Background work of the cadres app (Huey periodic tasks)."""

from __future__ import annotations
