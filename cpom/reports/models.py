"""The annual follow-up: one report per service, contract and year; values keyed by (indicator, theme); the
progress of each action; every change of every value kept (who, when, before, after, through which channel)."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .enums import Channel, EventKind, ProgressStatus, ReportStatus


class ReportingCampaign(models.Model):
    """The collection of year Y's reports: opens on 1 January of Y+1, due 30 June by default."""

    year = models.PositiveSmallIntegerField("année suivie")
    region = models.ForeignKey(
        "territory.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="région (vide : campagne nationale)",
    )
    opens_on = models.DateField("ouverture")
    deadline = models.DateField("date limite")
    joint_validation = models.BooleanField(
        "validation conjointe",
        default=False,
        help_text="Non : validation par la DREETS ou la caisse (l'une suffit). Oui : les deux acceptent ; "
        "l'une ou l'autre peut renvoyer.",
    )

    class Meta:
        verbose_name = "campagne de suivi annuel"
        verbose_name_plural = "campagnes de suivi annuel"
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(region__isnull=True),
                name="one_national_reporting_campaign_per_year",
                violation_error_message="La campagne nationale de cette année existe déjà.",
            ),
            models.UniqueConstraint(
                fields=["year", "region"],
                condition=Q(region__isnull=False),
                name="one_regional_reporting_campaign_per_year",
                violation_error_message="La campagne de cette région pour cette année existe déjà.",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("opens_on")),
                name="reporting_deadline_after_opening",
                violation_error_message="La date limite doit suivre l'ouverture de la campagne.",
            ),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else "nationale"
        return f"Suivi {self.year} ({where}) — à transmettre au plus tard le {self.deadline:%d/%m/%Y}"

    @staticmethod
    def default_dates(year: int) -> tuple[dt.date, dt.date]:
        return dt.date(year + 1, 1, 1), dt.date(year + 1, 6, 30)


class Report(models.Model):
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, related_name="reports", verbose_name="contrat"
    )
    spsti = models.ForeignKey(
        "organisations.Spsti", on_delete=models.PROTECT, related_name="reports", verbose_name="service"
    )
    year = models.PositiveSmallIntegerField("année suivie")
    status = models.CharField("état", max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    version = models.PositiveIntegerField("version", default=1)
    comments = models.TextField("commentaires libres", blank=True)
    first_submitted_at = models.DateTimeField("première transmission", null=True, blank=True)
    submitted_at = models.DateTimeField("dernière transmission", null=True, blank=True)
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        verbose_name = "rapport annuel"
        verbose_name_plural = "rapports annuels"
        ordering = ["-year", "spsti__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "spsti", "year"],
                name="one_report_per_service_contract_and_year",
                violation_error_message="Ce service a déjà un rapport pour ce contrat et cette année.",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"Rapport {self.year} — {self.spsti}"


class Value(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="values", verbose_name="rapport")
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, verbose_name="indicateur")
    theme = models.ForeignKey(
        "indicators.Theme", on_delete=models.PROTECT, null=True, blank=True, verbose_name="thématique"
    )
    integer = models.BigIntegerField("nombre", null=True, blank=True)
    date = models.DateField("date", null=True, blank=True)
    text = models.TextField("texte", blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, verbose_name="modifiée par"
    )

    class Meta:
        verbose_name = "valeur"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator", "theme"],
                condition=Q(theme__isnull=False),
                name="one_value_per_indicator_and_theme",
                violation_error_message="Cette valeur existe déjà dans le rapport.",
            ),
            models.UniqueConstraint(
                fields=["report", "indicator"],
                condition=Q(theme__isnull=True),
                name="one_value_per_indicator_without_theme",
                violation_error_message="Cette valeur existe déjà dans le rapport.",
            ),
            models.CheckConstraint(
                condition=Q(integer__isnull=True) | Q(integer__gte=0),
                name="value_count_not_negative",
                violation_error_message="Un nombre ne peut pas être négatif.",
            ),
        ]


