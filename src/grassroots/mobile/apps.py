from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobileConfig(AppConfig):
    """The grid worker's phone pages under /m/ (no models)."""

    name = "grassroots.mobile"
    label = "mobile"
    verbose_name = _("Mobile pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.common import nav

        nav.register(
            nav.NavItem(
                key="mobile.home",
                label=_("Mobile patrol"),
                url_name="mobile:home",
                icon="📱",
                order=21,
                permission="events.report",
            )
        )
