from django.db import models


class ThemeScope(models.TextChoices):
    NATIONAL = "nationale", "Nationale"
    PREVENTION = "prevention", "Prévention des risques (volet 2)"
    REGIONAL = "regionale", "Régionale"


class IndicatorScope(models.TextChoices):
    NATIONAL = "nationale", "Socle national"
    REGIONAL = "regionale", "Régional"
    CONTRACT = "contrat", "Propre au contrat"


class ValueType(models.TextChoices):
    INTEGER = "entier", "Nombre entier"
    DATE = "date", "Date"
    TEXT = "texte", "Texte"


class IndicatorLevel(models.TextChoices):
    MEANS = "moyens", "Moyens"
    INTERMEDIATE = "resultat_intermediaire", "Résultat intermédiaire"
    RESULT = "resultat", "Résultat"
