"""The registers entry of the module navigation (called from ``RegistersConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.common import nav


def register_nav() -> None:
    nav.register(
        nav.NavItem(
            key="registers.home",
            label=_("Special registers"),
            url_name="registers:home",
            icon="📒",
            order=38,
            permission="registers.view",
        )
    )
