"""The outbox: every e-mail the platform sends is first a row written in the same transaction as the change that
caused it (a refused change leaves no message), then sent by the `send_notifications` command (cron). A failed
SMTP server is retried later with a growing delay; a message is marked sent only once the server accepted it,
and a row being sent is locked (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL) so that two runs never send it
twice. Sent messages stay: they are the history of who was told what, when."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Delivery(models.TextChoices):
    IMMEDIATE = "immediat", "Immédiatement"
    DIGEST = "quotidien", "Résumé quotidien"
    NONE = "aucun", "Jamais"


class OutgoingEmail(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="destinataire (compte)",
    )
    recipient = models.EmailField("adresse du destinataire")
    kind = models.CharField("nature", max_length=40)
    subject = models.CharField("objet", max_length=250)
    body_text = models.TextField("texte")
    body_html = models.TextField("HTML", blank=True)
    object_kind = models.CharField("objet concerné (nature)", max_length=40, blank=True)
    object_id = models.PositiveBigIntegerField("objet concerné (identifiant)", null=True, blank=True)
    delivery = models.CharField("envoi", max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    next_attempt_at = models.DateTimeField("prochain essai", default=timezone.now)
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)

    class Meta:
        verbose_name = "courriel"
        verbose_name_plural = "courriels (boîte d'envoi)"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["object_kind", "object_id"]),
            models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="outbox_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"


class NotificationPreference(models.Model):
    """How a user wants one kind of message; no row: immediately."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name="compte",
    )
    kind = models.CharField("nature", max_length=40)
    delivery = models.CharField("envoi", max_length=10, choices=Delivery.choices)

    class Meta:
        verbose_name = "préférence de notification"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                name="one_preference_per_user_and_kind",
                violation_error_message="Cette préférence existe déjà.",
            )
        ]
