"""The form of the registers' policy page: it parses; the rules are
``actions.policy.update_policy``'s, whose errors come back on the field they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.registers.actions.policy import FIELDS, snapshot
from grassroots.registers.models import Policy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PolicyForm(forms.Form):
    homestead_area_limit = forms.DecimalField(
        label=_("Homestead area standard (m²)"),
        help_text=_("Per parcel; 10 to 1,000. A parcel above it is a 一户一宅 finding."),
    )
    rectify_workdays = forms.IntegerField(
        label=_("Rectify a 一户一宅 case within (working days)"),
        help_text=_("1 to 365, counted from the day the check found it."),
    )
    baseline = forms.DateField(
        label=_("Baseline date for new construction cases"),
        widget=DATE,
        help_text=_("Built or moved after this day counts as new (the target is zero)."),
    )
    stop_within_days = forms.IntegerField(
        label=_("Stop a new construction case within (days)"), help_text=_("1 to 365.")
    )
    construction_workdays = forms.IntegerField(
        label=_("Deal with a construction case within (working days)"), help_text=_("1 to 365.")
    )
    window_first_year = forms.IntegerField(
        label=_("Qionghai windows programme: first year"), help_text=_("2000 to 2100.")
    )
    window_last_year = forms.IntegerField(
        label=_("Qionghai windows programme: last year"),
        help_text=_("2000 to 2100, not before the first year."),
    )
    review_every_days = forms.IntegerField(
        label=_("Review a monitored household every (days)"), help_text=_("1 to 365.")
    )

    @classmethod
    def initial_of(cls, policy: Policy) -> dict[str, Any]:
        return snapshot(policy)

    def values(self) -> dict[str, Any]:
        """The fields as ``update_policy`` takes them."""
        return {name: self.cleaned_data[name] for name in FIELDS}
