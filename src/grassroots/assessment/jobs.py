"""Background work of the assessment (Huey): closing the rating forms and reminding raters;
rendering a publication's bulletin when asked (``render_bulletin``).

The job runs every hour (at minute 17). Every run closes the forms whose closing day has
passed (the first run after midnight, local time, closes the previous day's forms); from
``REMIND_HOUR`` local time it also reminds the raters of pending sheets on forms closing
today or tomorrow, once per sheet and day (``actions.rating_sweep``). An hourly schedule
rather than one fixed time, so that a worker started late still does the day's work.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

#: Local hour from which raters are reminded (no messages at night).
REMIND_HOUR = 8


@db_periodic_task(crontab(minute="17"))
def close_rating_forms() -> dict[str, Any]:
    """Every hour: close the rating forms past their closing day; from ``REMIND_HOUR``,
    remind raters of pending sheets (``actions.rating_sweep.sweep_rating_forms``)."""
    from grassroots.assessment.actions.rating_sweep import sweep_rating_forms

    now = timezone.localtime()
    return sweep_rating_forms(now.date(), remind=now.hour >= REMIND_HOUR).as_dict()


@db_task()
def render_bulletin(bulletin_id: int) -> str:
    """Render a publication's bulletin (PDF or Excel) queued by ``request_bulletin``, with
    progress on its row (``actions.bulletins.render_bulletin_now``)."""
    from grassroots.assessment.actions.bulletins import render_bulletin_now

    return render_bulletin_now(bulletin_id)
