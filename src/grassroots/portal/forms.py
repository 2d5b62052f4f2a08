"""The public forms: a resident's report, the lookup, the rating."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from grassroots.events.forms import (
    NOTE_MAX,
    CategoryChoiceField,
    IdempotencyKeyField,
    PhotosField,
    PositionMixin,
    new_idempotency_key,
)
from grassroots.events.models import Category, Satisfaction
from grassroots.portal import captcha

TITLE_FROM_DESCRIPTION = 30


class CaptchaForm(forms.Form):
    """The portal's captcha: the challenge's token (hidden) and the answer, placed after
    the subclass's own fields; render them with ``portal/_captcha_field.html``."""

    captcha_token = forms.CharField(
        max_length=captcha.TOKEN_MAX, required=False, widget=forms.HiddenInput
    )
    captcha = forms.CharField(
        label=_("Characters in the picture"),
        max_length=16,
        error_messages={"required": _("Type the characters shown in the picture.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "size": "8",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("captcha_token", "captcha"):  # declared first by inheritance: move last
            self.fields[name] = self.fields.pop(name)

    def captcha_reuse_key(self) -> str:
        """The key under which a right answer may be presented again (none by default)."""
        return ""

    def clean_captcha(self) -> str:
        """The picture's characters; the challenge is spent by this answer, right or wrong."""
        answer = str(self.cleaned_data.get("captcha") or "")
        token = str(self.cleaned_data.get("captcha_token") or "")
        if not captcha.check(token, answer, reuse_key=self.captcha_reuse_key()):
            raise forms.ValidationError(
                _(
                    "The characters do not match the picture, or the picture has expired: "
                    "type the characters of the new picture."
                ),
                code="invalid",
            )
        return captcha.normalize(answer)

    def forget_answer(self) -> None:
        """Blank the spent answer before the form is shown again (its errors are kept)."""
        if self.is_bound:
            data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
            data["captcha"] = ""
            self.data = data


class ResidentReportForm(PositionMixin, CaptchaForm):
    category = CategoryChoiceField(
        label=_("What kind of problem"), queryset=Category.objects.none()
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact_phone = forms.CharField(
        label=_("Your phone"),
        max_length=20,
        help_text=_("Needed to look the event up later (by its number and the last four digits)."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    contact_name = forms.CharField(
        label=_("How to address you (optional)"), required=False, max_length=64
    )
    photos = PhotosField(label=_("Photos (optional)"), required=False)
    idempotency_key = IdempotencyKeyField()

    field_order = [
        "category",
        "description",
        "lat",
        "lon",
        "address",
        "contact_phone",
        "contact_name",
        "photos",
        "idempotency_key",
        "captcha_token",
        "captcha",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"] = CategoryChoiceField(
            label=_("What kind of problem"), queryset=Category.objects.public()
        )
        self.order_fields(self.field_order)
        if not self.is_bound:
            key = self.fields["idempotency_key"]
            key.initial = new_idempotency_key()
            key.widget.attrs["data-fresh"] = "1"

    def captcha_reuse_key(self) -> str:
        """A resubmitted report (same idempotency key) may present its right answer again."""
        return str(self.cleaned_data.get("idempotency_key") or "")

    def title(self) -> str:
        """The event's title: the category and the start of the description."""
        text = " ".join((self.cleaned_data.get("description") or "").split())
        if len(text) > TITLE_FROM_DESCRIPTION:
            text = text[:TITLE_FROM_DESCRIPTION] + "…"
        category = self.cleaned_data["category"]
        return f"{category.name}：{text}"[:120]


class LookupForm(forms.Form):
    number = forms.CharField(
        label=_("Event number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    phone_last4 = forms.RegexField(
        label=_("Last four digits of your phone"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Enter the last four digits of the phone.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "maxlength": "4", "autocomplete": "off"}
        ),
    )

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with the result?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything to add (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
