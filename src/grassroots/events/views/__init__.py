"""Staff pages of events: the dispatcher queue, the list, an event's page and its photos."""

from __future__ import annotations

from grassroots.events.views.detail import act, event_detail
from grassroots.events.views.lists import event_list, queue
from grassroots.events.views.photos import photo, thumbnail

__all__ = ["act", "event_detail", "event_list", "photo", "queue", "thumbnail"]
