"""Pages of the illegal construction (乱修滥建) and disorderly relocation (无序搬迁) register:
the list with its filters and export, a new case, a case's page (facts, deadline, photos
before and after, the event it came from, the moves, the history), corrections, photos,
the ledger import, and the zero-new-cases line per township.

Who sees what: ``registers.view`` over a case's unit (``queries_construction``); a case
out of sight is a 404, a form the viewer may not use on a case they see a 403 before
anything is parsed. The party's name is shown in full only to those who manage the case
(``registers.manage``), the phone never. An action's error comes back on the field it
names with HTTP 400; an illegal move with 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.common import charts
from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.masking import mask_name
from grassroots.common.uploads import KeptUploads
from grassroots.events.attachments import FORMATS, storage_path
from grassroots.org.models import User
from grassroots.org.permissions import can, require
from grassroots.registers import zero_line
from grassroots.registers.actions import construction as actions
from grassroots.registers.errors import IllegalTransition, RegistersConflict, RegistersError
from grassroots.registers.forms_construction import (
    FACT_FIELDS,
    DemolishForm,
    DismissForm,
    EditForm,
    FilterForm,
    LedgerImportForm,
    OpenForm,
    PhotoForm,
    RegulariseForm,
    ReturnForm,
    StopForm,
    ZeroLineForm,
    apply_error,
    valid_data,
)
from grassroots.registers.importing.construction import (
    export_workbook,
    import_ledger,
    template_workbook,
)
from grassroots.registers.models import ConstructionCase
from grassroots.registers.permissions import MANAGE, REPORT, VIEW
from grassroots.registers.queries import supervision_of
from grassroots.registers.queries_construction import (
    case_photos,
    cases_visible_to,
    filter_units,
    filtered_cases,
    history,
    is_overdue,
    may_open_in,
    new_case_counts,
    new_cases_since_baseline,
    sees_party,
    units_to_open,
    visible_case,
    visible_photo,
    zero_rows,
    zero_townships,
)
from grassroots.registers.states import (
    CONSTRUCTION_TRANSITIONS,
    CaseSource,
    ConstructionKind,
    ConstructionStatus,
)
from grassroots.registers.views.imports import ImportPage

PAGE_SIZE: Final = 30
EXPORT_LIMIT: Final = 20000
UPLOADS: Final = KeptUploads(
    folder="construction-imports", session_key="registers_construction_import", fallback="ledger"
)
CS = ConstructionStatus


def _may_view(user: User) -> None:
    if not can(user, VIEW):
        raise PermissionDenied


def _context(user: User, tab: str, **extra: Any) -> dict[str, Any]:
    """What every page of the register shows besides its own data (the tabs)."""
    return {
        "tab": tab,
        "may_manage": can(user, MANAGE),
        "may_open": can(user, MANAGE) or can(user, REPORT),
        **extra,
    }


# --- the list -----------------------------------------------------------------------------------


def _listed(request: HttpRequest, user: User) -> tuple[FilterForm, Any]:
    units = filter_units(user)
    form = FilterForm(request.GET or None, units=units)
    cases = filtered_cases(cases_visible_to(user), valid_data(form), timezone.localdate())
    return form, cases


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the viewer may see, newest found first, filtered; with the export link."""
    user = user_of(request)
    _may_view(user)
    form, cases = _listed(request, user)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "case": c,
            "party": c.party_name if sees_party(user, c) else mask_name(c.party_name),
            "overdue": is_overdue(c, today),
        }
        for c in page.object_list
    ]
    keep = [(k, v) for k, v in request.GET.items() if k != "page" and v and "\x00" not in v]
    return render(
        request,
        "registers/construction_list.html",
        _context(
            user,
            "list",
            form=form,
            page=page,
            rows=rows,
            querystring=urlencode(keep),
            export_query=urlencode(keep),
        ),
    )


# --- a new case ---------------------------------------------------------------------------------


def _sources(user: User) -> list[str]:
    found: list[str] = []
    if can(user, MANAGE):
        found.append(CaseSource.INSPECTION)
    if can(user, MANAGE) or can(user, REPORT):
        found.append(CaseSource.PATROL)
    return found


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case (inspection or patrol). A grid worker opens one for the village of their
    grid; as they do not see the village's register, they come back to this form."""
    user = user_of(request)
    units = units_to_open(user)
    sources = _sources(user)
    if not units or not sources:
        raise PermissionDenied
    today = timezone.localdate()
    initial = {"source": sources[0], "found_on": today}
    if request.method != "POST":
        form = OpenForm(units=units, sources=sources, initial=initial)
        return _new_page(request, user, form)
    form = OpenForm(request.POST, request.FILES, units=units, sources=sources, initial=initial)
    if not form.is_valid():
        return _new_page(request, user, form, 400)
    d = form.cleaned_data
    try:
        case = actions.open_case(
            actor=user,
            unit=d["unit"],
            kind=d["kind"],
            source=d["source"],
            photos=d["photos"],
            **form.facts(),
        )
    except RegistersError as exc:
        apply_error(form, exc)
        return _new_page(request, user, form, 400)
    messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
    if ConstructionCase.objects.visible_to(user).filter(pk=case.pk).exists():
        return HttpResponseRedirect(reverse("registers:construction_detail", args=[case.pk]))
    return HttpResponseRedirect(reverse("registers:construction_new"))


