"""The culture archive's pages: village songs (with their player), village history
chapters (sanitised text and photos), and one village's archive page. The family mottos
and the performers' roster are in ``culture_records``; the files in ``culture_files``.

Who: ``partybuilding.view`` to read (403 without it anywhere; a record or village outside
the viewer's scope is a 404); ``partybuilding.record`` over the village to write (403).
An action's refusal comes back on its field with HTTP 400 and nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.common.http import user_of
from grassroots.org.models import Unit, User
from grassroots.org.permissions import can, require
from grassroots.partybuilding import richtext
from grassroots.partybuilding.actions import culture as actions
from grassroots.partybuilding.errors import PartybuildingError
from grassroots.partybuilding.forms_culture import (
    HistoryForm,
    HistoryPhotosForm,
    RecordingForm,
    SearchForm,
    SongForm,
    apply_error,
)
from grassroots.partybuilding.models import HistoryPhoto, Song, VillageHistory
from grassroots.partybuilding.permissions import RECORD, VIEW
from grassroots.partybuilding.queries_culture import (
    archive,
    histories,
    history_photos,
    may_record_path,
    recorded_paths,
    songs,
    villages_for,
)

PAGE_SIZE: Final = 30


# --- shared ---------------------------------------------------------------------------------


def require_view(user: User) -> None:
    """403 unless the viewer may read the archive somewhere."""
    if not can(user, VIEW):
        raise PermissionDenied


def visible(model: type[Model], user: User, pk: int) -> Any:
    """The record ``pk`` if the viewer sees it (404 otherwise, also for an absent one)."""
    found = model._default_manager.visible_to(user).select_related("unit").filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise Http404(_("No such record in your area."))
    return found


def recording_villages(user: User) -> list[Unit]:
    """The villages where the viewer may record (403 when none)."""
    villages = list(villages_for(user, RECORD))
    if not villages:
        raise PermissionDenied
    return villages


def querystring(request: HttpRequest) -> str:
    """The list's query string without the page or export (for links)."""
    keep: list[tuple[str, str]] = [
        (k, v)
        for k in request.GET
        if k not in ("page", "export")
        and (v := request.GET.get(k, ""))
        and "\x00" not in v
        and len(v) < 200
    ]
    return urlencode(keep)


def base_context(user: User, tab: str, **extra: Any) -> dict[str, Any]:
    return {"tab": tab, "may_record": can(user, RECORD), **extra}


def initial_village(villages: list[Unit], request: HttpRequest) -> dict[str, Any]:
    code = request.GET.get("village", "")
    if len(villages) == 1:
        return {"unit": villages[0].code}
    if any(v.code == code for v in villages):
        return {"unit": code}
    return {}


