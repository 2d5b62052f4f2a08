"""The append-only audit log and the blocks that seal it.

An action writes its ``AuditEntry`` inside its own transaction and takes no lock, so that
intake stays parallel. The sealer (``grassroots.audit.actions.seal_pending``) later gives
committed entries consecutive ``seq`` numbers, chains their SHA-256 or SM3 hashes and groups
them into ``AuditBlock`` rows, holding a lock on the single ``AuditHead`` row meanwhile.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grassroots.audit.queries import AuditEntryQuerySet


class AuditBlock(models.Model):
    """One run of the sealer: the entries ``first_seq`` … ``last_seq``, hash-linked to
    the block before."""

    number = models.PositiveBigIntegerField(_("number"), unique=True)
    first_seq = models.PositiveBigIntegerField(_("first sequence number"))
    last_seq = models.PositiveBigIntegerField(_("last sequence number"), unique=True)
    count = models.PositiveIntegerField(_("entries"))
    prev_block_hash = models.CharField(_("previous block hash"), max_length=64)
    # The hash of entry ``last_seq``, which covers every entry before it: linking it
    # here lets the sealer continue the chain without reading the entries.
    last_entry_hash = models.CharField(_("last entry hash"), max_length=64)
    block_hash = models.CharField(_("block hash"), max_length=64, unique=True)
    sealed_at = models.DateTimeField(_("sealed at"))
    # True when the sealer took every committed entry it could see; only such a block
    # proves that an entry older than it, and still unsealed, was not committed in time.
    drained = models.BooleanField(_("queue drained"), default=True)
    # The hash function of this block and of its entries (``chain.ALGORITHMS``): the
    # blocks sealed before the field existed are SHA-256.
    hash_algorithm = models.CharField(
        _("hash algorithm"),
        max_length=8,
        choices=[("sha256", "SHA-256"), ("sm3", "SM3")],
        default="sha256",
    )

    class Meta:
        verbose_name = _("audit block")
        verbose_name_plural = _("audit blocks")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_seq__gte=models.F("first_seq")),
                name="audit_block_seq_range",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} ({self.first_seq}–{self.last_seq})"


class AuditHead(models.Model):
    """The single row the sealer locks (SELECT … FOR UPDATE) while it extends the chain.

    Only the sealer takes this lock; writers of entries never touch it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_run_at = models.DateTimeField(_("last seal run"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_head_singleton")]

    def __str__(self) -> str:
        return "audit chain head"


class AuditEntry(models.Model):
    """One state change: who did what to which object, before and after.

    Rows are only ever inserted by ``record`` and completed once by the sealer; nothing
    else updates or deletes them.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as written: the sealed record of who acted, even after the user is deleted.
    actor_label = models.CharField(_("actor name"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    seq = models.PositiveBigIntegerField(_("sequence number"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    entry_hash = models.CharField(_("hash"), max_length=64, blank=True)
    block = models.ForeignKey(
        AuditBlock,
        verbose_name=_("block"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-id"]
        indexes = [
            # The sealer's queue: few rows, so a partial index keeps it cheap to find.
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="audit_entry_unsealed"),
            # Subtree filters are "unit_path LIKE 'x.%'"; see org.Unit for the opclass.
            models.Index(
                fields=["unit_path"],
                name="audit_entry_unit_path",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["created_at"], name="audit_entry_created_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_entry_object"),
            models.Index(
                fields=["action"], name="audit_entry_action", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    @property
    def scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,) if self.unit_path else ()

    @property
    def is_sealed(self) -> bool:
        return self.seq is not None
