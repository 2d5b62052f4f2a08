"""Checking one row of an import file and turning it into the values of an event row.

:class:`Checker` is the hot loop of an import: every lookup it needs is loaded before the
first row (:mod:`.lookups`), and a row costs dictionary lookups and a few conversions.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from typing import Any, Final

from django.utils.translation import gettext as _

from grassroots.common import geo
from grassroots.common.crypto import encrypt
from grassroots.common.tabular import RowError, cell_text, normalise_header
from grassroots.events.actions.intake import (
    ADDRESS_MAX,
    CONTACT_NAME_MAX,
    DESCRIPTION_MAX,
    FUTURE_SKEW,
    TITLE_MAX,
    clean_phone,
)
from grassroots.events.errors import EventError
from grassroots.events.importing.columns import (
    COLUMN_NAMES,
    COLUMNS,
    HEADERS,
    SATISFACTIONS,
    SOURCES,
    STATUSES,
    lookup_word,
    parse_datetime,
    plain_text,
)
from grassroots.events.importing.lookups import (
    GRID_KINDS,
    TOWNSHIP_KINDS,
    VILLAGE_KINDS,
    Ambiguous,
    Categories,
    CategoryRow,
    Deadlines,
    Moments,
    Place,
    UnitRow,
    Units,
)
from grassroots.events.models import Event
from grassroots.events.states import EventStatus

NUMBER_MAX: Final = Event._meta.get_field("number").max_length or 32
#: A title made from the description keeps this many characters.
DERIVED_TITLE_LENGTH: Final = 30
#: A mobile number masked by the system it was exported from (138****5678): kept as is,
#: since its last four digits still let the resident look the event up.
MASKED_PHONE_LENGTH: Final = 11

S = EventStatus
#: Statuses reached only after the event was resolved: a rating is allowed.
RESOLVED_STATUSES: Final = frozenset({S.RESOLVED, S.VERIFIED, S.CLOSED, S.REOPENED})
#: Statuses that cannot carry a closing time.
BEFORE_CLOSING: Final = frozenset(
    {S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED, S.RESOLVED}
)

#: The columns of ``events_event`` an import writes, in order, after ``id`` and
#: ``number`` (model field names; ``_id`` fields hold keys).
EVENT_FIELDS: Final = (
    "title",
    "description",
    "category",
    "source",
    "attributes",
    "reporter",
    "contact_name",
    "contact_phone",
    "lat",
    "lon",
    "address",
    "grid",
    "village",
    "township",
    "area_path",
    "status",
    "assignee",
    "assignee_path",
    "dispatcher",
    "respond_by",
    "resolve_by",
    "escalation_level",
    "satisfaction",
    "reopen_count",
    "rework_count",
    "return_count",
    "idempotency_key",
    "reported_at",
    "responded_at",
    "accepted_at",
    "dispatched_at",
    "resolved_at",
    "verified_at",
    "closed_at",
    "rated_at",
    "created_at",
    "updated_at",
)
MOMENT_COLUMNS: Final = ("reported_at", "accepted_at", "resolved_at", "closed_at")
CHECKED_CELLS: Final = (
    "number",
    "title",
    "description",
    "category",
    "subcategory",
    "source",
    "status",
    "satisfaction",
    "contact_name",
    "contact_phone",
    "address",
    "assignee",
    *MOMENT_COLUMNS,
)
#: Where the status sits in a prepared row (after line, number and day).
STATUS_AT: Final = 3 + EVENT_FIELDS.index("status")
SOURCE_AT: Final = 3 + EVENT_FIELDS.index("source")


class Checker:
    """Checks rows against one header; collects every error; prepares valid rows.

    A prepared row is ``(line, number or None, local report day "yyyymmdd" when the
    number must be generated, *EVENT_FIELDS values)``, every value in its database form
    (moments as :meth:`~.lookups.Moments.db` gives them).
    """

    def __init__(
        self,
        header: list[str],
        *,
        units: Units,
        categories: Categories,
        deadlines: Deadlines,
        moments: Moments,
        grid_index: geo.GridIndex,
        default_source: str,
        now: dt.datetime,
        typed_cells: bool = False,
    ) -> None:
        self.errors: list[RowError] = []
        self.units = units
        self.categories = categories
        self.deadlines = deadlines
        self.moments = moments
        self.grid_index = grid_index
        self.default_source = default_source
        self.now_local = moments.local(now)
        # A moment typed plainly is written as typed when moments are written as text.
        self.keep_typed = not moments.utc
        self.latest = self.now_local + FUTURE_SKEW
        self.now_db: str | dt.datetime = moments.db(self.now_local)
        self.numbers: dict[str, int] = {}
        self._resolve_values: dict[dt.datetime, str | dt.datetime] = {}
        self.width = len(header)
        self.ignored: list[str] = []
        self.index: dict[str, int] = {}
        self.label: dict[str, str] = {}
        for i, raw in enumerate(header):
            name = HEADERS.get(normalise_header(raw))
            text = str(raw).strip()
            if name is None:
                if text:
                    self.ignored.append(text)
                continue
            if name in self.index:
                self.error(
                    1,
                    text,
                    _("Column %(column)s appears twice (also as %(other)s).")
                    % {"column": text, "other": self.label[name]},
                )
                continue
            self.index[name] = i
            self.label[name] = text
        chinese = any(not str(h).isascii() for h in header)
        self.fallback = {c.name: c.headers[0] if chinese else c.name for c in COLUMNS}
        # A missing column reads the empty value appended to every row.
        self.at = {name: self.index.get(name, -1) for name in COLUMN_NAMES}
        #: The cells check() reads, in its order, taken from a row in one call.
        self._cells = operator.itemgetter(*(self.at[name] for name in CHECKED_CELLS))
        # A spreadsheet's cells may be dates or numbers: made text except in moment columns.
        self.typed_cells = typed_cells
        self.moment_columns = frozenset(
            self.index[name] for name in MOMENT_COLUMNS if name in self.index
        )
        self._check_header()

    # --- errors ---------------------------------------------------------------------------

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    def column(self, name: str) -> str:
        """The header of a column as the file writes it; for a column the file lacks, its
        usual Chinese header in a file headed in Chinese, else its English name."""
        return self.label.get(name) or self.fallback.get(name, name)

    def _check_header(self) -> None:
        for name in ("category", "reported_at"):
            if name not in self.index:
                column = self.column(name)
                self.error(1, column, _("Missing column %(column)s.") % {"column": column})
        if "title" not in self.index and "description" not in self.index:
            self.error(
                1,
                self.column("title"),
                _("One of the columns %(columns)s is required.") % {"columns": "标题, 内容"},
            )
        if not ({"grid", "village", "township"} & self.index.keys()) and not (
            "lon" in self.index and "lat" in self.index
        ):
            self.error(
                1,
                self.column("grid"),
                _("One of the columns %(columns)s is required.")
                % {"columns": "所属网格, 经度+纬度, 村(社区), 乡镇(街道)"},
            )

    @property
    def header_ok(self) -> bool:
        return not self.errors

    # --- one row --------------------------------------------------------------------------

    def _moment(self, value: Any, name: str, line: int) -> tuple[dt.datetime | None, str | None]:
        """(naive local moment, its text as typed when plain) of a date-time cell; (None,
        None) when empty or wrong (the error recorded)."""
        if value == "":
            return None, None
        moment = parse_datetime(value)
        if moment is None:
            self.error(
                line,
                self.column(name),
                _("%(value)s is not a date and time (write it like 2025-03-01 08:30).")
                % {"value": cell_text(value)},
            )
            return None, None
        typed = None
        if moment.tzinfo is not None:
            moment = self.moments.local(moment)
        elif self.keep_typed and value.__class__ is str and plain_text(value):
            typed = value
        if moment > self.latest:
            self.error(line, self.column(name), _("The time is in the future."))
            return None, None
        return moment, typed

    def check(self, line: int, values: list[Any], found: int) -> tuple[Any, ...] | None:
        """Check one row; return the prepared row, or None after recording its errors."""
        errors = self.errors
        before = len(errors)
        if found > self.width:
            self.error(
                line,
                _("row"),
                _("Expected %(expected)d fields, found %(found)d.")
                % {"expected": self.width, "found": found},
            )
        if self.typed_cells:
            moments = self.moment_columns
            values = [
                v if v.__class__ is str or i in moments else cell_text(v)
                for i, v in enumerate(values)
            ]
        values.append("")
        (
            number,
            title,
            description,
            category_text,
            subcategory,
            source,
            status,
            satisfaction,
            contact_name,
            contact_phone,
            address,
            assignee_text,
            value,
            accepted_value,
            resolved_value,
            closed_value,
        ) = self._cells(values)
        if number:
            number = self._number(line, number)
        title, description = self._title(line, title, description)
        category = self._category(line, category_text, subcategory)
        source = self._word(line, source, "source", SOURCES) if source else self.default_source
        status = self._word(line, status, "status", STATUSES) if status else None
        if satisfaction:
            satisfaction = self._word(line, satisfaction, "satisfaction", SATISFACTIONS)
        if len(contact_name) > CONTACT_NAME_MAX:
            self._too_long(line, "contact_name", CONTACT_NAME_MAX)
        if contact_phone:
            contact_phone = self._phone(line, contact_phone)
        if len(address) > ADDRESS_MAX:
            self._too_long(line, "address", ADDRESS_MAX)
        lon, lat, place = self._place(line, values)
        assignee = self._assignee(line, assignee_text) if assignee_text else None
        reported_at, reported_text = self._moment(value, "reported_at", line)
        if value == "":
            self.error(line, self.column("reported_at"), _("This field is required."))
        accepted_at, accepted_text = self._moment(accepted_value, "accepted_at", line)
        resolved_at, resolved_text = self._moment(resolved_value, "resolved_at", line)
        closed_at, closed_text = self._moment(closed_value, "closed_at", line)
        if len(errors) != before or reported_at is None:
            return None
        assert category is not None and place is not None  # noqa: S101 - errors otherwise

        # --- the life so far: status and its times
        if status is None:
            status = (
                S.CLOSED
                if closed_at
                else S.RESOLVED
                if resolved_at
                else S.ACCEPTED
                if accepted_at
                else S.REPORTED
            )
        if status == S.CLOSED and closed_at is None:
            closed_at, closed_text = resolved_at, resolved_text
            if closed_at is None:
                self.error(
                    line,
                    self.column("closed_at"),
                    _("A closed event needs its closing time (or its resolution time)."),
                )
        elif closed_at is not None and status in BEFORE_CLOSING:
            self.error(
                line,
                self.column("closed_at"),
                _("An event in status “%(status)s” has no closing time.")
                % {"status": S(status).label},
            )
        if resolved_at is None and status in (S.RESOLVED, S.VERIFIED):
            self.error(
                line, self.column("resolved_at"), _("A resolved event needs its resolution time.")
            )
        if resolved_at is None and status == S.CLOSED:
            resolved_at, resolved_text = closed_at, closed_text
        if accepted_at is not None and accepted_at < reported_at:
            self.error(line, self.column("accepted_at"), _("Earlier than the time of the report."))
        if resolved_at is not None and resolved_at < reported_at:
            self.error(line, self.column("resolved_at"), _("Earlier than the time of the report."))
        if closed_at is not None:
            if closed_at < reported_at:
                self.error(
                    line, self.column("closed_at"), _("Earlier than the time of the report.")
                )
            elif resolved_at is not None and closed_at < resolved_at:
                self.error(line, self.column("closed_at"), _("Earlier than the resolution time."))
        if satisfaction and status not in RESOLVED_STATUSES:
            self.error(
                line,
                self.column("satisfaction"),
                _("Only a resolved or closed event can be rated."),
            )
        if len(errors) != before:
            return None

        # --- the row
        day = reported_at.date()
        respond_by = self.deadlines.respond_by(reported_at, category.response_us)
        resolve_by = self.deadlines.resolve_by(day, category.resolve_workdays)
        text = self.moments.db
        accepted = text(accepted_at, accepted_text) if accepted_at is not None else None
        resolved = text(resolved_at, resolved_text) if resolved_at is not None else None
        closed = text(closed_at, closed_text) if closed_at is not None else None
        rated = (closed or resolved) if satisfaction else None
        if assignee is not None:
            assignee_id, assignee_path = assignee.id, assignee.path
        else:
            assignee_id, assignee_path = place.assignee_id, place.assignee_path
        return (
            line,
            number or None,
            None if number else f"{day.year:04d}{day.month:02d}{day.day:02d}",
            title,
            description,
            category.id,
            source,
            "{}",
            None,  # reporter: history has no login behind it
            contact_name,
            # Written by COPY, past the model field: encrypted here as the field would.
            encrypt(contact_phone),
            lat,
            lon,
            address,
            place.grid_id,
            place.village_id,
            place.township_id,
            place.area_path,
            status,
            assignee_id,
            assignee_path,
            place.assignee_id,  # the dispatcher: the unit of the place, as on intake
            text(respond_by),
            self._resolve_value(resolve_by),
            1 if status == S.ESCALATED else 0,
            satisfaction or "",
            1 if status == S.REOPENED else 0,
            1 if status == S.REWORKED else 0,
            1 if status == S.RETURNED else 0,
            None,  # idempotency_key
            text(reported_at, reported_text),
            accepted,  # responded_at: the first answer
            accepted,
            None,  # dispatched_at
            resolved,
            None,  # verified_at
            closed,
            rated,
            self.now_db,
            self.now_db,
        )

    def _resolve_value(self, moment: dt.datetime) -> str | dt.datetime:
        cached = self._resolve_values.get(moment)
        if cached is None:
            cached = self._resolve_values[moment] = self.moments.db(moment)
        return cached

    # --- fields ---------------------------------------------------------------------------

    def _too_long(self, line: int, name: str, limit: int) -> None:
        self.error(line, self.column(name), _("At most %(n)d characters.") % {"n": limit})

    def _number(self, line: int, number: str) -> str:
        if len(number) > NUMBER_MAX:
            self._too_long(line, "number", NUMBER_MAX)
            return ""
        first = self.numbers.setdefault(number, line)
        if first != line:
            self.error(
                line,
                self.column("number"),
                _("Event number %(number)s appears twice (first on line %(line)d).")
                % {"number": number, "line": first},
            )
        return number

    def _title(self, line: int, title: str, description: str) -> tuple[str, str]:
        if len(description) > DESCRIPTION_MAX:
            self._too_long(line, "description", DESCRIPTION_MAX)
        if title:
            if len(title) > TITLE_MAX:
                self._too_long(line, "title", TITLE_MAX)
            elif "  " in title or "\n" in title or "\t" in title:
                title = " ".join(title.split())
            return title, description
        if not description:
            self.error(
                line,
                self.column("title" if "title" in self.index else "description"),
                _("Give a title or a description."),
            )
            return "", description
        first = " ".join(description.split())
        if len(first) > DERIVED_TITLE_LENGTH:
            first = first[: DERIVED_TITLE_LENGTH - 1] + "…"
        return first, description

    def _category(self, line: int, value: str, sub: str) -> CategoryRow | None:
        if not value:
            self.error(line, self.column("category"), _("This field is required."))
            return None
        try:
            category = self.categories.find(value)
        except Ambiguous as exc:
            self._ambiguous(line, "category", value, exc)
            return None
        if category is None:
            self.error(
                line,
                self.column("category"),
                _("Unknown category %(value)s.") % {"value": value},
            )
            return None
        if sub:
            child = self.categories.find_child(sub, category)
            if child is None:
                self.error(
                    line,
                    self.column("subcategory"),
                    _("%(value)s is not a sub-category of %(category)s.")
                    % {"value": sub, "category": category.name},
                )
                return None
            category = child
        if not category.active:
            self.error(
                line,
                self.column("subcategory" if sub else "category"),
                _("Category %(value)s is no longer in use.") % {"value": category.name},
            )
            return None
        return category

    def _ambiguous(self, line: int, name: str, value: str, exc: Ambiguous) -> None:
        self.error(
            line,
            self.column(name),
            _("%(value)s is ambiguous (%(candidates)s): give the code.")
            % {"value": value, "candidates": "; ".join(exc.candidates)},
        )

    def _word(self, line: int, value: str, name: str, table: dict[str, str]) -> str | None:
        word = lookup_word(table, value)
        if word is None:
            messages = {
                "source": _("Unknown source %(value)s (write 巡查发现, 群众上报 or 12345)."),
                "status": _("Unknown status %(value)s."),
                "satisfaction": _("Unknown rating %(value)s (write 满意, 基本满意 or 不满意)."),
            }
            self.error(line, self.column(name), messages[name] % {"value": value})
        return word

    def _phone(self, line: int, phone: str) -> str:
        if (
            len(phone) == MASKED_PHONE_LENGTH
            and phone.isdecimal()
            and phone[0] == "1"
            and phone[1] in "3456789"
        ):
            return phone  # a mobile number as it should be: clean_phone's answer
        if len(phone) == MASKED_PHONE_LENGTH and phone[:3].isdecimal() and "*" in phone:
            masked = phone.replace("*", "")
            if masked.isdecimal() and phone[-4:].isdecimal():
                return phone
        try:
            return clean_phone(phone)
        except EventError as exc:
            self.error(line, self.column("contact_phone"), exc.message)
            return ""

    def _coordinate(self, line: int, value: str, name: str, limit: float) -> float | None:
        if value == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.error(line, self.column(name), _("Enter a number."))
            return None
        if not (-limit <= number <= limit) or math.isnan(number):
            self.error(
                line,
                self.column(name),
                _("Must be between %(low)s and %(high)s.") % {"low": -limit, "high": limit},
            )
            return None
        return number

    def _unit(
        self, line: int, name: str, value: str, kinds: frozenset[str], parent: UnitRow | None
    ) -> UnitRow | None:
        try:
            if parent is not None:
                unit = self.units.find_below(value, parent, kinds)
            else:
                unit = self.units.find(value, kinds)
        except Ambiguous as exc:
            self._ambiguous(line, name, value, exc)
            return None
        if unit is None:
            messages = {
                "grid": _("Unknown grid %(value)s."),
                "village": _("Unknown village or community %(value)s."),
                "township": _("Unknown township or street %(value)s."),
            }
            if parent is not None and self.units.find(value, kinds) is not None:
                self.error(
                    line,
                    self.column(name),
                    _("%(value)s is not in %(parent)s.") % {"value": value, "parent": parent.name},
                )
            else:
                self.error(line, self.column(name), messages[name] % {"value": value})
            return None
        if not unit.active:
            self.error(
                line,
                self.column(name),
                _("%(value)s is no longer an active unit.") % {"value": value},
            )
            return None
        return unit

    def _place(
        self, line: int, values: list[Any]
    ) -> tuple[float | None, float | None, Place | None]:
        """(lon, lat, place): the grid column, else the position, else the village or
        township columns decide where the event is."""
        before = len(self.errors)
        at = self.at
        lon = self._coordinate(line, values[at["lon"]], "lon", 180.0)
        lat = self._coordinate(line, values[at["lat"]], "lat", 90.0)
        if len(self.errors) != before:
            return None, None, None
        if (lon is None) != (lat is None):
            self.error(
                line,
                self.column("lat" if lat is None else "lon"),
                _("Give both latitude and longitude, or neither."),
            )
            return None, None, None
        area: UnitRow | None = None
        grid_text = values[at["grid"]]
        if grid_text:
            area = self._unit(line, "grid", grid_text, GRID_KINDS, None)
            if area is None:
                return None, None, None
        outside = False
        if area is None and lon is not None and lat is not None:
            code = self.grid_index.locate(lon, lat)
            grid = self.units.by_code.get(code) if code is not None else None
            if grid is not None and grid.active:
                area = grid
            else:
                outside = True
        if area is None:
            township_text = values[at["township"]]
            village_text = values[at["village"]]
            township = village = None
            if township_text:
                township = self._unit(line, "township", township_text, TOWNSHIP_KINDS, None)
                if township is None:
                    return None, None, None
            if village_text:
                village = self._unit(line, "village", village_text, VILLAGE_KINDS, township)
                if village is None:
                    return None, None, None
            area = village or township
        if area is None:
            if outside:
                self.error(
                    line,
                    self.column("lon"),
                    _("The point (%(lon)s, %(lat)s) lies outside every grid of the jurisdiction.")
                    % {"lon": lon, "lat": lat},
                )
            else:
                self.error(
                    line,
                    _("location"),
                    _(
                        "Give the grid, the position (longitude and latitude), or the village "
                        "or township."
                    ),
                )
            return None, None, None
        try:
            place = self.units.place(area)
        except EventError as exc:
            self.error(line, _("location"), exc.message)
            return None, None, None
        return lon, lat, place

    def _assignee(self, line: int, value: str) -> UnitRow | None:
        try:
            unit = self.units.find(value)
        except Ambiguous as exc:
            self._ambiguous(line, "assignee", value, exc)
            return None
        if unit is None:
            self.error(
                line, self.column("assignee"), _("Unknown unit %(value)s.") % {"value": value}
            )
            return None
        if not unit.active:
            self.error(
                line,
                self.column("assignee"),
                _("%(value)s is no longer an active unit.") % {"value": value},
            )
            return None
        return unit
