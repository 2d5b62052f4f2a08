from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "grassroots.supervision"
    label = "supervision"
    verbose_name = _("Target supervision")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.supervision import (
            jobs,  # noqa: F401  (the daily reminders)
            permissions,  # noqa: F401  (grants of the supervision roles)
        )
        from grassroots.supervision.nav import register_nav

        register_nav()
