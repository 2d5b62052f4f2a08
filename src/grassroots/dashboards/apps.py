from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Staff dashboards per level (city, township, village, grid) and the grid maps.

    Sits on top like the portal: it reads events, supervision and assessment through their
    named queries and nothing imports it.
    """

    name = "grassroots.dashboards"
    label = "dashboards"
    verbose_name = _("Dashboards")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.dashboards import (  # noqa: F401
            jobs,  # the figures of the units above township level, counted ahead
            permissions,  # the grant of the view
        )
        from grassroots.dashboards.nav import register_nav

        register_nav()
