"""The import page every register shares (homesteads, construction, 天窗, monitoring,
income): upload → check (``dry_run``: every problem by line and column, or what the file
would do and a confirm button) → import, all or nothing. The uploaded file waits between
the two steps (``common.uploads.KeptUploads``). What differs by register is an
``ImportPage``'s fields: the importer, the texts, the links, the tabs it shows.

Who: ``registers.manage`` somewhere (403 without it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.common.http import user_of
from grassroots.common.tabular import ImportRefused
from grassroots.common.uploads import KeptUploads, SpreadsheetUploadForm
from grassroots.org.models import User
from grassroots.org.permissions import require
from grassroots.registers.permissions import MANAGE


class RegisterUploadForm(SpreadsheetUploadForm):
    file_label = gettext_lazy("Ledger (Excel or CSV)")


EXPORT: Final = gettext_lazy("Export")
IMPORT_FILE: Final = gettext_lazy("Import this file")
IMPORTED: Final = gettext_lazy(
    "Imported %(file)s: %(created)d new, %(updated)d updated, %(unchanged)d unchanged."
)


def _nav_context(user: User) -> dict[str, Any]:
    return {"tab": "import", "may_manage": True}


@dataclass(frozen=True)
class ImportPage:
    """A register's import page: the importer (``importer(path, actor=, dry_run=)``
    returning a summary with ``file`` and ``created`` (and ``updated``, ``unchanged``); raising an
    ``ImportRefused``), where its file waits (``uploads``), its title and help, the links
    to its template and export, and its frame: ``head`` and ``nav`` templates with
    ``nav_context`` (the tabs' context), the upload form, the confirm button, the summary
    of a checked file (``checked_template``), the message after the import
    (``done_message``, formatted with the summary's counts and ``n``, the new records) and
    where it then goes (``done_url``, else the page itself)."""

    title: Any
    importer: Any
    uploads: KeptUploads
    url_name: str
    template_url: str
    export_url: str
    help: Any
    template: str = "registers/ledger_import.html"
    head: str = "registers/window_head.html"
    stylesheets: tuple[str, ...] = ()
    nav: str = ""
    nav_context: Callable[[User], dict[str, Any]] = _nav_context
    form_class: type[SpreadsheetUploadForm] = RegisterUploadForm
    export_label: Any = EXPORT
    confirm_label: Any = IMPORT_FILE
    checked_template: str = "registers/_import_checked.html"
    done_message: Any = IMPORTED
    done_url: str = ""

    def render(
        self, request: HttpRequest, user: User, status: int = 200, **context: Any
    ) -> HttpResponse:
        context.setdefault("form", self.form_class())
        context = {**self.nav_context(user), **context, "page": self}
        return render(request, self.template, context, status=status)

    def handle(self, request: HttpRequest) -> HttpResponse:
        """The page: GET shows the form; POST checks an uploaded file, or with
        ``confirm`` imports the file checked before."""
        user = user_of(request)
        require(user, MANAGE)
        if request.method != "POST":
            return self.render(request, user)
        if request.POST.get("confirm"):
            return self._confirm(request, user)
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, user, 400, form=form)
        path = self.uploads.store(request, form.cleaned_data["file"])
        try:
            summary = self.importer(path, actor=user, dry_run=True)
        except ImportRefused as exc:
            self.uploads.forget(request)
            return self.render(request, user, 400, errors=exc.errors, file=path.name)
        return self.render(
            request, user, checked=summary, token=self.uploads.token(request), file=path.name
        )

    def _confirm(self, request: HttpRequest, user: User) -> HttpResponse:
        path = self.uploads.waiting(request)
        if path is None:
            problem = _("The checked file is no longer here; upload it again.")
            return self.render(request, user, 400, problem=problem)
        try:
            summary = self.importer(path, actor=user)
        except ImportRefused as exc:
            self.uploads.forget(request)
            return self.render(request, user, 400, errors=exc.errors, file=path.name)
        self.uploads.forget(request)
        counts = {
            "file": summary.file,
            "created": summary.created,
            "n": summary.created,
            "updated": getattr(summary, "updated", 0),
            "unchanged": getattr(summary, "unchanged", 0),
        }
        messages.success(request, str(self.done_message) % counts)
        return HttpResponseRedirect(reverse(self.done_url or self.url_name))
