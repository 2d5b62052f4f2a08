"""The in-app inbox (消息): one row per message to one person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SmsState(models.TextChoices):
    NONE = "none", _("No text message")  # not requested
    PENDING = "pending", _("Text message waiting")  # requested, not yet handed to the backend
    SENT = "sent", _("Text message sent")  # a gateway accepted it
    LOGGED = "logged", _("Text message only logged (no gateway)")  # the log backend
    FAILED = "failed", _("Text message failed")  # the gateway refused it
    NO_PHONE = "no_phone", _("No phone number for a text message")


class Notification(models.Model):
    """A message in one person's inbox, usually pointing at a record (``link``)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    #: A local URL (path) of the record the message is about.
    link = models.CharField(_("link"), max_length=500, blank=True)
    #: The record, generically: ``app_label.model`` and its primary key.
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    sms = models.CharField(
        _("text message"), max_length=16, choices=SmsState.choices, default=SmsState.NONE
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unread count in every page's header: recipient = ? AND read_at IS NULL.
            models.Index(fields=["recipient", "read_at"], name="inbox_recipient_read"),
            models.Index(fields=["recipient", "-created_at"], name="inbox_recipient_time"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
