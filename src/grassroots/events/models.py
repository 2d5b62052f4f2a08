"""Grid events (网格事件): categories, events, their timeline and photos.

"Overdue" is never stored: it is ``resolve_by < now`` on an open event, answered from the
indexed deadline columns (``queries.EventQuerySet.overdue``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grassroots.common.crypto import EncryptedCharField
from grassroots.events.queries import EventQuerySet, deadline_order
from grassroots.events.states import OPEN_STATUSES, EventStatus

#: Open events: the partial indexes of the queues hold only these (a few per cent of the
#: table), so history — and a bulk import of it — costs them nothing.
OPEN_Q = Q(status__in=sorted(OPEN_STATUSES))


class EventSource(models.TextChoices):
    PATROL = "patrol", _("Found on patrol")  # 巡查发现
    RESIDENT = "resident", _("Reported by a resident")  # 群众上报
    HOTLINE = "hotline", _("12345 hotline")  # 12345 热线
    OPEN311 = "open311", _("Open311 client")
    IMPORT = "import", _("Imported")  # 历史数据导入


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY = "basically", _("Basically satisfied")  # 基本满意
    UNSATISFIED = "unsatisfied", _("Unsatisfied")  # 不满意


class ActionKind(models.TextChoices):
    REPORT = "report", _("Reported")
    ACCEPT = "accept", _("Accepted")
    REJECT = "reject", _("Rejected")
    DISPATCH = "dispatch", _("Dispatched")
    START = "start", _("Started handling")
    RETURN = "return", _("Returned")
    ESCALATE = "escalate", _("Escalated")
    RESOLVE = "resolve", _("Resolved")
    RESOLVE_ON_SPOT = "resolve_on_spot", _("Resolved on the spot")
    VERIFY = "verify", _("Verified")
    REWORK = "rework", _("Sent back for rework")
    CLOSE = "close", _("Closed")
    RATE = "rate", _("Rated")
    REOPEN = "reopen", _("Reopened")
    URGE = "urge", _("Urged")
    REMIND = "remind", _("Reminder sent")
    LAPSE = "lapse", _("Deadline passed")
    SET_DEADLINE = "set_deadline", _("Deadline changed")
    COMMENT = "comment", _("Comment")
    IMPORT = "import", _("Imported")


class CategoryQuerySet(models.QuerySet["Category"]):
    def active(self) -> CategoryQuerySet:
        return self.filter(active=True)

    def public(self) -> CategoryQuerySet:
        """Offered to residents and Open311 clients as services."""
        return self.filter(active=True, public=True)


class Category(models.Model):
    """A kind of problem, with its deadlines and the department that usually handles it."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    default_department = models.ForeignKey(
        "org.Unit",
        verbose_name=_("default department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "department"},
    )
    response_hours = models.DecimalField(
        _("response deadline (working hours)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("2"),
    )
    resolve_workdays = models.PositiveSmallIntegerField(
        _("handling deadline (working days)"), default=5
    )
    public = models.BooleanField(
        _("offered to residents"),
        default=True,
        help_text=_("Listed on the public form and as an Open311 service."),
    )
    keywords = models.CharField(_("keywords"), max_length=255, blank=True)
    #: Open311 service attributes: [{"code", "datatype", "required", "description",
    #: "order", "values": [{"key", "name"}]}]
    attributes = models.JSONField(_("attribute definitions"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class Event(models.Model):
    """One problem found in a grid, from report to the resident's rating."""

    #: Unique by the constraint ``ev_number_unique`` (see Meta); NULL until numbered.
    number = models.CharField(  # noqa: DJ001 - unique when set, so NULL, not ""
        _("event number"), max_length=32, null=True, blank=True
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,  # no query selects by category alone (see Meta.indexes)
    )
    source = models.CharField(_("source"), max_length=16, choices=EventSource.choices)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_events",
        db_index=False,  # ev_reporter, partial
    )
    contact_name = models.CharField(_("contact name"), max_length=64, blank=True)
    #: Encrypted at rest; screens show it masked to whoever does not handle the event.
    contact_phone = EncryptedCharField(_("contact phone"), max_length=20, blank=True)
    # Where: the position decides the grid, and the grid its village and township.
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    grid = models.ForeignKey(
        "org.Unit",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # ev_grid_queue starts with it
    )
    village = models.ForeignKey(
        "org.Unit",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # ev_village_queue starts with it
    )
    township = models.ForeignKey(
        "org.Unit",
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # ev_township_queue starts with it
    )
    #: Path of the smallest unit known to contain the place (the grid, else the unit
    #: chosen by hand): the place's side of scope.
    area_path = models.CharField(_("area path"), max_length=255)

    status = models.CharField(
        _("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.REPORTED
    )
    #: The unit that must act now (accept, dispatch, handle); its path is the other side
    #: of scope, so a department sees what was dispatched to it.
    assignee = models.ForeignKey(
        "org.Unit",
        verbose_name=_("assigned unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # ev_assignee_queue starts with it
    )
    assignee_path = models.CharField(_("assignee path"), max_length=255)
    #: The unit that dispatched it and verifies the result.
    dispatcher = models.ForeignKey(
        "org.Unit",
        verbose_name=_("dispatching unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # ev_dispatcher_queue starts with it
    )
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("resolve by"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=16, blank=True, choices=Satisfaction.choices
    )
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("times reworked"), default=0)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    #: Unique when given, by the partial constraint ``ev_idempotency_key_unique``.
    idempotency_key = models.CharField(  # noqa: DJ001 - unique when set, so NULL, not ""
        _("idempotency key"), max_length=64, null=True, blank=True
    )

    reported_at = models.DateTimeField(_("reported at"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-reported_at", "-id"]
        # Every index is paid for by every insert (a bulk import writes tens of thousands
        # of rows a second), so each one below serves named reads, and a foreign key
        # gets no index of its own when a composite starts with it (the audit: migrations
        # 0004_event_index_audit and 0005_timeline_and_scope_indexes).
        indexes = [
            # The dispatcher queues: what a unit must act on, soonest deadline first; the
            # tab counts read them alone. They double as the indexes of their foreign keys.
            models.Index(fields=["assignee", "status", "resolve_by"], name="ev_assignee_queue"),
            # What a unit dispatched and must verify: open events only (every tab asks for
            # open statuses); ev_dispatcher_scope serves the foreign key.
            models.Index(
                fields=["dispatcher", "status", "resolve_by"],
                name="ev_dispatcher_queue",
                condition=OPEN_Q,
            ),
            # The "units below" queues of a township, village or grid.
            models.Index(fields=["township", "status", "resolve_by"], name="ev_township_queue"),
            models.Index(fields=["village", "status", "resolve_by"], name="ev_village_queue"),
            models.Index(fields=["grid", "status", "resolve_by"], name="ev_grid_queue"),
            # …and their pages: the open events of the area in the queue's order, so that
            # a page is the first 50 entries, not a sort of every open event of the area.
            models.Index(
                F("township"), deadline_order(), F("id"), name="ev_township_open", condition=OPEN_Q
            ),
            models.Index(
                F("village"), deadline_order(), F("id"), name="ev_village_open", condition=OPEN_Q
            ),
            # The sweep reads what lapsed in (last sweep, now]: a range on each deadline.
            # The handling deadline also serves the metrics' "due in the period" and
            # "overdue"; the response deadline only the sweep's not-yet-answered events.
            models.Index(fields=["resolve_by"], name="ev_resolve_by"),
            models.Index(
                fields=["respond_by"],
                name="ev_respond_by_unanswered",
                condition=Q(responded_at__isnull=True),
            ),
            # Newest first (the event list, the API, Open311) and "received in the period".
            models.Index(fields=["reported_at"], name="ev_reported_at"),
            # Scope (``EventQuerySet.visible_to``): a prefix of the place's or the
            # assignee's path, or a dispatcher among the units in scope. Each index also
            # holds the paths its part of the scope count must exclude, so that a list's
            # total is counted from the indexes alone (``visible_count``).
            models.Index(
                fields=["area_path"], name="ev_area_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["assignee_path", "area_path"],
                name="ev_assignee_area",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["dispatcher", "area_path", "assignee_path"], name="ev_dispatcher_scope"
            ),
            # Deleting a user clears their reports (SET_NULL): only events with a reporter.
            models.Index(
                fields=["reporter"], name="ev_reporter", condition=Q(reporter__isnull=False)
            ),
        ]
        constraints = [
            # Plain unique indexes: a unique field would get a second, pattern-matching
            # index on PostgreSQL that no query uses (numbers are looked up exactly).
            models.UniqueConstraint(fields=["number"], name="ev_number_unique"),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                name="ev_idempotency_key_unique",
                condition=Q(idempotency_key__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | (Q(lat__gte=-90) & Q(lat__lte=90)),
                name="ev_lat_range",
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | (Q(lon__gte=-180) & Q(lon__lte=180)),
                name="ev_lon_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.title}"

    @property
    def scope_paths(self) -> tuple[str, ...]:
        # The dispatching unit keeps sight of what it sent on (it verifies the result),
        # even when the place lies outside its subtree (an address-only report).
        return (self.area_path, self.assignee_path, self.dispatcher.path)


class EventAction(models.Model):
    """One line of an event's timeline: a transition, a comment, a reminder."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="actions"
    )
    kind = models.CharField(_("action"), max_length=16, choices=ActionKind.choices)
    from_status = models.CharField(
        _("from status"), max_length=16, blank=True, choices=EventStatus.choices
    )
    to_status = models.CharField(
        _("to status"), max_length=16, blank=True, choices=EventStatus.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # ev_action_actor, partial
    )
    actor_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # ev_action_actor_unit, partial
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    #: Not indexed: a timeline is read by its event (the event index), then sorted.
    created_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("event action")
        verbose_name_plural = _("event actions")
        ordering = ["event_id", "created_at", "id"]
        indexes = [
            # Deleting a user or a unit clears their lines (SET_NULL): only the lines
            # that name one (automatic and imported lines name nobody).
            models.Index(
                fields=["actor"], name="ev_action_actor", condition=Q(actor__isnull=False)
            ),
            models.Index(
                fields=["actor_unit"],
                name="ev_action_actor_unit",
                condition=Q(actor_unit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.kind}"


class Attachment(models.Model):
    """A photo of an event, stored under the data directory by its SHA-256."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="attachments"
    )
    action = models.ForeignKey(
        EventAction,
        verbose_name=_("action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("type"), max_length=32)
    size = models.PositiveIntegerField(_("size (bytes)"))
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["event_id", "id"]

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]


class SweepState(models.Model):
    """The one row that remembers up to when the deadline sweep has looked."""

    name = models.CharField(max_length=32, unique=True, default="default")
    swept_until = models.DateTimeField(_("swept until"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("sweep state")
        verbose_name_plural = _("sweep states")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}: {self.swept_until}"


class IdempotentRequest(models.Model):
    """A write that carried an Idempotency-Key: a retry gets the first answer back."""

    key = models.CharField(max_length=64)
    scope = models.CharField(max_length=64, help_text="who sent it: user id or api key id")
    method_path = models.CharField(max_length=255)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="ev_idempotency_unique")
        ]

    def __str__(self) -> str:
        return self.key
