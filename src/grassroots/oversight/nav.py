"""The oversight entry of the module navigation (called from the app's ``ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.common import nav


def register_nav() -> None:
    nav.register(
        nav.NavItem(
            key="oversight.home",
            label=_("Oversight"),
            url_name="oversight:home",
            icon="🔍",
            order=47,
            permission="oversight.view",
        )
    )
