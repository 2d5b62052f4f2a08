from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartybuildingConfig(AppConfig):
    """Party building and culture (党建月会, 决策在先, 活动阵地, 文化院坝, 村歌村史, 家训家风,
    文化竞演).

    Knows org, common and audit; turns a resolution into a supervised task through the
    supervision app's named action (``supervision.actions.commitments``); reads the
    assessment's latest result and the tasks at risk for a monthly meeting's agenda through
    their named queries; keeps the decision log over the records that other apps declare in
    their ``decisions.py`` (``common.decisions``); offers its figures through
    ``common.metrics``.
    """

    name = "grassroots.partybuilding"
    label = "partybuilding"
    verbose_name = _("Party building and culture")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from grassroots.partybuilding import (  # noqa: F401
            jobs,  # the periodic planning and reminders
            permissions,  # the grants
        )
        from grassroots.partybuilding.nav import register_nav

        register_nav()
