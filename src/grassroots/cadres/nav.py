"""The cadres entry of the module navigation (called from ``CadresConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.common import nav


def register_nav() -> None:
    nav.register(
        nav.NavItem(
            key="cadres.home",
            label=_("Cadres"),
            url_name="cadres:home",
            icon="👥",
            order=45,
            permission="cadres.view_tolerance",
        )
    )