def _new_page(request: HttpRequest, user: User, form: OpenForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "registers/construction_new.html",
        _context(user, "new", form=form),
        status=status,
    )


# --- a case -------------------------------------------------------------------------------------

Perform = Callable[[ConstructionCase, User, Any], object]


@dataclass(frozen=True)
class Move:
    """One move offered on a case's page."""

    name: str
    label: str | Promise
    target: str
    form_class: type[forms.Form]
    perform: Perform
    #: Only for this kind of case (empty: any).
    kind: str = ""


def _d(form: forms.Form) -> dict[str, Any]:
    return form.cleaned_data


MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        Move(
            "stop",
            gettext_lazy("Stopped (制止)"),
            CS.STOPPED,
            StopForm,
            lambda c, u, f: actions.stop(
                c.pk, actor=u, stopped_on=_d(f)["stopped_on"], note=_d(f)["note"]
            ),
        ),
        Move(
            "demolish",
            gettext_lazy("Demolished (拆除)"),
            CS.DEMOLISHED,
            DemolishForm,
            lambda c, u, f: actions.demolish(
                c.pk,
                actor=u,
                closed_on=_d(f)["closed_on"],
                demolished_area=_d(f)["demolished_area"],
                note=_d(f)["note"],
            ),
        ),
        Move(
            "regularise",
            gettext_lazy("Regularised (补办手续)"),
            CS.REGULARISED,
            RegulariseForm,
            lambda c, u, f: actions.regularise(
                c.pk, actor=u, closed_on=_d(f)["closed_on"], note=_d(f)["note"]
            ),
        ),
        Move(
            "return",
            gettext_lazy("Moved back (劝返)"),
            CS.RETURNED,
            ReturnForm,
            lambda c, u, f: actions.return_people(
                c.pk, actor=u, closed_on=_d(f)["closed_on"], note=_d(f)["note"]
            ),
            kind=ConstructionKind.RELOCATION,
        ),
        Move(
            "dismiss",
            gettext_lazy("Not a case (核实不属于)"),
            CS.DISMISSED,
            DismissForm,
            lambda c, u, f: actions.dismiss(c.pk, actor=u, reason=_d(f)["reason"]),
        ),
    )
}


def _offered(move: Move, case: ConstructionCase) -> bool:
    allowed = CONSTRUCTION_TRANSITIONS.get(ConstructionStatus(case.status), frozenset())
    return move.target in allowed and (not move.kind or move.kind == case.kind)


#: What each audit verb of a case is called on its page.
VERB_LABELS: Final = {
    "opened": gettext_lazy("Case opened"),
    "stopped": gettext_lazy("Stopped"),
    "demolished": gettext_lazy("Demolished"),
    "regularised": gettext_lazy("Regularised"),
    "returned": gettext_lazy("Moved back"),
    "dismissed": gettext_lazy("Dismissed: not a case"),
    "corrected": gettext_lazy("Facts corrected"),
    "photos_added": gettext_lazy("Photos added"),
    "imported": gettext_lazy("Imported from a ledger"),
}


#: The corrected facts as the history names them.
FIELD_LABELS: Final = {
    f.name: f.verbose_name
    for f in ConstructionCase._meta.concrete_fields
    if hasattr(f, "verbose_name")
}


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    who: str
    what: str
    note: str
    changes: list[tuple[str, Any, Any]]


def _history(case: ConstructionCase) -> list[HistoryLine]:
    lines = []
    for entry in history(case):
        verb = entry.action.rsplit(".", 1)[-1]
        changes: list[tuple[str, Any, Any]] = []
        if verb == "corrected":
            before, after = entry.before or {}, entry.after or {}
            for name in after:
                label = str(FIELD_LABELS.get(name, name))
                changes.append((label, before.get(name), after.get(name)))
        lines.append(
            HistoryLine(
                at=entry.created_at,
                who=entry.actor_label or _("the system"),
                what=str(VERB_LABELS.get(verb, verb)),
                note=entry.note,
                changes=changes,
            )
        )
    return lines


