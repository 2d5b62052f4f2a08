"""The forms of the rating and manual-entry pages (parsing only; the actions decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.evidence import ACCEPT
from grassroots.assessment.models import Indicator, Scheme
from grassroots.org.models import User

TEXT_MAX = 4000


class SchemeChoiceField(forms.ModelChoiceField[Scheme]):
    def label_from_instance(self, obj: Scheme) -> str:
        return f"{obj.name}（{obj.year}）"


class IndicatorChoiceField(forms.ModelChoiceField[Indicator]):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.scheme.name} · {obj.code} {obj.name}"


class RaterChoiceField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name}（{obj.username}）"


def apply_error(
    form: forms.Form, exc: AssessmentError, aliases: dict[str, str] | None = None
) -> None:
    """Put an action's error on the form field it names (else on the form itself)."""
    field = (aliases or {}).get(exc.field or "", exc.field)
    if field and field in form.fields:
        form.add_error(field, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NewFormForm(forms.Form):
    """发起测评: the scheme, the indicator (or the year-end review), period, dates, raters."""

    scheme = SchemeChoiceField(label=_("Scheme"), queryset=Scheme.objects.none())
    indicator = IndicatorChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("— Year-end review (no indicator) —"),
        help_text=_("A manual-rating indicator of the scheme; none for the year-end review."),
    )
    period = forms.CharField(
        label=pgettext_lazy("assessment", "Period"),
        max_length=16,
        help_text=_("2026-10 (month), 2026-Q3 (quarter) or 2026 (year)."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    closes_on = forms.DateField(label=_("Closes on"), widget=_date_input())
    raters = RaterChoiceField(
        label=_("Raters"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    instructions = forms.CharField(
        label=_("Instructions to the raters"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        schemes: QuerySet[Scheme],
        raters: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes  # type: ignore[attr-defined]
        self.fields["indicator"].queryset = (  # type: ignore[attr-defined]
            Indicator.objects.filter(scheme__in=schemes, source="manual")
            .select_related("scheme")
            .order_by("scheme__code", "position", "code")
        )
        self.fields["raters"].queryset = raters  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    """剔除: why the office excludes a sheet."""

    reason = forms.CharField(
        label=_("Reason for exclusion"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class JustificationForm(forms.Form):
    """说明理由: the rater explains a flagged sheet."""

    justification = forms.CharField(
        label=_("Justification"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Explain why your scores are so alike, or so far from the other raters'; "
            "the sheet counts once it is justified."
        ),
    )


class EntryForm(forms.Form):
    """录入: one figure for one unit, indicator and period, with its evidence."""

    indicator = IndicatorChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())
    unit = forms.CharField(
        label=_("Unit code"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    period = forms.CharField(
        label=pgettext_lazy("assessment", "Period"),
        max_length=16,
        help_text=_("2026-10, 2026-Q3 or 2026."),
    )
    value = forms.CharField(
        label=_("Value"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Basis"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, JPEG or PNG photo, Excel (.xlsx) or Word (.docx), at most 10 MB."),
    )

    def __init__(self, *args: Any, indicators: QuerySet[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    """导入: a spreadsheet of entries into one scheme."""

    scheme = SchemeChoiceField(label=_("Scheme"), queryset=Scheme.objects.none())
    file = forms.FileField(
        label=_("Spreadsheet"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        help_text=_("Columns: 单位代码, 指标代码, 期间, 数值, 依据 (.xlsx or .csv)."),
    )

    def __init__(self, *args: Any, schemes: QuerySet[Scheme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes  # type: ignore[attr-defined]


class EntryFilterForm(forms.Form):
    """The filters of the entries list."""

    scheme = SchemeChoiceField(
        label=_("Scheme"), queryset=Scheme.objects.none(), required=False, empty_label=_("All")
    )
    indicator = IndicatorChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    period = forms.CharField(
        label=pgettext_lazy("assessment", "Period"), max_length=16, required=False
    )

    def __init__(
        self,
        *args: Any,
        schemes: QuerySet[Scheme],
        indicators: QuerySet[Indicator],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes  # type: ignore[attr-defined]
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]