def page_of(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def searched(request: HttpRequest, user: User, query: Callable[..., Any]) -> tuple[SearchForm, Any]:
    """A list's search form (text, village) and the rows ``query`` selects with it."""
    form = SearchForm(request.GET or None, villages=villages_for(user))
    data = form.filters()
    return form, query(user, text=data.get("q", ""), village=data.get("village"))


def _list_page(
    request: HttpRequest, query: Callable[..., Any], tab: str, template: str
) -> HttpResponse:
    """A searchable list of the archive (403 without ``partybuilding.view``)."""
    user = user_of(request)
    require_view(user)
    form, rows = searched(request, user, query)
    return render(
        request,
        template,
        base_context(
            user, tab, form=form, page=page_of(request, rows), querystring=querystring(request)
        ),
    )


def form_page(
    request: HttpRequest, user: User, tab: str, title: str, status: int = 200, **ctx: Any
) -> HttpResponse:
    return render(
        request,
        "partybuilding/culture_form.html",
        base_context(user, tab, title=title, **ctx),
        status=status,
    )


# --- songs ----------------------------------------------------------------------------------


@login_required
@require_GET
def song_list(request: HttpRequest) -> HttpResponse:
    """The village songs the viewer sees, by village; search by title."""
    return _list_page(request, songs, "songs", "partybuilding/culture_songs.html")


@login_required
@require_http_methods(["GET", "POST"])
def song_new(request: HttpRequest) -> HttpResponse:
    """A new song of one of the viewer's villages, with its recording if one is chosen."""
    user = user_of(request)
    require_view(user)
    villages = recording_villages(user)
    title = _("New village song")
    if request.method != "POST":
        form = SongForm(villages=villages, initial=initial_village(villages, request))
        return form_page(request, user, "songs", title, form=form, recording=RecordingForm())
    form = SongForm(request.POST, villages=villages)
    recording = RecordingForm(request.POST, request.FILES)
    if not form.is_valid():
        return form_page(request, user, "songs", title, 400, form=form, recording=recording)
    try:
        song = actions.create_song(
            form.cleaned_data["unit"],
            form.values(actions.SONG_FIELDS),
            actor=user,
            recording=request.FILES.get("audio"),
        )
    except PartybuildingError as exc:
        apply_error(form if exc.field != "audio" else recording, exc)
        return form_page(
            request, user, "songs", title, exc.http_status, form=form, recording=recording
        )
    messages.success(request, _("The song “%(title)s” is saved.") % {"title": song.title})
    return HttpResponseRedirect(reverse("partybuilding:song_detail", args=[song.pk]))


@login_required
@require_GET
def song_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A song: its lyrics, authors and the player of its recording."""
    user = user_of(request)
    song = visible(Song, user, pk)
    return render(
        request,
        "partybuilding/culture_song.html",
        base_context(user, "songs", song=song, may_edit=can(user, RECORD, song)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def song_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a song (``action=save``), set its recording (``action=recording``) or
    remove it (``action=delete``)."""
    user = user_of(request)
    song = visible(Song, user, pk)
    require(user, RECORD, song)
    title = _("Edit the song “%(title)s”") % {"title": song.title}
    initial = {name: getattr(song, name) for name in actions.SONG_FIELDS}
    form = SongForm(initial=initial)
    recording = RecordingForm()
    ctx: dict[str, Any] = {"record": song, "delete_label": _("Remove this song")}
    if request.method != "POST":
        return form_page(request, user, "songs", title, form=form, recording=recording, **ctx)
    what = request.POST.get("action", "save")
    try:
        if what == "delete":
            actions.delete_song(song.pk, actor=user)
            messages.success(request, _("The song is removed."))
            return HttpResponseRedirect(reverse("partybuilding:songs"))
        if what == "recording":
            recording = RecordingForm(request.POST, request.FILES)
            actions.upload_recording(song.pk, request.FILES.get("audio"), actor=user)
            messages.success(request, _("The recording is saved."))
        else:
            form = SongForm(request.POST)
            if not form.is_valid():
                return form_page(
                    request, user, "songs", title, 400, form=form, recording=recording, **ctx
                )
            actions.update_song(song.pk, form.values(actions.SONG_FIELDS), actor=user)
            messages.success(request, _("The song is saved."))
    except PartybuildingError as exc:
        apply_error(recording if what == "recording" else form, exc)
        return form_page(
            request, user, "songs", title, exc.http_status, form=form, recording=recording, **ctx
        )
    return HttpResponseRedirect(reverse("partybuilding:song_detail", args=[song.pk]))


# --- histories ------------------------------------------------------------------------------


@login_required
@require_GET
def history_list(request: HttpRequest) -> HttpResponse:
    """The history chapters the viewer sees, by village and order."""
    return _list_page(request, histories, "histories", "partybuilding/culture_histories.html")


@login_required
@require_http_methods(["GET", "POST"])
def history_new(request: HttpRequest) -> HttpResponse:
    """A new chapter of a village's history, with photos if chosen."""
    user = user_of(request)
    require_view(user)
    villages = recording_villages(user)
    title = _("New history chapter")
    photos = HistoryPhotosForm()
    photos.fields["photos"].required = False
    if request.method != "POST":
        form = HistoryForm(villages=villages, initial=initial_village(villages, request))
        return form_page(request, user, "histories", title, form=form, photos=photos)
    form = HistoryForm(request.POST, villages=villages)
    if not form.is_valid():
        return form_page(request, user, "histories", title, 400, form=form, photos=photos)
    try:
        history = actions.create_history(
            form.cleaned_data["unit"],
            form.values(actions.HISTORY_FIELDS),
            actor=user,
            photos=request.FILES.getlist("photos"),
        )
    except PartybuildingError as exc:
        apply_error(form, exc)
        if exc.field == "photos":
            photos.add_error(None, str(exc.message))
        return form_page(
            request, user, "histories", title, exc.http_status, form=form, photos=photos
        )
    messages.success(request, _("The chapter “%(title)s” is saved.") % {"title": history.title})
    return HttpResponseRedirect(reverse("partybuilding:history_edit", args=[history.pk]))


@login_required
@require_GET
def history_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A chapter: its cleaned text (cleaned once more when shown) and its photos."""
    user = user_of(request)
    history = visible(VillageHistory, user, pk)
    photos = history_photos(history)
    return render(
        request,
        "partybuilding/culture_history.html",
        base_context(
            user,
            "histories",
            history=history,
            body=richtext.clean_html(
                history.body, photo_urls=[actions.photo_url(p) for p in photos]
            ),
            photos=[(p, actions.photo_url(p)) for p in photos],
            may_edit=can(user, RECORD, history),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def history_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a chapter (``action=save``), add photos (``action=photos``) or remove one
    (``action=remove_photo``, ``photo=<id>``)."""
    user = user_of(request)
    history = visible(VillageHistory, user, pk)
    require(user, RECORD, history)
    title = _("Edit the chapter “%(title)s”") % {"title": history.title}
    form = HistoryForm(initial={n: getattr(history, n) for n in actions.HISTORY_FIELDS})
    photos = HistoryPhotosForm()

    def page(status: int = 200) -> HttpResponse:
        shown = history_photos(history)
        return form_page(
            request,
            user,
            "histories",
            title,
            status,
            form=form,
            photos=photos,
            record=history,
            history_photos=[(p, actions.photo_url(p)) for p in shown],
        )

    if request.method != "POST":
        return page()
    what = request.POST.get("action", "save")
    try:
        if what == "photos":
            photos = HistoryPhotosForm(request.POST, request.FILES)
            if not photos.is_valid():
                return page(400)
            actions.add_history_photos(
                history.pk,
                photos.cleaned_data["photos"],
                actor=user,
                caption=photos.cleaned_data["caption"],
            )
            messages.success(request, _("The photos are added."))
        elif what == "remove_photo":
            raw = request.POST.get("photo", "")
            if not (raw.isascii() and raw.isdecimal() and len(raw) < 18) or not (
                HistoryPhoto.objects.filter(pk=int(raw), history=history).exists()
            ):
                raise PartybuildingError(_("No such photo."), field="photo")
            actions.remove_history_photo(int(raw), actor=user)
            messages.success(request, _("The photo is removed."))
        else:
            form = HistoryForm(request.POST)
            if not form.is_valid():
                return page(400)
            actions.update_history(history.pk, form.values(actions.HISTORY_FIELDS), actor=user)
            messages.success(request, _("The chapter is saved."))
    except PartybuildingError as exc:
        apply_error(photos if what != "save" else form, exc)
        return page(exc.http_status)
    return HttpResponseRedirect(reverse("partybuilding:history_edit", args=[history.pk]))


# --- one village's archive --------------------------------------------------------------------


@login_required
@require_GET
def village_archive(request: HttpRequest, code: str) -> HttpResponse:
    """One village's culture archive: its songs, history, family mottos and performers."""
    user = user_of(request)
    require_view(user)
    if "\x00" in code or len(code) > 32:
        raise Http404
    village = villages_for(user).filter(code=code).first()
    if village is None:
        raise Http404(_("No such village in your area."))
    return render(
        request,
        "partybuilding/culture_archive.html",
        base_context(
            user,
            "archive",
            a=archive(user, village),
            may_edit=may_record_path(recorded_paths(user), village.path),
        ),
    )
