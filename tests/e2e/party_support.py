"""Shared set-up of the party-building and oversight browser tests (issue 9): a published
monthly assessment result and an overdue supervision task of a village (the starting point
of its 党建月会), a PDF to upload, the error shown beside a form field, and a form sent
with the status of the answer.

The live server runs on the real clock (no ``time_machine``: the browser's session cookies
and the server's "today" must agree), so dates are relative to today.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def today() -> dt.date:
    return timezone.localdate()


def day(offset: int) -> str:
    """Today plus ``offset`` days, as a date field takes it."""
    return (today() + dt.timedelta(days=offset)).isoformat()


def last_month() -> str:
    """The label of last month (``2026-11``), a monthly assessment period."""
    first = today().replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


def publish_monthly_result(tree: dict[str, Any]) -> str:
    """Last month's monthly assessment of the villages, published: 礼州村 85.00 points,
    rank 1 of 3 (田坝村 60.00, 安宁村 70.00); its period."""
    from grassroots.assessment.actions.publishing import publish_run
    from tests.assessment.publishing_support import plain_scheme, run_with_results

    period = last_month()
    year = int(period[:4])
    scheme = plain_scheme(tree, code=f"xc-village-{year}", year=year)
    run = run_with_results(
        scheme,
        period,
        [
            (tree["village"], "85.00"),
            (tree["neighbour_village"], "60.00"),
            (tree["other_village"], "70.00"),
        ],
    )
    publish_run(run, actor=None)
    return period


def overdue_task(unit: Any, title: str, *, days_late: int = 5) -> Any:
    """An open key task of ``unit`` issued by its parent, its deadline ``days_late`` days
    ago (shown past the deadline)."""
    from grassroots.supervision.models import Task, tree_path_of

    issuer = unit.parent
    task = Task.objects.create(
        title=title,
        kind="key_task",
        unit=unit,
        unit_path=unit.path,
        issuer=issuer,
        issuer_path=issuer.path,
        start_date=today() - dt.timedelta(days=60),
        deadline=today() - dt.timedelta(days=days_late),
        target_value=Decimal(100),
    )
    task.tree_path = tree_path_of(task.pk, None)
    task.save(update_fields=["tree_path"])
    return task


def pdf_file(name: str = "整改报告.pdf") -> dict[str, Any]:
    """A small PDF for ``set_input_files``."""
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def field_error(page: Any, name: str) -> str:
    """The error text shown beside the form field ``name`` (``events/_fields.html``)."""
    text: str = page.locator(f".field[data-field='{name}'] .error").inner_text()
    return text.strip()


def submit(page: Any, button: Any) -> int:
    """Click a form's submit ``button`` (a locator) and wait for the page it leads to;
    the HTTP status of the POST's final answer (after any redirect)."""
    with page.expect_navigation() as nav:
        button.click()
    response = nav.value
    status: int = response.status if response is not None else 0
    return status


def messages_text(page: Any) -> str:
    text: str = page.locator(".messages").inner_text() if page.locator(".messages").count() else ""
    return text
