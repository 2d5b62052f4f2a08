from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "grassroots.events"
    label = "events"
    verbose_name = _("Grid events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.events import (
            gauges,
            jobs,  # noqa: F401  (the deadline sweep every minute)
            permissions,  # noqa: F401  (grants of the events roles)
        )
        from grassroots.events.nav import register_nav

        register_nav()
        gauges.register()
