"""The supervision entry of the module navigation (called from ``SupervisionConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.common import nav


def register_nav() -> None:
    nav.register(
        nav.NavItem(
            key="supervision.list",
            label=_("Target supervision"),
            url_name="supervision:list",
            icon="🎯",
            order=30,
            permission="supervision.view",
        )
    )
