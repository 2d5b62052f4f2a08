"""The assessment entry of the module navigation (called from ``AssessmentConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from grassroots.common import nav


def register_nav() -> None:
    nav.register(
        nav.NavItem(
            key="assessment.home",
            label=_("Assessment"),
            url_name="assessment:home",
            icon="🏆",
            order=40,
            permission="assessment.view",
        )
    )
    # raters (who may hold no other role) find their sheets here; the page is empty otherwise
    nav.register(
        nav.NavItem(
            key="assessment.ratings",
            label=_("Rating forms"),
            url_name="assessment:forms",
            icon="📝",
            order=41,
        )
    )
