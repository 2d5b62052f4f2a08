from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "grassroots.common"
    label = "common"
    verbose_name = _("Common settings")
    default_auto_field = "django.db.models.BigAutoField"
