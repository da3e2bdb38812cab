from django.db import models

from .enums import IndicatorLevel, IndicatorScope, ThemeScope, ValueType


class Theme(models.Model):
    code = models.CharField("code", max_length=20, primary_key=True)
    label = models.CharField("libellé", max_length=200)
    scope = models.CharField("portée", max_length=20, choices=ThemeScope.choices)
    volet = models.PositiveSmallIntegerField("volet")
    source = models.CharField("source", max_length=300, blank=True)

    class Meta:
        verbose_name = "thématique"
        ordering = ["volet", "code"]

    def __str__(self) -> str:
        return self.label


class Indicator(models.Model):
    code = models.CharField("code", max_length=40, primary_key=True)
    label = models.CharField("libellé", max_length=300)
    scope = models.CharField("portée", max_length=20, choices=IndicatorScope.choices)
    region = models.ForeignKey(
        "territory.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name="région (indicateur régional)",
    )
    themes = models.ManyToManyField(Theme, related_name="indicators", verbose_name="thématiques")
    value_type = models.CharField("type", max_length=10, choices=ValueType.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="indicateur parent (« dont »)",
    )
    rule = models.CharField("règle", max_length=100, blank=True)
    level = models.CharField("niveau", max_length=30, choices=IndicatorLevel.choices, blank=True)
    source = models.CharField("source", max_length=300, blank=True)

    class Meta:
        verbose_name = "indicateur"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(scope=IndicatorScope.REGIONAL) | models.Q(region__isnull=False),
                name="regional_indicator_has_region",
                violation_error_message="Un indicateur régional doit être rattaché à une région.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"

    @property
    def rule_label(self) -> str:
        """The control rules in words (« >= 0 » → « nombre positif ou nul »), for the pages."""
        return rule_label(self.rule)


def rule_label(rule: str) -> str:
    words = []
    for part in filter(None, (part.strip() for part in (rule or "").split(";"))):
        if part == ">= 0":
            words.append("nombre positif ou nul")
        elif part.startswith(">= "):
            words.append(f"au moins {part[3:]}")
        elif part == "<= parent":
            words.append("ne dépasse pas son total")
        elif part.startswith("<= 31/12"):
            words.append("date au plus tard le 31/12 de l'année suivie")
        elif part.startswith("<= "):
            words.append(f"au plus {part[3:]}")
        else:
            words.append(part)
    return " ; ".join(words)
