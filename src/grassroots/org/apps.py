from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "grassroots.org"
    label = "org"
    verbose_name = _("Organisation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.common import nav
        from grassroots.org import permissions  # noqa: F401  (registers the org grants)

        nav.register(
            nav.NavItem(
                key="org.units",
                label=_("Units"),
                url_name="org:unit_list",
                icon="🏛",
                order=10,
                permission="org.view_unit",
            )
        )