def _case_context(
    user: User,
    case: ConstructionCase,
    *,
    failed: tuple[str, forms.Form] | None = None,
    problem: str = "",
) -> dict[str, Any]:
    today = timezone.localdate()
    manages = can(user, MANAGE, case)
    failed_name, failed_form = failed if failed else ("", None)
    moves = []
    if manages:
        for move in MOVES.values():
            if not _offered(move, case):
                continue
            if failed_name == move.name and failed_form is not None:
                form = failed_form
            else:
                form = move.form_class(
                    initial=_initial(move.name, case, today), auto_id=_auto_id(move.name)
                )
            moves.append({"name": move.name, "label": move.label, "form": form})
    photo_form = None
    if may_open_in(user, case.unit, inspection=False):
        photo_form = (
            failed_form if failed_name == "photos" else PhotoForm(auto_id=_auto_id("photos"))
        )
    return _context(
        user,
        "list",
        case=case,
        party=case.party_name if sees_party(user, case) else mask_name(case.party_name),
        overdue=is_overdue(case, today),
        days_left=(case.due_on - today).days,
        days_over=(today - case.due_on).days,
        photos=case_photos(case),
        moves=moves,
        photo_form=photo_form,
        manages=manages,
        history=_history(case),
        problem=problem,
        open_move=failed_name,
        supervision=supervision_of(user, case),
        supervise_kind="construction",
    )


def _auto_id(name: str) -> str:
    """Each form of a case's page has ids of its own (several have a date and a note)."""
    return f"{name}-%s"


def _initial(name: str, case: ConstructionCase, today: dt.date) -> dict[str, Any]:
    if name == "stop":
        return {"stopped_on": today}
    if name == "demolish":
        return {"closed_on": today, "demolished_area": case.area or ""}
    return {"closed_on": today}


