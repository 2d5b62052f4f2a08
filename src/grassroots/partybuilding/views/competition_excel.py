"""Excel of a competition: the export (results; for the organiser also every judge's
scores and flags) and the import of its entries (upload → check → confirm, all or
nothing, problems by line — the registers' import pattern).

Who: the export needs ``partybuilding.view`` over the organiser (a competition outside
the viewer's sight is a 404, a judge alone gets 403); the import and its template need
``partybuilding.organise`` (403).
"""

from __future__ import annotations

import io
from typing import Any, Final

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grassroots.common.downloads import xlsx_response
from grassroots.common.http import user_of
from grassroots.common.tabular import ImportRefused
from grassroots.common.uploads import KeptUploads, SpreadsheetUploadForm
from grassroots.common.workbooks import safe_text
from grassroots.org.permissions import can, require
from grassroots.partybuilding import scoring_competitions as scoring
from grassroots.partybuilding.actions.competitions import sheets_by_round
from grassroots.partybuilding.importing_competitions import entries_template, import_entries
from grassroots.partybuilding.models import Competition
from grassroots.partybuilding.permissions import ORGANISE, VIEW
from grassroots.partybuilding.queries_competitions import all_scores, competition_for, rounds_of
from grassroots.partybuilding.views.competitions import STYLES, organised

UPLOADS: Final = KeptUploads(
    folder="competition-entries", session_key="partybuilding_entries", fallback="参赛节目"
)


def _workbook(competition: Competition, *, organiser: bool) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})

    def sheet(title: str, headers: list[str], rows: list[list[Any]]) -> None:
        ws = book.add_worksheet(title)
        for col, header in enumerate(headers):
            ws.write_string(0, col, header, bold)
            ws.set_column(col, col, max(10, len(header) * 2 + 2))
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, int | float) or hasattr(value, "as_tuple"):
                    ws.write_number(r, col, float(value))
                else:
                    ws.write_string(r, col, safe_text(str(value)))
        ws.freeze_panes(1, 0)

    results = []
    for r in rounds_of(competition):
        for e in r.entries.all():
            results.append(
                [
                    r.name,
                    e.rank,
                    e.unit.code,
                    e.unit.name,
                    e.title,
                    e.category,
                    e.final_score,
                    str(scoring.PRIZE_LABELS[e.prize]) if e.prize else "",
                ]
            )
    sheet(
        "竞演结果",
        ["轮次", "名次", "村(社区)编码", "村(社区)", "节目名称", "类别", "最终得分", "奖项"],
        results,
    )
    if organiser:
        sheet(
            "评委评分",
            ["轮次", "村(社区)", "节目名称", "评委", "评分", "评语"],
            [
                [
                    s.entry.round.name,
                    s.entry.unit.name,
                    s.entry.title,
                    s.judge.user.display_name,
                    s.score,
                    s.comment,
                ]
                for s in all_scores(competition)
            ],
        )
        flags = scoring.judge_flags(sheets_by_round(competition), competition.max_score)
        sheet(
            "评委诊断",
            ["评委", "提交时间", "反平均化提示", "书面说明"],
            [
                [
                    j.user.display_name,
                    j.submitted_at.strftime("%Y-%m-%d %H:%M") if j.submitted_at else "",
                    scoring.flag_text(flags.get(j.pk, ())),
                    j.justification,
                ]
                for j in competition.judges.select_related("user").order_by("pk")
            ],
        )
    book.close()
    return buffer.getvalue()


@login_required
@require_GET
def competition_export(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    competition = competition_for(user, pk)
    require(user, VIEW, competition)
    data = _workbook(competition, organiser=can(user, ORGANISE, competition))
    return xlsx_response(
        data, f"文化竞演-{competition.title}.xlsx", f"competition-{competition.pk}.xlsx"
    )


@login_required
@require_GET
def entries_template_download(request: HttpRequest, pk: int) -> HttpResponse:
    organised(request, pk)
    return xlsx_response(entries_template(), "参赛节目导入模板.xlsx", "entries-template.xlsx")


class EntriesUploadForm(SpreadsheetUploadForm):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def entries_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload → check (every problem by line, or what the file would add) → import."""
    user, competition = organised(request, pk)

    def page(status: int = 200, **context: Any) -> HttpResponse:
        context.setdefault("form", EntriesUploadForm())
        return render(
            request,
            "partybuilding/competition_import.html",
            {"c": competition, "styles": STYLES, **context},
            status=status,
        )

    if request.method != "POST":
        return page()
    if request.POST.get("confirm"):
        path = UPLOADS.waiting(request)
        if path is None:
            return page(400, problem=_("The checked file is no longer here; upload it again."))
        try:
            summary = import_entries(competition.pk, path, actor=user)
        except ImportRefused as exc:
            UPLOADS.forget(request)
            return page(400, errors=exc.errors, file=path.name)
        UPLOADS.forget(request)
        messages.success(
            request,
            _("Imported %(file)s: %(n)d entries.") % {"file": summary.file, "n": summary.created},
        )
        return HttpResponseRedirect(reverse("partybuilding:competition_entries", args=[pk]))
    form = EntriesUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return page(400, form=form)
    path = UPLOADS.store(request, form.cleaned_data["file"])
    try:
        summary = import_entries(competition.pk, path, actor=user, dry_run=True)
    except ImportRefused as exc:
        UPLOADS.forget(request)
        return page(400, errors=exc.errors, file=path.name)
    return page(checked=summary, token=UPLOADS.token(request), file=path.name)