class ValueChange(models.Model):
    """History of a value (DHIS2-style audit): never updated, never deleted."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="changes", verbose_name="rapport")
    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.PROTECT, verbose_name="indicateur")
    theme = models.ForeignKey(
        "indicators.Theme", on_delete=models.PROTECT, null=True, blank=True, verbose_name="thématique"
    )
    before = models.TextField("avant", blank=True)
    after = models.TextField("après", blank=True)
    changed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, verbose_name="par")
    changed_at = models.DateTimeField("le", auto_now_add=True)
    channel = models.CharField("canal", max_length=20, choices=Channel.choices)

    class Meta:
        verbose_name = "modification de valeur"
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["report", "indicator", "theme"])]


class ActionProgress(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="progress", verbose_name="rapport")
    action = models.ForeignKey("contracts.Action", on_delete=models.PROTECT, verbose_name="action")
    status = models.CharField("avancement", max_length=20, choices=ProgressStatus.choices, blank=True)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "avancement d'une action"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "action"],
                name="one_progress_per_action",
                violation_error_message="L'avancement de cette action est déjà saisi.",
            ),
        ]


class ReportEvent(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events", verbose_name="rapport")
    kind = models.CharField("événement", max_length=20, choices=EventKind.choices)
    by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, verbose_name="par (vide : import système)"
    )
    at = models.DateTimeField("le", default=timezone.now)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "étape du rapport"
        ordering = ["at", "pk"]


class CellComment(models.Model):
    """A reviewer's comment on one cell of a report returned for correction, attached to that return."""

    event = models.ForeignKey(
        ReportEvent, on_delete=models.CASCADE, related_name="cell_comments", verbose_name="renvoi"
    )
    key = models.CharField("case (indicateur|thématique)", max_length=80)
    comment = models.TextField("commentaire")

    class Meta:
        verbose_name = "commentaire sur une case"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "key"],
                name="one_comment_per_cell_and_return",
                violation_error_message="Cette case a déjà un commentaire pour ce renvoi.",
            )
        ]


class ReportApproval(models.Model):
    """Under joint validation, one reviewing organisation's acceptance of one submission of the report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="approvals", verbose_name="rapport")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, verbose_name="organisation qui accepte"
    )
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, verbose_name="par")
    at = models.DateTimeField("le", default=timezone.now)
    submitted_at = models.DateTimeField("transmission acceptée")

    class Meta:
        verbose_name = "acceptation d'un rapport"
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "organisation", "submitted_at"],
                name="one_approval_per_organisation_and_submission",
                violation_error_message="Votre organisation a déjà accepté cette transmission.",
            )
        ]


class Justification(models.Model):
    """The service's short explanation of a flagged figure, given when it submits (reports/flags.py)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="justifications", verbose_name="rapport")
    key = models.CharField("case (indicateur|thématique)", max_length=80)
    text = models.TextField("justification")
    version = models.PositiveIntegerField("version transmise")
    at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "justification d'un chiffre signalé"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "key"],
                name="one_justification_per_cell",
                violation_error_message="Ce chiffre a déjà une justification.",
            )
        ]


class Reminder(models.Model):
    """One e-mail per report and step, so that running the reminder command twice sends nothing twice."""

    class Step(models.TextChoices):
        FIFTEEN_DAYS = "j-15", "15 jours avant la date limite"
        THREE_DAYS = "j-3", "3 jours avant la date limite"
        LATE = "retard", "Lendemain de la date limite"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders", verbose_name="rapport")
    step = models.CharField("relance", max_length=10, choices=Step.choices)
    sent_at = models.DateTimeField("envoyée le", auto_now_add=True)
    recipients = models.TextField("destinataires")

    class Meta:
        verbose_name = "relance"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "step"],
                name="one_reminder_per_report_and_step",
                violation_error_message="Cette relance a déjà été envoyée.",
            ),
        ]
