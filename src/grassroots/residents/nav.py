"""The residents entry of the module navigation (called from ``ResidentsConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.common import nav


def register_nav() -> None:
    nav.register(
        nav.NavItem(
            key="residents.home",
            label=_("Grid basics"),
            url_name="residents:home",
            icon="🏘️",
            order=35,
            permission="residents.view",
        )
    )
