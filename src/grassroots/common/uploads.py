"""An import page's upload, kept between its check and its confirmation, and the form that
takes it (the supervision task import, the cadre roster import).

A page first checks an uploaded file and shows what it found, then imports it when the
person confirms. A browser cannot refill a file input, so the file is kept in between:
under ``DATA_DIR/tmp/<folder>/<token>/`` with a random token held in the person's session
(under ``session_key``) and posted back by the confirm form as ``token``; only a token
equal to the session's own is taken. ``KeptUploads.forget`` removes it (after the import,
when a check fails); keeping another one forgets the session's earlier one and sweeps the
uploads of any session older than ``keep`` (a day).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: What an import page takes (``common.tabular.open_table`` reads these).
IMPORT_SUFFIXES: Final = (".xlsx", ".xlsm", ".csv")
IMPORT_TYPES: Final = (
    ".xlsx,.xlsm,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)
IMPORT_MAX_MB: Final = 20
_ZIP_MAGIC: Final = b"PK\x03\x04"
_TOKEN: Final = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: Characters a file name may not carry (Windows' reserved ones and control characters).
_UNSAFE_NAME: Final = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_file_name(text: str, fallback: str) -> str:
    """``text`` as a file name: no path separators or reserved characters, at most 80
    characters; ``fallback`` when nothing is left."""
    cleaned = _UNSAFE_NAME.sub("_", text).strip(" ._")[:80]
    return cleaned or fallback


class SpreadsheetUploadForm(forms.Form):
    """A file to import: an Excel workbook (.xlsx) or a CSV file. Only the type is checked
    here (by name, and an Excel file must be a zip), and the size; the rows are checked by
    the import. A subclass names the file (``file_label``)."""

    file_label: Any = None
    file = forms.FileField(
        help_text=gettext_lazy(
            "An .xlsx workbook (first sheet) or a .csv file in UTF-8 or GB18030, "
            "with the headers of the template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": IMPORT_TYPES}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.file_label is not None:
            self.fields["file"].label = self.file_label

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = upload.name or ""
        suffix = name[name.rfind(".") :].lower() if "." in name else ""
        if suffix not in IMPORT_SUFFIXES:
            raise ValidationError(
                _("%(name)s is not a spreadsheet: choose an Excel (.xlsx) or CSV (.csv) file."),
                code="type",
                params={"name": name},
            )
        if (upload.size or 0) > IMPORT_MAX_MB * 1024 * 1024:
            raise ValidationError(
                _("The file is larger than %(mb)d MB."), code="size", params={"mb": IMPORT_MAX_MB}
            )
        if suffix != ".csv":
            upload.seek(0)
            head = upload.read(4)
            upload.seek(0)
            if head != _ZIP_MAGIC:
                raise ValidationError(
                    _("%(name)s is not an Excel workbook (.xlsx); save it as .xlsx or .csv."),
                    code="type",
                    params={"name": name},
                )
        return upload


@dataclass(frozen=True, slots=True)
class KeptUploads:
    """The uploads of one import page waiting for their confirmation: under
    ``DATA_DIR/tmp/<folder>/``, the session's under ``session_key``; a stored file is named
    after the upload (``safe_file_name``, ``fallback`` when nothing of it is left)."""

    folder: str
    session_key: str
    fallback: str
    #: How long an uploaded file waits for its confirmation.
    keep: dt.timedelta = dt.timedelta(days=1)

    def root(self) -> Path:
        return Path(settings.DATA_DIR) / "tmp" / self.folder

    def sweep(self, now: float | None = None) -> None:
        """Remove uploads waiting longer than ``keep``."""
        root = self.root()
        if not root.is_dir():
            return
        cutoff = (now if now is not None else time.time()) - self.keep.total_seconds()
        for folder in root.iterdir():
            try:
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except FileNotFoundError:
                continue

    def forget(self, request: HttpRequest) -> None:
        """Drop the session's waiting upload, and its file."""
        kept = request.session.pop(self.session_key, None)
        token = kept.get("token", "") if isinstance(kept, dict) else ""
        if _TOKEN.match(token):
            shutil.rmtree(self.root() / token, ignore_errors=True)

    def store(self, request: HttpRequest, upload: Any) -> Path:
        """Store the upload under a new token bound to the session; its path."""
        self.forget(request)
        self.sweep()
        token = secrets.token_urlsafe(24)
        folder = self.root() / token
        folder.mkdir(parents=True, mode=0o700)
        original = Path(str(upload.name))
        path = folder / (safe_file_name(original.stem, self.fallback) + original.suffix.lower())
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        request.session[self.session_key] = {"token": token, "name": path.name}
        return path

    def token(self, request: HttpRequest) -> str:
        """The token of the session's waiting upload (for the confirm form)."""
        return str(request.session[self.session_key]["token"])

    def waiting(self, request: HttpRequest) -> Path | None:
        """The session's waiting upload if the posted token is its own and the file is
        still there."""
        kept = request.session.get(self.session_key)
        posted = request.POST.get("token", "")
        if not isinstance(kept, dict) or not _TOKEN.match(posted):
            return None
        token, name = str(kept.get("token", "")), str(kept.get("name", ""))
        if not secrets.compare_digest(token, posted) or not name or "/" in name:
            return None
        path = self.root() / token / name
        return path if path.is_file() else None
