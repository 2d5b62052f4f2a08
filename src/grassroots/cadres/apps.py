from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    """Cadres (干部选育用管): files, the reserve pool, training, tempering, key moments,
    selection for vacancies, yearly grades and error tolerance (容错纠错).

    Knows org, common and audit; reads supervision, events and assessment only through
    their named queries; tells the assessment about tolerated mistakes through
    ``common.waivers`` (``cadres/waivers.py``).
    """

    name = "grassroots.cadres"
    label = "cadres"
    verbose_name = _("Cadres")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.cadres import (  # noqa: F401
            jobs,  # nightly key moments, the end of public notices
            permissions,  # the grants
        )
        from grassroots.cadres.nav import register_nav

        register_nav()
