from django.conf import settings
from django.db import models


class ChangeAction(models.TextChoices):
    CREATED = "creation", "Création"
    UPDATED = "modification", "Modification"
    DELETED = "suppression", "Suppression"
    TRANSITION = "etape", "Étape"


class SubjectKind(models.TextChoices):
    CONTRACT = "contrat", "Contrat"
    SERVICE = "service", "Service"
    ACCOUNT = "compte", "Compte"
    INVITATION = "invitation", "Invitation"


class Change(models.Model):
    """One entry of the change journal of a contract or of a registry service: who, when, what, before and
    after. Written by the business functions in the same transaction as the change; never updated nor deleted.
    (Report values have their own journal, reports.ValueChange, and report steps reports.ReportEvent.)"""

    at = models.DateTimeField("le", auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name="par"
    )
    subject_kind = models.CharField("sujet", max_length=10, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField("identifiant du sujet")
    subject_version = models.PositiveIntegerField("version après la modification", null=True, blank=True)
    action = models.CharField("nature", max_length=15, choices=ChangeAction.choices)
    what = models.CharField("objet", max_length=300)
    changes = models.JSONField("champs modifiés", default=list, blank=True)  # [{"champ", "avant", "apres"}]

    class Meta:
        verbose_name = "modification journalisée"
        verbose_name_plural = "journal des modifications"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject_kind", "subject_id", "at"], name="change_subject_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.what}"
