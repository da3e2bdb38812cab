from django.db import models
from django.db.models import F, Q


class RegionalPlan(models.Model):
    """Plan régional santé au travail (PRST), the regional declination of the national plan (PST)."""

    region = models.ForeignKey(
        "territory.Region", on_delete=models.PROTECT, related_name="regional_plans", verbose_name="région"
    )
    number = models.PositiveSmallIntegerField("numéro du plan")
    title = models.CharField("intitulé", max_length=200)
    start_year = models.PositiveSmallIntegerField("première année")
    end_year = models.PositiveSmallIntegerField("dernière année")

    class Meta:
        verbose_name = "plan régional santé au travail (PRST)"
        verbose_name_plural = "plans régionaux santé au travail (PRST)"
        ordering = ["region__name", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "number"],
                name="one_prst_per_number_and_region",
                violation_error_message="Cette région a déjà un PRST portant ce numéro.",
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="prst_period_ordered",
                violation_error_message="La dernière année du PRST ne peut précéder la première.",
            ),
        ]

    def __str__(self) -> str:
        return f"PRST {self.number} {self.region} ({self.start_year}–{self.end_year})"


class PrstAction(models.Model):
    plan = models.ForeignKey(RegionalPlan, on_delete=models.CASCADE, related_name="actions", verbose_name="PRST")
    code = models.CharField("code", max_length=20)
    title = models.CharField("intitulé", max_length=300)
    theme = models.ForeignKey(
        "indicators.Theme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prst_actions",
        verbose_name="thématique",
    )

    class Meta:
        verbose_name = "action du PRST"
        verbose_name_plural = "actions du PRST"
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="prst_action_code_unique",
                violation_error_message="Ce code d'action existe déjà dans ce PRST.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class CogProgramme(models.Model):
    """A national prevention programme of the Assurance maladie's COG (AT/MP or maladie branch)."""

    code = models.CharField("code", max_length=30, unique=True)
    title = models.CharField("intitulé", max_length=300)
    branch = models.CharField(
        "branche", max_length=10, choices=[("ATMP", "AT/MP"), ("MALADIE", "Maladie")], default="ATMP"
    )
    start_year = models.PositiveSmallIntegerField("première année")
    end_year = models.PositiveSmallIntegerField("dernière année")
    theme = models.ForeignKey(
        "indicators.Theme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cog_programmes",
        verbose_name="thématique",
    )

    class Meta:
        verbose_name = "programme de la COG"
        verbose_name_plural = "programmes de la COG"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title
