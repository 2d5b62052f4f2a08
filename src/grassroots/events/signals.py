"""What the events tell the other apps, without knowing them.

``event_reported`` is sent once a new event's transaction has committed (not for a retry
answered with the first event), with ``event_id`` and ``category_code``. A receiver runs
outside the reporter's transaction: it must open its own and must not fail the report (it
is sent with ``send_robust``; the registers also sweep for events a receiver missed).
"""

from __future__ import annotations

from django.dispatch import Signal

event_reported = Signal()
