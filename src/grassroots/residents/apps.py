from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """The people and places of every grid (人、地、事、物) and care visits (走访).

    Knows org, common and audit; opens an event for a problem found on a visit through
    ``events.actions.report_event`` (the events' named interface for intake).
    """

    name = "grassroots.residents"
    label = "residents"
    verbose_name = _("Grid basics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.residents import (  # noqa: F401
            jobs,  # the periodic checks and sweeps
            permissions,  # the grants
        )
        from grassroots.residents.nav import register_nav

        register_nav()
