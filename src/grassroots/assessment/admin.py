"""Admin pages of the assessment.

Schemes and their indicators are the city office's editor: editable by those who may
``assessment.manage`` over the scheme's root, written through ``actions.schemes.save_scheme``
(one transaction, one audit entry), with the weight check (base weights add up to the total)
and the burden check (减负) shown on the form and as warnings after saving. Runs, scores and
results are read-only (they change only through ``compute_run``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from grassroots.assessment.actions.schemes import SCHEME_FIELDS, save_scheme
from grassroots.assessment.burden import report_messages
from grassroots.assessment.checks import scheme_burden, scheme_weights
from grassroots.assessment.errors import AssessmentError
from grassroots.assessment.models import Indicator, Result, Run, Scheme, Score
from grassroots.assessment.permissions import MANAGE
from grassroots.org.permissions import can
from grassroots.org.queries import active_grants, scope_q


class IndicatorFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Refuses to delete an indicator that already has scores in a run."""

    def clean(self) -> None:
        super().clean()
        for form in self.deleted_forms:
            instance = form.instance
            if instance.pk is not None and Score.objects.filter(indicator=instance).exists():
                raise ValidationError(
                    _(
                        "Indicator %(code)s already has scores in a run and cannot be "
                        "deleted; change it instead."
                    ),
                    params={"code": instance.code},
                )


class IndicatorInline(admin.TabularInline[Indicator, Scheme]):
    model = Indicator
    formset = IndicatorFormSet
    extra = 0
    fields = (
        "position",
        "code",
        "name",
        "category",
        "weight",
        "source",
        "metric",
        "normaliser",
        "direction",
        "rule",
        "params",
        "duty",
    )

    # The platform's roles decide, not Django's model permissions (as for the scheme).
    def _may(self, request: HttpRequest, obj: Scheme | None) -> bool:
        return can(request.user, MANAGE, obj.root if obj is not None else None)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)


class SchemeForm(forms.ModelForm[Scheme]):
    request: HttpRequest

    class Meta:
        model = Scheme
        fields = [name.removesuffix("_id") for name in SCHEME_FIELDS]  # what save_scheme audits

    def clean_root(self) -> Any:
        root = self.cleaned_data.get("root")
        if root is not None and not can(self.request.user, MANAGE, root):
            raise ValidationError(_("You may not manage the assessment of this unit."))
        return root


def _manage_paths(request: HttpRequest) -> set[str]:
    from grassroots.org.permissions import role_may

    return {g.path for g in active_grants(request.user) if role_may(g.role, MANAGE)}


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin[Scheme]):
    form = SchemeForm
    list_display = ("code", "name", "year", "level", "root", "total_points", "reward_pool_fen")
    list_filter = ("year", "level")
    search_fields = ("code", "name")
    raw_id_fields = ("root",)
    readonly_fields = ("checks",)
    inlines = [IndicatorInline]

    def get_form(
        self, request: HttpRequest, obj: Scheme | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # type: ignore[attr-defined]
        return form

    def get_queryset(self, request: HttpRequest) -> QuerySet[Scheme]:
        qs = super().get_queryset(request).select_related("root")
        if request.user.is_superuser:
            return qs
        return qs.filter(scope_q(("root__path",), _manage_paths(request)))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, MANAGE)

    def has_view_permission(self, request: HttpRequest, obj: Scheme | None = None) -> bool:
        return can(request.user, MANAGE, obj.root if obj is not None else None)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request.user, MANAGE)

    def has_change_permission(self, request: HttpRequest, obj: Scheme | None = None) -> bool:
        return can(request.user, MANAGE, obj.root if obj is not None else None)

    def has_delete_permission(self, request: HttpRequest, obj: Scheme | None = None) -> bool:
        return False  # runs point at their scheme; a scheme of a past year stays

    @admin.display(description=_("Checks"))
    def checks(self, obj: Scheme | None) -> SafeString | str:
        """The weight check and the burden check of the stored scheme."""
        if obj is None or obj.pk is None:
            return "—"
        weights = scheme_weights(obj)
        problems = report_messages(scheme_burden(obj))
        lines = [("✓ " if weights.ok else "⚠ ") + weights.message]
        lines += ["⚠ " + p for p in problems] or [
            "✓ " + gettext("Burden check (减负): nothing to report.")
        ]
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((x,) for x in lines))
        )

    def save_model(self, request: HttpRequest, obj: Scheme, form: Any, change: bool) -> None:
        """Nothing here: ``save_related`` saves the scheme and its indicators together."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        indicators: list[Indicator] = []
        deleted: list[Indicator] = []
        for formset in formsets:
            if formset.model is not Indicator:
                continue
            indicators.extend(formset.save(commit=False))
            deleted.extend(formset.deleted_objects)
        try:
            save_scheme(form.instance, actor=request.user, indicators=indicators, deleted=deleted)  # type: ignore[arg-type]
        except (AssessmentError, PermissionDenied) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
            raise PermissionDenied(str(getattr(exc, "message", exc))) from exc
        for text in scheme_warnings(form.instance):
            messages.warning(request, text)


def scheme_warnings(scheme: Scheme) -> list[str]:
    """What the editor warns about after a save: weights that do not add up, burden."""
    found: list[str] = []
    weights = scheme_weights(scheme)
    if not weights.ok:
        found.append(weights.message)
    found.extend(report_messages(scheme_burden(scheme)))
    return found


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    list_display = ("scheme", "period", "version", "state", "computed_at", "fingerprint")
    list_filter = ("state", "scheme")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Run]:
        from grassroots.assessment.access import visible_runs

        return visible_runs(request.user)


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ("run", "unit", "peer_group", "rank", "total", "grade", "list_status")
    list_filter = ("grade", "list_status")
    list_select_related = ("run__scheme", "unit")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Result]:
        return Result.objects.visible_to(request.user).select_related("run__scheme", "unit")


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ("run", "unit", "indicator", "raw_value", "shrunk_value", "points")
    list_select_related = ("run__scheme", "unit", "indicator")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Score]:
        return Score.objects.visible_to(request.user).select_related(
            "run__scheme", "unit", "indicator"
        )
