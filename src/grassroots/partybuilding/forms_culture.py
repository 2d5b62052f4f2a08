"""Forms of the culture archive's pages. They parse; the actions in
``actions.culture`` judge (their errors come back on the field they name)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from django import forms
from django.utils.translation import gettext_lazy as _

from grassroots.common.errors import DomainError
from grassroots.events.forms import PhotosField
from grassroots.org.models import Unit
from grassroots.partybuilding.actions.culture import (
    LYRICS_MAX,
    MOTTO_MAX,
    NAME_MAX,
    NOTE_MAX,
    ORDER_MAX,
    STORY_MAX,
    TITLE_MAX,
    TROUPE_MAX,
)
from grassroots.partybuilding.states import PerformerSpecialty

AUDIO_TYPES: Final = "audio/*,.mp3,.m4a,.aac,.ogg,.oga,.wav,.flac"
SEARCH_MAX: Final = 100


def apply_error(form: forms.Form, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put an action's error on the form field it names (else on the form itself)."""
    name = (aliases or {}).get(exc.field or "", exc.field)
    if not hasattr(form, "cleaned_data"):  # an unbound form (the error of another action)
        form.cleaned_data = {}
        form.errors  # noqa: B018 -- an unbound form's (empty) errors, made once
    if name and name in form.fields:
        form.add_error(name, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def no_nul(text: str) -> str:
    if "\x00" in text:
        raise forms.ValidationError(_("Enter text without control characters."))
    return text


class VillageField(forms.ChoiceField):
    """A village of the viewer's, by its code (the choices are set per request)."""

    def set_units(self, units: Iterable[Unit], *, empty: Any = None) -> None:
        self.units = {u.code: u for u in units}
        choices: list[tuple[str, Any]] = [(code, u.name) for code, u in self.units.items()]
        self.choices = ([("", empty)] if empty is not None else []) + choices

    def clean(self, value: Any) -> Unit | None:
        code = super().clean(value)
        if not code:
            return None
        return self.units.get(code)


class _WithVillage(forms.Form):
    unit = VillageField(label=_("Village"))

    def __init__(self, *args: Any, villages: Iterable[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if villages is None:
            del self.fields["unit"]
        else:
            field = self.fields["unit"]
            assert isinstance(field, VillageField)  # noqa: S101
            field.set_units(villages)

    def values(self, names: Iterable[str]) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in names if n in self.cleaned_data}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, value in data.items():
            if isinstance(value, str):
                try:
                    no_nul(value)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data


class SongForm(_WithVillage):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    lyricist = forms.CharField(label=_("Lyrics by"), max_length=NAME_MAX, required=False)
    composer = forms.CharField(label=_("Music by"), max_length=NAME_MAX, required=False)
    lyrics = forms.CharField(
        label=_("Lyrics"), max_length=LYRICS_MAX, required=False, widget=forms.Textarea
    )


class RecordingForm(forms.Form):
    audio = forms.FileField(
        label=_("Recording"),
        help_text=_("MP3, M4A (AAC), Ogg, WAV or FLAC."),
        widget=forms.ClearableFileInput(attrs={"accept": AUDIO_TYPES}),
    )


class HistoryForm(_WithVillage):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=ORDER_MAX,
        required=False,
        help_text=_("Chapters are shown from the smallest number up."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "Paragraphs, headings (h2, h3), lists, bold, italic and quotations are kept; "
            "a photo of this chapter is placed with its address (shown under each photo). "
            "Anything else is removed when saved."
        ),
    )


class HistoryPhotosForm(forms.Form):
    photos = PhotosField(label=_("Photos"), max_files=9)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def clean_caption(self) -> str:
        return no_nul(str(self.cleaned_data.get("caption") or ""))


class MottoForm(_WithVillage):
    family = forms.CharField(
        label=_("Family"),
        max_length=NAME_MAX,
        help_text=_("As the village calls it: 王家, 阿说家."),
    )
    motto = forms.CharField(
        label=_("Motto"), max_length=MOTTO_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    story = forms.CharField(
        label=_("Story"), max_length=STORY_MAX, required=False, widget=forms.Textarea
    )


class PerformerForm(_WithVillage):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    specialty = forms.ChoiceField(label=_("Specialty"), choices=PerformerSpecialty.choices)
    troupe = forms.CharField(label=_("Troupe"), max_length=TROUPE_MAX, required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1900, max_value=2100, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    leader = forms.BooleanField(label=_("Cultural leader"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=SEARCH_MAX, required=False)
    village = VillageField(label=_("Village"), required=False)

    def __init__(self, *args: Any, villages: Iterable[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, VillageField)  # noqa: S101
        field.set_units(villages, empty=_("All my villages"))

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "").replace("\x00", "")

    def filters(self) -> dict[str, Any]:
        """The filters that parsed (a field with an error is shown with it, not applied)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}


YES_NO: Final = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]


class PerformerFilterForm(SearchForm):
    specialty = forms.ChoiceField(
        label=_("Specialty"),
        required=False,
        choices=[("", _("Any")), *PerformerSpecialty.choices],
    )
    leader = forms.TypedChoiceField(
        label=_("Cultural leader"),
        required=False,
        choices=YES_NO,
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    active = forms.ChoiceField(
        label=_("On the roster"),
        required=False,
        choices=[("", _("Active")), ("0", _("No longer active")), ("all", _("All"))],
    )
