"""Background sealing of the audit log (Huey).

A committed ``record`` calls ``request_seal``: the first caller of a burst sets a flag in
the queue's storage and schedules ``seal`` a moment later; the others find the flag set
and do nothing. ``seal`` clears the flag *before* it reads the queue of unsealed entries,
so an entry committed while it runs schedules the next run. ``seal_backstop`` runs every
minute in case a scheduled run was lost (and clears a flag left behind by it).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from grassroots.audit import conf
from grassroots.audit.actions import seal_all

SEAL_FLAG = "grassroots.audit.seal-scheduled"


def request_seal() -> None:
    """Schedule a seal soon, unless one is already scheduled."""
    # Most commits find the flag set: a read spares the queue a write (and, on SQLite,
    # its write lock); put_if_empty still settles the race between two first callers.
    if HUEY.storage.has_data_for_key(SEAL_FLAG):
        return
    if HUEY.put_if_empty(SEAL_FLAG, "1"):
        seal.schedule(delay=conf.seal_delay_seconds())


@db_task()
def seal() -> int:
    """Seal every committed entry; returns how many."""
    HUEY.delete(SEAL_FLAG)
    return seal_all()


@db_periodic_task(crontab(minute="*"))
def seal_backstop() -> int:
    """Every minute: seal whatever a lost or failed run left behind."""
    HUEY.delete(SEAL_FLAG)
    return seal_all()
