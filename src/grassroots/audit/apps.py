from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "grassroots.audit"
    label = "audit"
    verbose_name = _("Audit log")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.audit import jobs  # noqa: F401  (registers the Huey tasks)
        from grassroots.common import nav

        nav.register(
            nav.NavItem(
                key="audit.log",
                label=_("Audit log"),
                url_name="audit:entry_list",
                icon="🔏",
                order=90,
                permission="audit.view",
            )
        )
