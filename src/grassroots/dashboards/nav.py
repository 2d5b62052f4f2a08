"""The dashboard entry of the module navigation (called from ``DashboardsConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.common import nav
from grassroots.dashboards.permissions import VIEW


def register_nav() -> None:
    nav.register(
        nav.NavItem(
            key="dashboards.mine",
            label=_("Dashboard"),
            url_name="dashboards:mine",
            icon="📊",
            order=5,
            permission=VIEW,
        )
    )
