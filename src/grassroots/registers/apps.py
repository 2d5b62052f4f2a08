from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    """The special registers (专项台账): 一户一宅, 乱修滥建 and 无序搬迁 since the baseline,
    邛海天窗, 防返贫监测 and 村集体经济; their checks and their metrics for the assessment.

    Knows org, common and audit; reads households of the residents app; opens a case from a
    违法建设 event (events' named queries); offers its figures through ``common.metrics``.
    """

    name = "grassroots.registers"
    label = "registers"
    verbose_name = _("Special registers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import grassroots.registers.receivers  # noqa: F401 -- connects the signal receivers
        from grassroots.registers import (  # noqa: F401
            jobs,  # the periodic checks and sweeps
            permissions,  # the grants
        )
        from grassroots.registers.nav import register_nav

        register_nav()
