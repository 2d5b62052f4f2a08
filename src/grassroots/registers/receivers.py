"""What the registers do when other apps tell them something (connected in
``RegistersConfig.ready``).

``events.signals.event_reported`` → a 违法建设 event (category ``WFJS…``, not 一户多宅)
opens its illegal construction or disorderly relocation case
(``actions.construction.open_case_from_event``), in its own transaction, after the
report has committed. It never raises: a failure is logged, and the sweep
(``jobs.construction``) opens the case later.
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from grassroots.events.signals import event_reported
from grassroots.registers.queries_construction import opens_case

logger = logging.getLogger(__name__)


@receiver(event_reported, dispatch_uid="registers.construction_case_from_event")
def open_construction_case(sender: Any, event_id: int, category_code: str, **kwargs: Any) -> None:
    """Open the case of a newly reported 违法建设 event; log, never raise."""
    if not opens_case(str(category_code or "")):
        return
    try:
        from grassroots.registers.actions.construction import open_case_from_event

        open_case_from_event(int(event_id))
    except Exception:
        logger.exception("registers: no case for event %s (the sweep retries)", event_id)