def _case_page(
    request: HttpRequest, user: User, case: ConstructionCase, status: int = 200, **kw: Any
) -> HttpResponse:
    return render(
        request,
        "registers/construction_detail.html",
        _case_context(user, case, **kw),
        status=status,
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _case_page(request, user, visible_case(user, pk))


@login_required
@require_POST
def case_move(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Parse one move's form and call its action (see the module docstring for answers)."""
    user = user_of(request)
    case = visible_case(user, pk)
    move = MOVES.get(verb)
    if move is None:
        raise Http404
    if not can(user, MANAGE, case):
        raise PermissionDenied
    form = move.form_class(request.POST, auto_id=_auto_id(verb))
    if not form.is_valid():
        return _case_page(request, user, case, 400, failed=(verb, form))
    try:
        move.perform(case, user, form)
    except (IllegalTransition, RegistersConflict) as exc:
        return _case_page(request, user, visible_case(user, pk), 409, problem=exc.message)
    except RegistersError as exc:
        apply_error(form, exc)
        return _case_page(request, user, case, 400, failed=(verb, form))
    messages.success(request, _("Recorded: %(move)s.") % {"move": move.label})
    return HttpResponseRedirect(reverse("registers:construction_detail", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the facts of a case (``registers.manage``)."""
    user = user_of(request)
    case = visible_case(user, pk)
    if not can(user, MANAGE, case):
        raise PermissionDenied
    masked = case.masked_party_phone if case.party_phone else ""
    if request.method != "POST":
        initial = {name: getattr(case, name) for name in FACT_FIELDS}
        initial["party_phone"] = ""
        form = EditForm(initial=initial, masked_phone=masked)
        return _edit_page(request, user, case, form)
    form = EditForm(request.POST, masked_phone=masked)
    if not form.is_valid():
        return _edit_page(request, user, case, form, 400)
    try:
        actions.correct(case.pk, actor=user, fields=form.changes())
    except RegistersError as exc:
        apply_error(form, exc)
        return _edit_page(request, user, case, form, 400)
    messages.success(request, _("The case's facts were saved."))
    return HttpResponseRedirect(reverse("registers:construction_detail", args=[pk]))


def _edit_page(
    request: HttpRequest, user: User, case: ConstructionCase, form: EditForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "registers/construction_edit.html",
        _context(user, "list", case=case, form=form),
        status=status,
    )


# --- photos -------------------------------------------------------------------------------------


@login_required
@require_POST
def case_photos_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add before or after photos (the case's village cadres and grid workers)."""
    user = user_of(request)
    case = visible_case(user, pk)
    if not may_open_in(user, case.unit, inspection=False):
        raise PermissionDenied
    form = PhotoForm(request.POST, request.FILES, auto_id=_auto_id("photos"))
    if not form.is_valid():
        return _case_page(request, user, case, 400, failed=("photos", form))
    try:
        stored = actions.add_photos(
            case.pk,
            actor=user,
            stage=form.cleaned_data["stage"],
            uploads=form.cleaned_data["photos"],
        )
    except RegistersError as exc:
        apply_error(form, exc)
        return _case_page(request, user, case, 400, failed=("photos", form))
    messages.success(request, _("%(n)d photos added.") % {"n": len(stored)})
    return HttpResponseRedirect(reverse("registers:construction_detail", args=[pk]) + "#photos")


@login_required
@require_GET
def case_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A photo of a case, to whoever may see the case (404 otherwise)."""
    photo = visible_photo(user_of(request), pk)
    extension = next((ext for ct, ext in FORMATS.values() if ct == photo.content_type), "bin")
    path = storage_path(photo.sha256, extension)
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- Excel --------------------------------------------------------------------------------------


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The cases the list shows (its query string), in the ledger's layout; phones masked,
    names in full only where the viewer manages the case."""
    user = user_of(request)
    _may_view(user)
    _form, cases = _listed(request, user)
    rows = list(cases[:EXPORT_LIMIT])
    workbook = export_workbook(rows, full_name=lambda c: sees_party(user, c))
    day = timezone.localdate().isoformat()
    return xlsx_response(workbook, f"违建和无序搬迁台账-{day}.xlsx", f"construction-{day}.xlsx")


@login_required
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    """The empty ledger with its Chinese headers and one example row."""
    require(user_of(request), MANAGE)
    return xlsx_response(
        template_workbook(), "违建和无序搬迁台账导入模板.xlsx", "construction-template.xlsx"
    )


IMPORT: Final = ImportPage(
    title=gettext_lazy("Import a construction ledger"),
    importer=import_ledger,
    uploads=UPLOADS,
    url_name="registers:construction_import",
    template_url="registers:construction_template",
    export_url="registers:construction_export",
    help=gettext_lazy(
        "One row per case (乱修滥建 or 无序搬迁), in the layout of the village ledgers. Every "
        "row becomes a new case; a row already in the register is refused. The file is "
        "checked first: nothing is imported while any row has a problem."
    ),
    head="registers/construction_head.html",
    stylesheets=("grassroots/supervision.css",),
    nav="registers/construction_nav.html",
    nav_context=lambda user: _context(user, "import"),
    form_class=LedgerImportForm,
    export_label=gettext_lazy("Export to Excel"),
    confirm_label=gettext_lazy("Import these cases"),
    checked_template="registers/_construction_import_checked.html",
    done_message=gettext_lazy("Imported %(file)s: %(n)d cases."),
    done_url="registers:construction",
)


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    """Upload → check (every problem by line and column, or what it would add) → import,
    all or nothing."""
    return IMPORT.handle(request)


# --- the zero line ------------------------------------------------------------------------------

MONTH_LABELS: Final = [f"{m}月" for m in range(1, 13)]


@login_required
@require_GET
def zero_line_page(request: HttpRequest) -> HttpResponse:
    """零新增: the new cases (not dismissed) by township (or one township's villages) and
    month of a year against the target 0, with the totals since the baseline and a chart."""
    user = user_of(request)
    _may_view(user)
    today = timezone.localdate()
    townships = zero_townships(user)
    form = ZeroLineForm(
        request.GET or None,
        townships=townships if len(townships) > 1 else [],
        initial={"year": today.year},
    )
    data = valid_data(form)
    status = 400 if form.is_bound and form.errors else 200
    year = int(data.get("year") or today.year)
    kind = str(data.get("kind") or "")
    rows = zero_rows(user, str(data.get("township") or ""))
    within = rows.township
    row_units = [
        zero_line.RowUnit(
            u.path,
            _("%(name)s (its own)") % {"name": u.name}
            if u == within
            else rows.labels.get(u.pk, u.name),
            u.code,
            own_only=u == within,
        )
        for u in rows.units
    ]
    through = 12 if year < today.year else (today.month if year == today.year else 0)
    table = zero_line.build_table(
        year,
        row_units,
        new_case_counts(user, year, kind, within),
        new_cases_since_baseline(user, min(today, dt.date(year, 12, 31)), kind, within),
        through_month=through,
    )
    chart = charts.line_chart(
        MONTH_LABELS,
        [
            charts.Series(_("New cases"), table.series()),
            charts.Series(_("Target: zero"), table.target_line()),
        ],
        title=_("New cases by month, %(year)d") % {"year": year},
        y_min=0,
        # At least 0–5, so that the ticks of a count are whole numbers.
        y_max=max([5, *(n for n in table.series() if n is not None)]),
    )
    return render(
        request,
        "registers/zero_line.html",
        _context(
            user,
            "zero",
            form=form,
            table=table,
            chart=mark_safe(chart),  # noqa: S308 -- charts escape every text they are given
            township=within,
            may_choose_township=len(townships) > 1,
            kind=kind,
            kind_label=dict(ConstructionKind.choices).get(kind, ""),
            months=MONTH_LABELS,
        ),
        status=status,
    )
