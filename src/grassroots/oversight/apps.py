from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    """村社区监督委员会: committee members read their village, open supervision cases
    (matter, findings, rectification request with a deadline, closure with evidence), see
    the village's audit trail and the decisions without a resolution; the township's
    discipline office sees every case of its villages.

    Knows org, common and audit; reads the flagged decisions through the party-building
    app's named query; offers its figures through ``common.metrics``.
    """

    name = "grassroots.oversight"
    label = "oversight"
    verbose_name = _("Oversight committees")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.oversight import jobs, permissions  # noqa: F401 -- grants, periodic jobs
        from grassroots.oversight.nav import register_nav

        register_nav()
