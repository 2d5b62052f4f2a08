"""The partybuilding entry of the module navigation (called from the app's ``ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.common import nav


def register_nav() -> None:
    nav.register(
        nav.NavItem(
            key="partybuilding.home",
            label=_("Party building"),
            url_name="partybuilding:home",
            icon="🚩",
            order=43,
            permission="partybuilding.view",
        )
    )
    nav.register(
        nav.NavItem(
            key="partybuilding.judging",
            label=_("Score sheets"),
            url_name="partybuilding:judging",
            icon="🎭",
            order=44,
            permission="partybuilding.judge",
        )
    )
