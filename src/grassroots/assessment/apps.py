from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "grassroots.assessment"
    label = "assessment"
    verbose_name = _("Assessment")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.assessment import (
            jobs,  # noqa: F401  (closing the rating forms, reminding raters: hourly)
            permissions,  # noqa: F401  (grants of the roles)
        )
        from grassroots.assessment.nav import register_nav

        register_nav()
