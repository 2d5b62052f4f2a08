"""The events entry of the module navigation (called from ``EventsConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.common import nav


def register_nav() -> None:
    nav.register(
        nav.NavItem(
            key="events.queue",
            label=_("Events"),
            url_name="events:queue",
            icon="📋",
            order=20,
            permission="events.view",
        )
    )
