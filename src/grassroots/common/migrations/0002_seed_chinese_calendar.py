"""Seed the official calendar from chinese-calendar for every year it covers.

Holidays keep their names; make-up workdays carry the name of the holiday they make up
for. A December day of New Year's Day belongs to the next year's notice (the 2019
notice set 2018-12-29..31). Every covered year is marked complete with the library
version as its source. Reversing removes what this migration wrote: the years whose
source is chinese-calendar and their days.
"""

import uuid

from django.db import migrations
from django.utils import timezone

SOURCE_PREFIX = "chinese-calendar"

# The State Council notice's names where the library abbreviates them.
OFFICIAL_NAMES = {
    "Tomb-sweeping Day": "清明节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
}


def _name(holiday_value):
    from chinese_calendar import Holiday

    if holiday_value in OFFICIAL_NAMES:
        return OFFICIAL_NAMES[holiday_value]
    return Holiday(holiday_value).chinese


def _notice_year(day, holiday_value):
    if day.month == 12 and holiday_value == "New Year's Day":
        return day.year + 1
    return day.year


def _bump(apps):
    revision = apps.get_model("common", "CalendarRevision")
    revision.objects.update_or_create(
        pk=1, defaults={"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    )


def seed_calendar(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar import constants

    day_model = apps.get_model("common", "CalendarDay")
    year_model = apps.get_model("common", "CalendarYear")
    now = timezone.now()
    rows = [
        day_model(
            date=day,
            kind=kind,
            name=_name(value),
            notice_year=_notice_year(day, value),
            created_at=now,
            updated_at=now,
        )
        for kind, table in (("holiday", constants.holidays), ("workday", constants.workdays))
        for day, value in sorted(table.items())
    ]
    day_model.objects.bulk_create(rows, batch_size=500)
    first = min(constants.holidays).year
    last = max(constants.holidays).year
    source = f"{SOURCE_PREFIX} {chinese_calendar.__version__}"
    year_model.objects.bulk_create(
        [
            year_model(year=year, complete=True, source=source, created_at=now, updated_at=now)
            for year in range(first, last + 1)
        ]
    )
    _bump(apps)


def unseed_calendar(apps, schema_editor):
    day_model = apps.get_model("common", "CalendarDay")
    year_model = apps.get_model("common", "CalendarYear")
    seeded = year_model.objects.filter(source__startswith=SOURCE_PREFIX)
    years = list(seeded.values_list("year", flat=True))
    day_model.objects.filter(notice_year__in=years).delete()
    seeded.delete()
    _bump(apps)


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]

    operations = [migrations.RunPython(seed_calendar, unseed_calendar, elidable=False)]
