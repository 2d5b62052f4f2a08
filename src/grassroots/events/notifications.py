"""Who hears of an event's change (inbox, SMS): called by the actions after commit.

``event_changed`` is the one hook the event actions call (through
``transaction.on_commit``) for every timeline line that someone must hear of. Deciding who
and sending is done here, so the actions stay free of delivery concerns.
"""

from __future__ import annotations


def event_changed(event_id: int, action_id: int) -> None:
    """Tell the people concerned that action ``action_id`` happened on event ``event_id``."""
    # Delivery (inbox and SMS) lands with the inbox module; until then nobody is told.
